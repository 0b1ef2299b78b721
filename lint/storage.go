package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corskit/corskit/cors/unstable/origin"
	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/severity"
)

// locator finds the line and column of values in a file that has no parse
// tree with positions (JSON, XML): each search starts after the previous
// find, so repeated values are told apart in file order.
type locator struct {
	src string
	at  int
}

// find returns the position of needle at or after the last find (or of
// the last find when needle is not there).
func (l *locator) find(needle string) (line, col int) {
	window := l.src[l.at:min(len(l.src), l.at+locateWindow)]
	if i := strings.Index(window, needle); i >= 0 && needle != "" {
		l.at += i
	}
	return position(l.src, l.at)
}

// Bounds on the work a hostile file costs: where a value is looked for, and
// how many rules and entries are reviewed (the services take far fewer).
const (
	locateWindow = 64 << 10
	maxReviewed  = 128
)

// lintStorage reviews a storage service's CORS rules: what the service
// refuses or never matches, what leaks, and what breaks browser uploads.
func lintStorage(file string, data []byte, s buckets.Service) []Finding {
	c, err := buckets.Parse(s, data)
	if err != nil {
		return []Finding{newFinding(file, 1, 1, "storage-invalid", severity.High, err.Error(), "write the rules as "+s.Title()+" documents them (corskit gen "+string(s)+" writes them)")}
	}
	loc := &locator{src: string(data)}
	var out []Finding
	add := func(needle, rule string, sev Severity, msg, fix string) {
		line, col := loc.find(needle)
		out = append(out, newFinding(file, line, col, rule, sev, msg, fix))
	}
	name := s.Title()
	switch {
	case s == buckets.S3 && len(c.Rules) > buckets.S3MaxRules:
		add("", "storage-limit", severity.High, fmt.Sprintf("%d rules; S3 takes at most %d", len(c.Rules), buckets.S3MaxRules), "merge rules that share methods and headers")
	case s == buckets.Azure && len(c.Rules) > buckets.AzureMaxRules:
		add("", "storage-limit", severity.High, fmt.Sprintf("%d rules; Azure Storage takes at most %d per service", len(c.Rules), buckets.AzureMaxRules), "merge rules that share methods and headers")
	}
	if s == buckets.Azure && c.AzureSize() > buckets.AzureMaxChars {
		add("", "storage-limit", severity.High, fmt.Sprintf("the rules hold %d characters, tags aside; Azure Storage takes at most %d (Azurite accepts more, Azure refuses)", c.AzureSize(), buckets.AzureMaxChars), "use fewer origins or headers")
	}
	reviewed := buckets.Config{Service: s}
	for _, r := range c.Rules[:min(len(c.Rules), maxReviewed)] {
		r.Origins = r.Origins[:min(len(r.Origins), maxReviewed)]
		r.Headers = r.Headers[:min(len(r.Headers), maxReviewed)]
		reviewed.Rules = append(reviewed.Rules, r)
	}
	for i, r := range reviewed.Rules {
		loc.find(map[buckets.Service]string{buckets.S3: "CORSRule", buckets.Azure: "<CorsRule", buckets.GCS: `"origin"`}[s])
		rule := fmt.Sprintf("rule %d", i+1)
		if s == buckets.S3 && len(r.ID) > buckets.S3MaxIDLen {
			add(r.ID, "storage-limit", severity.High, fmt.Sprintf("%s: ID of %d characters; S3 takes at most %d", rule, len(r.ID), buckets.S3MaxIDLen), "shorten the ID")
		}
		if len(r.Origins) == 0 || len(r.Methods) == 0 {
			add("", "storage-rule-never-matches", severity.Medium, rule+" lists no origin or no method: it matches nothing ("+name+" may refuse it)", "list the origins and methods, or remove the rule")
		}
		if s == buckets.Azure && len(r.Origins) > buckets.AzureMaxOrigins {
			add("", "storage-limit", severity.High, fmt.Sprintf("%s: %d origins; Azure Storage takes at most %d per rule", rule, len(r.Origins), buckets.AzureMaxOrigins), "split the origins over several rules (5 at most)")
		}
		for _, o := range r.Origins {
			out = append(out, storageOrigin(file, loc, s, rule, o)...)
		}
		for _, m := range r.Methods {
			accepted := map[buckets.Service][]string{buckets.S3: buckets.S3Methods, buckets.Azure: buckets.AzureMethods}[s]
			switch {
			case s == buckets.Azure && slices.Contains(buckets.AzureManagementOnlyMethods, m):
				add(m, "storage-method-unsupported", severity.Low, fmt.Sprintf("%s: method %s: the Blob service's REST API documents only %s for CORS rules; the management API takes %s, so set these rules through it (az storage account blob-service-properties update)", rule, m, strings.Join(accepted, ", "), m), "set the rules through the management API, or remove "+m)
			case accepted != nil && !slices.Contains(accepted, m):
				add(m, "storage-method-unsupported", severity.High, fmt.Sprintf("%s: method %s; %s accepts only %s and refuses the configuration", rule, m, name, strings.Join(accepted, ", ")), "remove "+m)
			}
		}
		if s == buckets.Azure {
			for _, l := range [][]string{r.Headers, r.Expose} {
				prefixed := 0
				for _, h := range l {
					if strings.HasSuffix(h, "*") && h != "*" {
						prefixed++
					}
				}
				if prefixed > buckets.AzureMaxPrefixHeaders || len(l)-prefixed > buckets.AzureMaxLiteralHeaders {
					add("", "storage-limit", severity.High, fmt.Sprintf("%s: %d headers, %d of them prefixes; Azure Storage takes at most %d and %d", rule, len(l), prefixed, buckets.AzureMaxLiteralHeaders, buckets.AzureMaxPrefixHeaders), "list fewer headers")
				}
			}
		}
		if s == buckets.S3 && slices.Contains(r.Methods, "PUT") {
			// Every part of a multipart upload, and a presigned upload, is a
			// PUT; a rule lists POST for the simple requests it allows.
			if !slices.ContainsFunc(r.Expose, func(h string) bool { return strings.EqualFold(h, "ETag") }) {
				add("", "s3-upload-etag-hidden", severity.Low, rule+" allows PUT but does not expose ETag: a browser multipart upload (the AWS SDK's, Uppy's) PUTs each part and reads its ETag, and fails", "add ETag to ExposeHeaders")
			}
			if !slices.ContainsFunc(r.Headers, func(h string) bool { return buckets.HeaderMatches(s, h, "content-type") }) {
				add("", "s3-upload-content-type", severity.Low, rule+" allows PUT but not the Content-Type header: a presigned PUT from a browser sends Content-Type (any file but text/plain) and its preflight is refused", "add Content-Type to AllowedHeaders")
			}
		}
		if j, ok := shadowedBy(reviewed, i); ok {
			add("", "storage-rule-shadowed", severity.Medium, fmt.Sprintf("%s never answers: rule %d above it matches every request it would (%s takes the first match), so its headers and max-age never apply", rule, j+1, name), fmt.Sprintf("move rule %d above rule %d, or merge them", i+1, j+1))
		}
	}
	return out
}

