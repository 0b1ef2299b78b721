package gen

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/internal/kubecors"
	"github.com/corskit/corskit/internal/quote"
)

// This file writes CORS for Kubernetes: an HTTPRoute with the Gateway API's
// CORS filter, and an Ingress with ingress-nginx's CORS annotations.

// gatewayFilter is the policy as an HTTPCORSFilter's fields, with what the
// filter cannot express.
type gatewayFilter struct {
	origins, methods, headers, expose []string
	credentials                       bool
	maxAge                            string
}

func gatewayPlan(p *plan) (gatewayFilter, []Omission) {
	const name = "the Gateway API's CORS filter"
	omitted := serviceLimits(p, name)
	f := gatewayFilter{credentials: p.credentials, expose: p.expose, maxAge: p.maxAge}
	var om []Omission
	f.origins, om = serviceOrigins(p, name, leftLabels)
	omitted = append(omitted, om...)
	f.methods, om = serviceMethods(p, name, kubecors.GatewayMethods, "*")
	omitted = append(omitted, om...)
	f.headers, om = serviceHeaders(p, name, true)
	omitted = append(omitted, om...)
	if f.maxAge == "0" {
		omitted = append(omitted, Omission{"max_age: -1", "maxAge is at least 1 second; best effort writes 1"})
		f.maxAge = "1"
	}
	for _, l := range []struct {
		part string
		vals []string
	}{{"allow_origins", f.origins}, {"allow_headers", f.headers}, {"expose_headers", f.expose}} {
		if len(l.vals) > kubecors.GatewayMaxItems {
			omitted = append(omitted, Omission{l.part, fmt.Sprintf("%s takes at most %d (%d given)", name, kubecors.GatewayMaxItems, len(l.vals))})
		}
	}
	f.origins = slices.DeleteFunc(f.origins, func(o string) bool {
		if kubecors.GatewayOrigin.MatchString(o) {
			return false
		}
		omitted = append(omitted, Omission{"origin " + o, name + " takes http or https origins with a DNS name or an IPv4 address (no IPv6, no null)"})
		return true
	})
	for _, o := range f.origins {
		if len(o) > kubecors.GatewayMaxOriginLen {
			omitted = append(omitted, Omission{"origin " + o, fmt.Sprintf("%s takes origins of at most %d characters", name, kubecors.GatewayMaxOriginLen)})
		}
	}
	if len(f.origins) == 0 {
		omitted = append(omitted, Omission{noOriginLeft, name + " can express none of the policy's origins"})
	}
	return f, omitted
}

func yamlList(indent string, vals []string) string {
	var b strings.Builder
	for _, v := range vals {
		fmt.Fprintf(&b, "%s- %s\n", indent, quote.YAML(v))
	}
	return b.String()
}

func writeGatewayAPI(p *plan, o Options, omitted []Omission) string {
	f, _ := gatewayPlan(p)
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Kubernetes Gateway API: an HTTPRoute whose rule answers CORS with the CORS filter (Standard channel since Gateway API v1.5). kubectl apply -f this.yaml, with your Gateway and Service names."))
	b.WriteString("# The Gateway answers preflights itself and adds the CORS headers to the backend's responses.\n")
	b.WriteString("# allowMethods: GET, HEAD and POST are always allowed; they are listed for gateways that read the list literally.\n")
	if !p.any && p.credentials {
		b.WriteString("# Every origin named is answered with itself in Access-Control-Allow-Origin, with credentials.\n")
	}
	if f.maxAge == "" {
		b.WriteString("# No maxAge: the filter's default, 5 seconds (the browsers' own default).\n")
	}
	b.WriteString("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: api\nspec:\n  parentRefs:\n    - name: gateway # your Gateway\n  rules:\n    - matches:\n        - path:\n            type: PathPrefix\n            value: /\n")
	b.WriteString("      # BEGIN corskit CORS: in each rule of the HTTPRoute that serves the API, at the level of matches and backendRefs\n")
	b.WriteString("      filters:\n        - type: CORS\n          cors:\n")
	b.WriteString("            allowOrigins:\n" + yamlList("              ", f.origins))
	b.WriteString("            allowMethods:\n" + yamlList("              ", f.methods))
	if len(f.headers) > 0 {
		b.WriteString("            allowHeaders:\n" + yamlList("              ", f.headers))
	}
	if len(f.expose) > 0 {
		b.WriteString("            exposeHeaders:\n" + yamlList("              ", f.expose))
	}
	if f.credentials {
		b.WriteString("            allowCredentials: true\n")
	}
	if f.maxAge != "" {
		fmt.Fprintf(&b, "            maxAge: %s\n", f.maxAge)
	}
	b.WriteString("      # END corskit CORS\n")
	b.WriteString("      backendRefs:\n        - name: api # your Service\n          port: 80\n")
	return b.String()
}

// ingress-nginx annotations. Its defaults are not the browsers': without
// cors-allow-credentials it sends credentials (true), without cors-max-age
// a 20-day cache (1728000), so gen always writes both.
// ingressNoHeader stands for an empty allowed-headers list.
const ingressNoHeader = "X-Corskit-No-Header"

