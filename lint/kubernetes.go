package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/internal/kubecors"
	"github.com/corskit/corskit/internal/severity"
)

// kubeKind returns the kind of the first Kubernetes object in a YAML file
// that lint reads (HTTPRoute or Ingress), or "".
func kubeKind(data []byte) string {
	if m := kindLine.FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return ""
}

// kindLine finds the first object's kind when it is one lint reads.
var kindLine = regexp.MustCompile(`(?m)^kind:\s*(HTTPRoute|Ingress)\s*$`)

// lintKubernetes reviews the CORS of every HTTPRoute (the Gateway API's
// CORS filter) and Ingress (ingress-nginx's annotations) in a YAML file.
func lintKubernetes(file string, data []byte) []Finding {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []Finding
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			return append(out, newFinding(file, 1, 1, "yaml-invalid", severity.High, "the file is not YAML: "+err.Error(), "fix the YAML syntax"))
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		kind := valueNode(root, "kind")
		switch {
		case kind == nil:
		case kind.Value == "HTTPRoute":
			for _, r := range items(valueNode(root, "spec"), "rules") {
				for _, f := range items(r, "filters") {
					if t := valueNode(f, "type"); t != nil && t.Value == "CORS" {
						out = append(out, lintCORSFilter(file, valueNode(f, "cors"))...)
					}
				}
			}
		case kind.Value == "Ingress":
			out = append(out, lintIngressAnnotations(file, valueNode(valueNode(root, "metadata"), "annotations"))...)
		}
	}
}

// lintCORSFilter reviews one HTTPCORSFilter.
func lintCORSFilter(file string, cors *yaml.Node) []Finding {
	if cors == nil {
		return nil
	}
	var out []Finding
	at := func(n *yaml.Node, rule string, sev Severity, msg, fix string) {
		out = append(out, newFinding(file, n.Line, n.Column, rule, sev, msg, fix))
	}
	creds := valueNode(cors, "allowCredentials")
	credentialed := creds != nil && creds.Value == "true"
	for _, list := range []string{"allowOrigins", "allowMethods", "allowHeaders"} {
		vals := items(cors, list)
		for _, n := range vals {
			if n.Value == "*" && len(vals) > 1 {
				at(n, "gateway-star-beside-others", severity.High, list+" has * beside other entries: the API server refuses the HTTPRoute", "keep * alone, or remove it")
			}
		}
	}
	for _, n := range items(cors, "allowOrigins") {
		o := n.Value
		switch {
		case o == "*" && credentialed:
			at(n, "gateway-any-origin-credentials", severity.High, "allowOrigins * with allowCredentials: true: the gateway answers every origin with itself and credentials, so any site can read your users' data", "list the origins")
		case o == "*":
			at(n, "gateway-any-origin", severity.Info, "allowOrigins *: every site may read the responses (without credentials)", "list the origins unless the API is public")
		case !kubecors.GatewayOrigin.MatchString(o):
			at(n, "gateway-origin-invalid", severity.High, fmt.Sprintf("origin %q is not a CORSOrigin (http or https, a host, an optional port; no path, no trailing /, no IPv6): the API server refuses the HTTPRoute", o), "write scheme://host[:port], e.g. https://app.example.com")
		default:
			if msg, fix, ok := plainHTTPOrigin(o); ok {
				at(n, "http-origin", severity.Medium, msg, fix)
			}
		}
	}
	for _, n := range items(cors, "allowMethods") {
		if n.Value != "*" && !slices.Contains(kubecors.GatewayMethods, n.Value) {
			at(n, "gateway-method-invalid", severity.High, fmt.Sprintf("method %q is not one the filter takes (%s, or *): the API server refuses the HTTPRoute", n.Value, strings.Join(kubecors.GatewayMethods, ", ")), "use an upper-case RFC 9110 method")
		}
	}
	for _, n := range items(cors, "allowHeaders") {
		if n.Value == "*" && credentialed {
			at(n, "gateway-any-header-credentials", severity.Medium, "allowHeaders * with credentials: the gateway echoes every requested header, Authorization included", "list the headers")
		}
	}
	if n := valueNode(cors, "maxAge"); n != nil {
		if v, err := strconv.Atoi(n.Value); err == nil && v > 7200 {
			at(n, "max-age-capped", severity.Info, fmt.Sprintf("maxAge %d: Chromium caps the preflight cache at 7200 s, so a change takes up to 2 hours to reach Chromium users and up to %d s others", v, v), "use 7200 or less")
		}
	}
	return out
}