// storageOrigin reviews one allowed-origin entry.
func storageOrigin(file string, loc *locator, s buckets.Service, rule, o string) []Finding {
	line, col := loc.find(o)
	f := func(id string, sev Severity, msg, fix string) []Finding {
		return []Finding{newFinding(file, line, col, id, sev, msg, fix)}
	}
	stars := strings.Count(o, "*")
	switch {
	case o == "*":
		return f("storage-any-origin", severity.Medium, rule+": every site may read what this rule serves; on a private bucket any page holding a presigned URL or SAS token can read the object and its exposed headers", "list the origins of your pages")
	case stars > 0 && s != buckets.S3:
		return f("storage-wildcard-origin-unsupported", severity.High, fmt.Sprintf("%s: origin %q: %s takes * only alone, so this entry never matches", rule, o, s.Title()), "list the origins, e.g. https://app.example.com")
	case stars > 1:
		return f("storage-wildcard-origin-unsupported", severity.High, fmt.Sprintf("%s: origin %q has %d *; S3 takes one per origin and refuses the configuration", rule, o, stars), "keep one *, or list the origins")
	case stars == 1 && strings.HasPrefix(o, "*") && len(o) > 1:
		return f("storage-wildcard-origin-broad", severity.High, fmt.Sprintf("%s: origin %q starts with *: it matches every origin that ends so, whatever its scheme and host (https://evil%s)", rule, o, strings.TrimPrefix(o, "*")), "write scheme://*.domain, e.g. https://*.example.com")
	case !strings.Contains(o, "://") && o != "null":
		return f("storage-rule-never-matches", severity.Medium, fmt.Sprintf("%s: origin %q has no scheme: a browser's Origin always starts with one, so it never matches", rule, o), "write https://"+strings.TrimPrefix(o, "*"))
	case hasPath(o):
		return f("storage-rule-never-matches", severity.Medium, fmt.Sprintf("%s: origin %q has a path: a browser's Origin is scheme://host[:port] and never has one, so it never matches", rule, o), "write "+withoutPath(o))
	case stars == 1 && strings.HasSuffix(o, "*") && !strings.HasSuffix(o, ":*"):
		return f("storage-wildcard-origin-broad", severity.High, fmt.Sprintf("%s: origin %q ends in *: it matches any host that starts so (%s.evil.test)", rule, o, strings.TrimSuffix(o, "*")), "put the * on the left (https://*.example.com) or list the origins")
	}
	if msg, fix, ok := plainHTTPOrigin(o); ok {
		return f("http-origin", severity.Medium, rule+": "+msg, fix)
	}
	return nil
}