func ingressPlan(p *plan) (map[string]string, []Omission) {
	const name = "ingress-nginx"
	omitted := serviceLimits(p, name)
	origins, om := serviceOrigins(p, name, oneLabel)
	omitted = append(omitted, om...)
	methods, om := serviceMethods(p, name, nil, "")
	omitted = append(omitted, om...)
	if p.anyMethod {
		omitted = append(omitted, Omission{"allow_methods: *", name + "'s cors-allow-methods takes method names only; list them"})
		methods = p.allMethods()
	}
	methods = slices.DeleteFunc(methods, func(m string) bool {
		if ingressMethod.MatchString(m) {
			return false
		}
		omitted = append(omitted, Omission{"method " + m, name + " takes method names of letters only, and falls back to its own list otherwise"})
		return true
	})
	hdrs, om := serviceHeaders(p, name, false)
	omitted = append(omitted, om...)
	origins = slices.DeleteFunc(origins, func(o string) bool {
		if kubecors.IngressOriginEntry.MatchString(o) {
			return false
		}
		omitted = append(omitted, Omission{"origin " + o, name + " reads origins as scheme://host[:port] with a DNS name or IPv4 address (no IPv6)"})
		return true
	})
	expose := slices.Clone(p.expose)
	for _, l := range []struct {
		annotation string
		list       *[]string
	}{{"cors-allow-headers", &hdrs}, {"cors-expose-headers", &expose}} {
		*l.list = slices.DeleteFunc(*l.list, func(h string) bool {
			if kubecors.IngressAccepts[l.annotation].MatchString(h) {
				return false
			}
			omitted = append(omitted, Omission{"header " + h, name + " takes header names of letters, digits, - and _ only, and falls back to its own list otherwise"})
			return true
		})
	}
	if len(hdrs) == 0 {
		// An empty or missing cors-allow-headers is ingress-nginx's own list,
		// Authorization among them: name a header no browser sends instead.
		hdrs = []string{ingressNoHeader}
	}
	if len(origins) == 0 {
		omitted = append(omitted, Omission{noOriginLeft, name + " can express none of the policy's origins"})
	}
	a := map[string]string{
		"enable-cors": "true",
		// No spaces: ingress-nginx's validation of the list refuses them.
		"cors-allow-origin":      strings.Join(origins, ","),
		"cors-allow-methods":     strings.Join(slices.DeleteFunc(methods, func(m string) bool { return m == "OPTIONS" }), ", "),
		"cors-allow-credentials": fmt.Sprint(p.credentials),
		"cors-max-age":           cmp.Or(p.maxAge, "5"),
		"cors-allow-headers":     strings.Join(hdrs, ", "),
	}
	if len(expose) > 0 {
		a["cors-expose-headers"] = strings.Join(expose, ", ")
	}
	return a, omitted
}

// ingressMethod is a method cors-allow-methods keeps.
var ingressMethod = regexp.MustCompile(`^[A-Za-z]+$`)

// ingressOrder is the order annotations are written in.
var ingressOrder = []string{"enable-cors", "cors-allow-origin", "cors-allow-methods", "cors-allow-headers", "cors-expose-headers", "cors-allow-credentials", "cors-max-age"}

func writeIngressNginx(p *plan, o Options, omitted []Omission) string {
	a, _ := ingressPlan(p)
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, "Kubernetes Ingress for ingress-nginx: CORS by annotations. kubectl apply -f this.yaml, with your host and Service names."))
	b.WriteString("# ingress-nginx answers preflights itself (204) and adds the headers to every response; an origin not listed gets no Access-Control-Allow-Origin.\n")
	b.WriteString("# cors-allow-credentials and cors-max-age are always written: ingress-nginx's defaults are true and 1728000 (20 days).\n")
	if a["cors-allow-headers"] == ingressNoHeader {
		b.WriteString("# cors-allow-headers names a header no browser sends: the policy allows none, and without it (or empty) ingress-nginx allows its own list, Authorization included.\n")
	}
	b.WriteString("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n")
	b.WriteString("    # BEGIN corskit CORS: in metadata.annotations of the Ingress that serves the API\n")
	for _, k := range ingressOrder {
		if v, ok := a[k]; ok {
			fmt.Fprintf(&b, "    %s%s: %s\n", kubecors.IngressPrefix, k, quote.YAML(v))
		}
	}
	b.WriteString("    # END corskit CORS\n")
	b.WriteString("spec:\n  ingressClassName: nginx\n  rules:\n    - http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: api # your Service\n                port:\n                  number: 80\n")
	return b.String()
}

func ingressLimits(p *plan) []Omission {
	_, omitted := ingressPlan(p)
	return omitted
}

func gatewayLimits(p *plan) []Omission {
	_, omitted := gatewayPlan(p)
	return omitted
}

// checkYAML parses a Kubernetes output as YAML.
func checkYAML(out, _ string) error {
	var doc map[string]any
	return yaml.Unmarshal([]byte(out), &doc)
}
