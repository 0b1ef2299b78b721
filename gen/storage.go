package gen

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/quote"
)

// This file writes the CORS rules of the storage services: Amazon S3, Azure
// Blob Storage and Google Cloud Storage. Each gets one rule holding the
// policy; what the service cannot say is refused (or left out with
// --best-effort) by storageRules.

// storageRules is the policy as one rule of service s, with what s cannot
// express.
func storageRules(p *plan, s buckets.Service) (buckets.Config, []Omission) {
	name := s.Title()
	var (
		w        = exactOnly
		accepted []string
		star     string
	)
	switch s {
	case buckets.S3:
		w, accepted = oneStar, buckets.S3Methods
	case buckets.Azure:
		accepted = buckets.AzureMethods
	case buckets.GCS:
		star = "*"
	}
	omitted := serviceLimits(p, name)
	origins, om := serviceOrigins(p, name, w)
	omitted = append(omitted, om...)
	methods, om := serviceMethods(p, name, accepted, star)
	omitted = append(omitted, om...)
	hdrs, om := serviceHeaders(p, name, s != buckets.GCS)
	omitted = append(omitted, om...)
	hdrs, om = literalNames(s, "allow_headers", hdrs, false)
	omitted = append(omitted, om...)
	expose, om := literalNames(s, "expose_headers", p.expose, true)
	omitted = append(omitted, om...)
	if s == buckets.GCS && p.credentials {
		omitted = append(omitted, Omission{"allow_credentials", "Cloud Storage's CORS configuration has no credentials setting and never sends Access-Control-Allow-Credentials; authenticate with signed URLs or an Authorization header, not cookies"})
	}
	r := buckets.Rule{Origins: origins, Methods: methods, Headers: hdrs, Expose: expose}
	if s == buckets.S3 {
		r.ID = "corskit"
	}
	if p.maxAge != "" {
		age, _ := strconv.Atoi(p.maxAge)
		r.MaxAge = &age
	} else if s == buckets.Azure {
		five := 5 // Azure needs a value: the browsers' own default
		r.MaxAge = &five
	}
	c := buckets.Config{Service: s}
	if s == buckets.Azure {
		// Azure lists at most 64 origins per rule and 5 rules.
		for i := 0; i < len(origins) || i == 0; i += buckets.AzureMaxOrigins {
			part := r
			part.Origins = origins[i:min(i+buckets.AzureMaxOrigins, len(origins))]
			c.Rules = append(c.Rules, part)
		}
		omitted = append(omitted, azureLimits(c)...)
	} else {
		c.Rules = []buckets.Rule{r}
	}
	if len(origins) == 0 {
		omitted = append(omitted, Omission{noOriginLeft, name + " can express none of the policy's origins"})
	}
	return c, omitted
}

// literalNames keeps the header names of l that service s reads as the
// policy does: the policy reads a "*" inside a name as a character, S3 and
// Azure as a wildcard, which would widen the rule.
func literalNames(s buckets.Service, part string, l []string, exposed bool) (out []string, omitted []Omission) {
	for _, h := range l {
		if !s.ReadsStar(h, exposed) {
			out = append(out, h)
			continue
		}
		omitted = append(omitted, Omission{part + ": " + h, fmt.Sprintf("%s reads the * in %q as a wildcard, so the rule would allow headers the policy refuses; the policy reads * inside a name as one character (as the middleware and the other targets do): list the headers by name", s.Title(), h)})
	}
	return out, omitted
}

// noOriginLeft is the part of an omission that even --best-effort cannot
// pass over: a rule without origins allows nothing.
const noOriginLeft = "allow_origins"

// azureLimits are Azure's documented limits on a set of rules.
func azureLimits(c buckets.Config) []Omission {
	var out []Omission
	if len(c.Rules) > buckets.AzureMaxRules {
		out = append(out, Omission{"the number of origins", fmt.Sprintf("Azure Blob Storage takes at most %d rules of %d origins (%d origins); use * or fewer origins", buckets.AzureMaxRules, buckets.AzureMaxOrigins, buckets.AzureMaxRules*buckets.AzureMaxOrigins)})
	}
	r := c.Rules[0]
	for _, l := range [][]string{r.Origins, r.Headers, r.Expose} {
		for _, v := range l {
			if len(v) > buckets.AzureMaxLen {
				out = append(out, Omission{v[:40] + "...", fmt.Sprintf("Azure Blob Storage takes origins and headers of at most %d characters", buckets.AzureMaxLen)})
			}
		}
	}
	for name, l := range map[string][]string{"allow_headers": r.Headers, "expose_headers": r.Expose} {
		if len(l) > buckets.AzureMaxLiteralHeaders {
			out = append(out, Omission{name, fmt.Sprintf("Azure Blob Storage takes at most %d headers per list (%d given)", buckets.AzureMaxLiteralHeaders, len(l))})
		}
	}
	if n := c.AzureSize(); n > buckets.AzureMaxChars {
		out = append(out, Omission{"the rules", fmt.Sprintf("Azure Blob Storage takes at most %d characters of CORS rules, tags aside (these are %d); use fewer origins or headers", buckets.AzureMaxChars, n)})
	}
	return out
}