// hasPath reports whether an allowed origin holds a "/" after its scheme:
// a path, or a trailing "/".
func hasPath(o string) bool {
	_, rest, ok := strings.Cut(o, "://")
	return ok && strings.Contains(rest, "/")
}

// withoutPath is o without its path.
func withoutPath(o string) string {
	scheme, rest, _ := strings.Cut(o, "://")
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

// plainHTTPOrigin reports an allowed origin on plain http that is not
// loopback, with the finding's message and fix.
func plainHTTPOrigin(o string) (msg, fix string, ok bool) {
	p, err := origin.Parse(o)
	if err != nil || p.Kind == origin.Any || p.Kind == origin.Null || p.Scheme != "http" || p.IsLocal() {
		return "", "", false
	}
	return fmt.Sprintf("origin %q is plain http: anyone on the network path can inject script into it and read what it is allowed to", o), "serve the page over https and list https://" + p.Host, true
}

// shadowedBy reports whether an earlier rule answers every request rule i
// would: each of its origins and methods is matched by that rule, which
// allows at least its headers.
func shadowedBy(c buckets.Config, i int) (int, bool) {
	r := c.Rules[i]
	if len(r.Origins) == 0 || len(r.Methods) == 0 {
		return 0, false
	}
	for j := range i {
		e := c.Rules[j]
		covers := func(o string) bool {
			return slices.ContainsFunc(e.Origins, func(p string) bool { return p == o || buckets.OriginCovers(c.Service, p, o) })
		}
		headersCovered := !slices.ContainsFunc(r.Headers, func(h string) bool {
			return !slices.ContainsFunc(e.Headers, func(p string) bool { return buckets.HeaderCovers(c.Service, p, h) })
		})
		if !slices.ContainsFunc(r.Origins, func(o string) bool { return !covers(o) }) &&
			!slices.ContainsFunc(r.Methods, func(m string) bool { return !slices.Contains(e.Methods, m) && !slices.Contains(e.Methods, "*") }) &&
			headersCovered {
			return j, true
		}
	}
	return 0, false
}