// lintIngressAnnotations reviews ingress-nginx's CORS annotations.
func lintIngressAnnotations(file string, ann *yaml.Node) []Finding {
	if ann == nil {
		return nil
	}
	const prefix = kubecors.IngressPrefix
	enable := valueNode(ann, prefix+"enable-cors")
	if enable == nil || enable.Value != "true" {
		return nil
	}
	var out []Finding
	at := func(n *yaml.Node, rule string, sev Severity, msg, fix string) {
		out = append(out, newFinding(file, n.Line, n.Column, rule, sev, msg, fix))
	}
	for _, name := range []string{"cors-allow-origin", "cors-allow-credentials", "cors-allow-headers"} {
		if valueNode(ann, prefix+name) == nil {
			at(enable, "ingress-cors-default", severity.Medium, fmt.Sprintf("enable-cors without %s: ingress-nginx uses its default, %s", name, kubecors.IngressDefaults[name]), "write "+prefix+name+" explicitly (corskit gen ingress-nginx writes every one)")
		}
	}
	if valueNode(ann, prefix+"cors-max-age") == nil {
		at(enable, "max-age-capped", severity.Info, "enable-cors without cors-max-age: ingress-nginx sends 1728000 (20 days); Chromium caps it at 7200 s, Firefox at 86400 s, so a change takes a day to reach Firefox users", "write cors-max-age, 7200 or less")
	}
	for _, name := range slices.Sorted(maps.Keys(kubecors.IngressAccepts)) {
		re := kubecors.IngressAccepts[name]
		n := valueNode(ann, prefix+name)
		if n != nil && !re.MatchString(strings.ReplaceAll(n.Value, " ", "")) {
			def := kubecors.IngressDefaults[name]
			if def == "" {
				def = "nothing"
			}
			at(n, "ingress-annotation-refused", severity.High, fmt.Sprintf("ingress-nginx's parser refuses %s %q and falls back to its default: %s", name, n.Value, def), "write what the annotation takes (letters, digits, - and _ for headers; scheme://[*.]host[:port] for origins)")
		}
	}
	if n := valueNode(ann, prefix+"cors-allow-origin"); n != nil {
		creds := valueNode(ann, prefix+"cors-allow-credentials")
		credentialed := creds == nil || creds.Value == "true"
		for o := range strings.SplitSeq(n.Value, ",") {
			o = strings.TrimSpace(o)
			switch {
			case o == "":
			case o == "*" && credentialed:
				at(n, "ingress-any-origin", severity.Medium, "cors-allow-origin * with credentials (the default): every site may read uncredentialed responses, and credentials are sent to no one (browsers refuse * with credentials)", "list the origins")
			case o != "*" && o != "null" && !strings.Contains(o, "://"):
				at(n, "ingress-origin-without-scheme", severity.High, fmt.Sprintf("origin %q has no scheme: ingress-nginx matches it at the end of the Origin only, so https://evil%s is allowed", o, o), "write https://"+o)
			case strings.Contains(o, "*."):
				at(n, "ingress-one-label-wildcard", severity.Info, fmt.Sprintf("origin %q: ingress-nginx's * matches one label (a.example.com, not a.b.example.com)", o), "list deeper subdomains too")
			default:
				if msg, fix, ok := plainHTTPOrigin(o); ok {
					at(n, "http-origin", severity.Medium, msg, fix)
				}
			}
		}
	}
	return out
}
