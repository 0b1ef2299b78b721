package gen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/corskit/corskit/cors/unstable/origin"
	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/quote"
)

// This file holds what the targets for services whose code is not the
// user's (S3, Azure Blob Storage, Cloud Storage, the Gateway API,
// ingress-nginx) share: what each accepts as an origin, a method and a
// header, and the refusals that follow.

// wildcards says which origin patterns a service accepts besides exact
// origins and "*".
type wildcards int

const (
	// exactOnly: exact origins and "*" (Azure Blob Storage, Cloud Storage).
	exactOnly wildcards = iota
	// oneStar: one "*" anywhere in an origin, matching any characters (S3).
	oneStar
	// leftLabels: a "*." prefix on the host matching one or more labels;
	// no port wildcard (the Gateway API's CORSOrigin).
	leftLabels
	// oneLabel: a "*." prefix matching exactly one label (ingress-nginx).
	oneLabel
)

// serviceOrigins writes the plan's origins as service accepts them, with
// what it cannot express. With BestEffort the omitted origins are left out,
// except a pattern the service can narrow (ingress-nginx's one-label
// wildcard), which is written narrowed.
func serviceOrigins(p *plan, service string, w wildcards) (out []string, omitted []Omission) {
	if p.any {
		return []string{"*"}, nil
	}
	for _, pat := range p.origins {
		port := ""
		if pat.Port != "" {
			port = ":" + pat.Port
		}
		switch {
		case pat.Kind == origin.Null:
			if w == leftLabels || w == oneLabel {
				omitted = append(omitted, Omission{"origin null", service + " accepts only scheme://host[:port] origins"})
				continue
			}
			out = append(out, "null")
		case pat.Kind == origin.Exact && pat.Port != "*":
			out = append(out, pat.Scheme+"://"+pat.Host+port)
		case pat.Kind == origin.Exact && w == oneStar:
			out = append(out, pat.Scheme+"://"+pat.Host+":*")
		case pat.Kind == origin.Subdomains && pat.Port != "*" && (w == oneStar || w == leftLabels):
			out = append(out, pat.Scheme+"://*."+pat.Host+port)
		case pat.Kind == origin.Subdomains && pat.Port != "*" && w == oneLabel:
			omitted = append(omitted, Omission{"origin " + pat.String(), service + "'s *. matches one label (a.example.com, not a.b.example.com); best effort writes it as that narrower pattern"})
			out = append(out, pat.Scheme+"://*."+pat.Host+port)
		case pat.Kind == origin.Regexp:
			omitted = append(omitted, Omission{"origin " + pat.String(), service + " matches origins without regular expressions; list the origins"})
		case pat.Kind == origin.Subdomains && pat.Port == "*" && w == oneStar:
			omitted = append(omitted, Omission{"origin " + pat.String(), service + " allows one * per origin; list the ports or the subdomains"})
		case pat.Port == "*":
			omitted = append(omitted, Omission{"origin " + pat.String(), service + " has no port wildcard; list the ports"})
		default:
			omitted = append(omitted, Omission{"origin " + pat.String(), service + " accepts only exact origins and *; list the subdomains"})
		}
	}
	return out, omitted
}

// serviceMethods returns the methods a service's rule lists: GET, HEAD and
// POST (a rule must list the methods of simple requests too) and the
// policy's, those outside accepted omitted. allowed nil accepts any method.
// A policy's * becomes every accepted method when star is "", else star.
func serviceMethods(p *plan, service string, accepted []string, star string) (out []string, omitted []Omission) {
	if p.anyMethod {
		if star != "" {
			return []string{star}, nil
		}
		return slices.Clone(accepted), []Omission{{"allow_methods: *", service + " has no * for methods and accepts only " + join(accepted) + "; best effort writes those"}}
	}
	for _, m := range p.allMethods() {
		if accepted != nil && !slices.Contains(accepted, m) {
			why := service + " accepts only " + join(accepted)
			if slices.Contains(buckets.AzureManagementOnlyMethods, m) && service == buckets.Azure.Title() {
				why = "the Blob service's REST API documents only " + join(accepted) + " (the management API takes " + m + ": az storage account blob-service-properties update --cors-rules)"
			}
			omitted = append(omitted, Omission{"method " + m, why})
			continue
		}
		out = append(out, m)
	}
	return out, omitted
}

// serviceHeaders returns the allowed request headers, with "*" standing
// for the policy's * only where Authorization is listed by name: a
// service's * lets Authorization through, the policy's does not.
func serviceHeaders(p *plan, service string, star bool) (out []string, omitted []Omission) {
	if !p.anyHeader {
		return slices.Clone(p.headers), nil
	}
	if star && p.authListed() {
		return []string{"*"}, nil
	}
	why := service + " has no * for request headers; list them"
	if star {
		why = service + "'s * lets Authorization through, the policy's * does not (unless listed by name); list the headers, or list Authorization too"
	}
	return slices.Clone(p.headers), []Omission{{"allow_headers: *", why}}
}

// serviceLimits are the policy parts no service expresses.
func serviceLimits(p *plan, service string) []Omission {
	var out []Omission
	if p.privateNetwork {
		out = append(out, Omission{"allow_private_network", service + " does not answer Access-Control-Request-Private-Network"})
	}
	if p.passthrough {
		out = append(out, Omission{"preflight_passthrough", service + " answers preflights itself"})
	}
	return out
}

// xmlComment writes the lines of a header comment (as header writes them
// with "#") as one XML comment, each quoted by quote.XMLComment.
func xmlComment(lines string) string {
	var b strings.Builder
	b.WriteString("<!--\n")
	for l := range strings.SplitSeq(strings.TrimRight(lines, "\n"), "\n") {
		l = strings.TrimPrefix(strings.TrimPrefix(l, "#"), " ")
		fmt.Fprintf(&b, "  %s\n", quote.XMLComment(l))
	}
	b.WriteString("-->\n")
	return b.String()
}

// heredoc returns the body of the first quoted here-document (<<'EOF')
// of a generated shell script.
func heredoc(script string) (string, error) {
	_, rest, ok := strings.Cut(script, "<<'EOF'\n")
	if !ok {
		return "", fmt.Errorf("no <<'EOF' here-document")
	}
	body, _, ok := strings.Cut(rest, "\nEOF\n")
	if !ok {
		return "", fmt.Errorf("the here-document has no EOF line")
	}
	return body, nil
}
