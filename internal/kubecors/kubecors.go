// Package kubecors holds what the Kubernetes CORS configurations accept,
// as their sources define it: the Gateway API's HTTPCORSFilter
// (sigs.k8s.io/gateway-api/apis/v1) and ingress-nginx's CORS annotations
// (its annotation parser, internal/ingress/annotations/cors). gen writes
// within these rules and lint reports what breaks them; gen's tests check
// the outputs against the official types and schema independently.
package kubecors

import "regexp"

// The Gateway API's CORS filter.
var (
	// GatewayOrigin is a CORSOrigin: *, or http(s)://[*.]name[:port] (no
	// IPv6, no null, no path).
	GatewayOrigin = regexp.MustCompile(`^(\*|https?://((\*\.)?([a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+|\*)(:[0-9]{1,5})?)$`)
	// GatewayMethods are the methods allowMethods takes besides *.
	GatewayMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)

// The filter's limits: items per list, characters per origin.
const (
	GatewayMaxItems     = 64
	GatewayMaxOriginLen = 253
)

// IngressPrefix starts every ingress-nginx annotation.
const IngressPrefix = "nginx.ingress.kubernetes.io/"

// IngressAccepts is what ingress-nginx's parser accepts for each list
// annotation, once it has removed the spaces; a value it refuses falls back
// to IngressDefaults.
var IngressAccepts = map[string]*regexp.Regexp{
	"cors-allow-origin":   regexp.MustCompile(`^((((([a-z]+://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)|null)+)|\*)?$`),
	"cors-allow-methods":  regexp.MustCompile(`^([A-Za-z]+,?\s?)+$`),
	"cors-allow-headers":  regexp.MustCompile(`^[A-Za-z0-9-_, ]+$`),
	"cors-expose-headers": regexp.MustCompile(`^(([A-Za-z0-9\-\_]+|\*),?\s?)+$`),
}

// IngressOriginEntry is what the parser keeps of each origin of
// cors-allow-origin (it skips the others).
var IngressOriginEntry = regexp.MustCompile(`^([a-z]+://(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*|null)?$`)

// IngressDefaults are ingress-nginx's values for annotations left out or
// refused.
var IngressDefaults = map[string]string{
	"cors-allow-origin":      "* (every site)",
	"cors-allow-headers":     "DNT, Keep-Alive, User-Agent, X-Requested-With, If-Modified-Since, Cache-Control, Content-Type, Range, Authorization",
	"cors-allow-methods":     "GET, PUT, POST, DELETE, PATCH, OPTIONS",
	"cors-allow-credentials": "true",
	"cors-max-age":           "1728000",
}