// storageNotes are the comment lines every storage output carries: how the
// service answers, where it differs from the policy.
func storageNotes(p *plan, s buckets.Service) []string {
	var notes []string
	switch s {
	case buckets.S3, buckets.Azure:
		notes = append(notes, s.Title()+" answers with the first rule that matches the origin, the method and every requested header: a rule above this one that matches wins.")
		if !p.any && !p.credentials {
			notes = append(notes, s.Title()+" sends Access-Control-Allow-Credentials: true to every origin a rule names; that cannot be turned off (with * it sends neither).")
		}
	case buckets.GCS:
		notes = append(notes, "Cloud Storage answers with the first entry that matches the origin, the method and the requested headers, and only on storage.googleapis.com (not on storage.cloud.google.com, the browser download endpoint).")
		notes = append(notes, "responseHeader is both the request headers allowed and the response headers exposed: the policy's two lists are written together.")
	}
	if s == buckets.S3 {
		notes = append(notes, "A browser upload in parts (multipart, as the AWS SDK does) reads ETag: expose it; a presigned PUT sends Content-Type: allow it.")
	}
	return notes
}

func storageLimits(s buckets.Service) func(p *plan) []Omission {
	return func(p *plan) []Omission {
		_, omitted := storageRules(p, s)
		return omitted
	}
}

func writeStorage(s buckets.Service) func(p *plan, o Options, omitted []Omission) string {
	return func(p *plan, o Options, omitted []Omission) string {
		c, _ := storageRules(p, s)
		var what string
		switch s {
		case buckets.S3:
			what = map[string]string{
				"sh":   "Amazon S3: a script that sets the bucket's CORS rules (aws s3api put-bucket-cors); run it with BUCKET=name.",
				"json": "Amazon S3: the CORS configuration for aws s3api put-bucket-cors --bucket NAME --cors-configuration file://this.json.",
				"xml":  "Amazon S3: the CORS configuration as the PutBucketCors API takes it (PUT /?cors).",
			}[o.Format]
		case buckets.Azure:
			what = map[string]string{
				"xml": "Azure Blob Storage: the body of Set Blob Service Properties (PUT https://ACCOUNT.blob.core.windows.net/?restype=service&comp=properties). It replaces the service's CORS rules and keeps its other properties.",
				"sh":  "Azure Blob Storage: a script that sets the Blob service's CORS rules with the Azure CLI; run it with ACCOUNT=name.",
			}[o.Format]
		case buckets.GCS:
			what = map[string]string{
				"sh":   "Google Cloud Storage: a script that sets the bucket's CORS configuration (gcloud storage buckets update --cors-file); run it with BUCKET=name.",
				"json": "Google Cloud Storage: the CORS file for gcloud storage buckets update gs://NAME --cors-file=this.json.",
			}[o.Format]
		}
		head := header("#", quote.Comment, o, omitted, what)
		for _, n := range storageNotes(p, s) {
			head += "# " + n + "\n"
		}
		switch o.Format {
		case "json":
			// JSON holds no comments: the output is the file alone, and the
			// notes are for the documentation.
			if s == buckets.S3 {
				return c.ToS3().JSON()
			}
			return buckets.GCSJSON(c.ToGCS())
		case "xml":
			var b strings.Builder
			b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
			b.WriteString(xmlComment(head))
			if s == buckets.S3 {
				fmt.Fprintf(&b, "<CORSConfiguration xmlns=%q>\n", buckets.S3Namespace)
				b.WriteString("  <!-- BEGIN corskit CORS: inside <CORSConfiguration>, with the rules you keep (PutBucketCors replaces them all) -->\n")
				b.WriteString(c.ToS3().XMLRules("  "))
				b.WriteString("  <!-- END corskit CORS -->\n</CORSConfiguration>\n")
				return b.String()
			}
			b.WriteString("<StorageServiceProperties>\n  <Cors>\n")
			b.WriteString("    <!-- BEGIN corskit CORS: inside <Cors>, with the rules you keep (at most 5; Set Blob Service Properties replaces them all) -->\n")
			b.WriteString(c.AzureXMLRules("    "))
			b.WriteString("    <!-- END corskit CORS -->\n  </Cors>\n</StorageServiceProperties>\n")
			return b.String()
		}
		return head + storageScript(c)
	}
}

// storageScript is the shell form: the service's own command line tool.
func storageScript(c buckets.Config) string {
	switch c.Service {
	case buckets.S3:
		return "set -eu\n# BEGIN corskit CORS: the bucket's CORS rules (put-bucket-cors replaces them all: add the rules you keep)\n" + c.Commands() + "# END corskit CORS\n"
	case buckets.GCS:
		return "set -eu\n# BEGIN corskit CORS: the bucket's CORS configuration (--cors-file replaces it all: add the entries you keep)\n" + c.Commands() + "# END corskit CORS\n"
	}
	return "set -eu\n: \"${ACCOUNT:?set ACCOUNT to the storage account name}\"\n" +
		"# The Blob service keeps rules added before: clear them first (or keep those you need, at most 5 in all).\n" +
		"az storage cors clear --services b --account-name \"$ACCOUNT\"\n" +
		"# BEGIN corskit CORS: the Blob service's CORS rules (az storage cors add appends one rule each)\n" + c.Commands() + "# END corskit CORS\n"
}

// checkStorage parses a storage output back as the service would.
func checkStorage(s buckets.Service) func(out, format string) error {
	return func(out, format string) error {
		data := out
		switch format {
		case "sh":
			if s == buckets.Azure {
				return nil // az's flags; the XML form is checked by the same rules
			}
			var err error
			if data, err = heredoc(out); err != nil {
				return err
			}
		case "xml":
			if err := xmlWellFormed(out); err != nil {
				return err
			}
		}
		c, err := buckets.Parse(s, []byte(data))
		if err != nil {
			return err
		}
		if len(c.Rules) == 0 {
			return fmt.Errorf("no rule")
		}
		return nil
	}
}

// xmlWellFormed reads every token of out.
func xmlWellFormed(out string) error {
	d := xml.NewDecoder(strings.NewReader(out))
	for {
		if _, err := d.Token(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}
