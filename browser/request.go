package browser

import (
	"net/http"
	"slices"
	"strings"

	"github.com/corskit/corskit/cors/unstable/headers"
)

// Credentials is fetch()'s credentials mode.
type Credentials string

// The credentials modes.
const (
	Omit       Credentials = "omit"
	SameOrigin Credentials = "same-origin" // fetch()'s default
	Include    Credentials = "include"
)

// Valid reports whether c is one of the three modes.
func (c Credentials) Valid() bool { return c == Omit || c == SameOrigin || c == Include }

// Header is one request header the page sets, in the order it sets them.
type Header struct {
	Name, Value string
}

// Request is one fetch() call made by a page.
type Request struct {
	// _ makes literals name their fields, so that fields can be added.
	_ [0]func()
	// Origin is the page's origin, serialised: "http://localhost:3000".
	Origin string
	// URL is the absolute URL fetched.
	URL string
	// Method is the method given to fetch(); it is normalised as browsers do.
	// Default GET.
	Method string
	// Headers are the headers the page sets. Forbidden request headers are
	// dropped, as fetch() drops them.
	Headers []Header
	// Credentials is the credentials mode; default same-origin.
	Credentials Credentials
	// Body is true when the request carries a body (not for GET and HEAD).
	Body bool
	// Read names response headers the page wants to read; a warning says
	// when one of them is not readable.
	Read []string
	// PageURL is the URL of the page that calls fetch(), which some engines
	// name when they block mixed content; default Origin + "/".
	PageURL string
	// PageAddressSpace and TargetAddressSpace are the address spaces of the
	// page's server and of the fetched URL's server, for Chromium's Local
	// Network Access. Empty: inferred from the host (an IP address by its
	// range, localhost as loopback, any other name as public).
	PageAddressSpace, TargetAddressSpace AddressSpace
	// StandIn says the URL stands in for the server the page will call: a
	// loopback or private server tested before it is deployed. The checks
	// that depend on where that server runs (Local Network Access, and mixed
	// content for a loopback or private URL) then give warnings, not
	// verdicts.
	StandIn bool
}

// normalized returns the request with its method normalised, its default
// mode filled in, forbidden headers dropped and values trimmed, as fetch()
// does before sending.
func (r Request) normalized() Request {
	if r.Method == "" {
		r.Method = "GET"
	}
	r.Method = headers.NormalizeMethod(r.Method)
	if r.Credentials == "" {
		r.Credentials = SameOrigin
	}
	if r.PageURL == "" {
		r.PageURL = r.Origin + "/"
	}
	if r.PageAddressSpace == "" {
		r.PageAddressSpace, _ = SpaceOfURL(r.Origin)
	}
	if r.TargetAddressSpace == "" {
		r.TargetAddressSpace, _ = SpaceOfURL(r.URL)
	}
	var hs []Header
	for _, h := range r.Headers {
		if headers.IsForbiddenRequestHeader(h.Name) {
			continue
		}
		hs = append(hs, Header{Name: h.Name, Value: strings.Trim(h.Value, " \t\r\n")})
	}
	r.Headers = hs
	return r
}

// UnsafeHeaderNames returns the lower-case, sorted, de-duplicated names of the
// request headers that are not CORS-safelisted (Fetch, "CORS-unsafe
// request-header names"): each of them must be allowed by the preflight.
func UnsafeHeaderNames(hs []Header) []string {
	var unsafe, maybe []string
	size := 0
	for _, h := range hs {
		name := strings.ToLower(h.Name)
		if IsSafelistedHeader(name, h.Value) {
			maybe = append(maybe, name)
			size += len(h.Value)
		} else {
			unsafe = append(unsafe, name)
		}
	}
	// Step 3: safelisted values over 1024 bytes in total are all unsafe.
	if size > 1024 {
		unsafe = append(unsafe, maybe...)
	}
	slices.Sort(unsafe)
	return slices.Compact(unsafe)
}

// NeedsPreflight reports whether a cross-origin fetch of r sends a preflight:
// its method is not safelisted or one of its headers is not (Fetch, "main
// fetch", step 12).
func NeedsPreflight(r Request) bool {
	r = r.normalized()
	return !headers.IsSafelistedMethod(r.Method) || len(UnsafeHeaderNames(r.Headers)) > 0
}

// preflightHeader returns the headers of the preflight request for r: Origin,
// Access-Control-Request-Method and, when there are unsafe headers,
// Access-Control-Request-Headers. origin is the origin the request carries
// ("null" after a cross-origin redirect).
func preflightHeader(r Request, origin string) http.Header {
	h := http.Header{}
	h.Set("Accept", "*/*")
	h.Set("Origin", origin)
	h.Set("Access-Control-Request-Method", r.Method)
	if names := UnsafeHeaderNames(r.Headers); len(names) > 0 {
		h.Set("Access-Control-Request-Headers", strings.Join(names, ","))
	}
	return h
}

// PreflightFor returns the preflight request a browser sends before fetching
// r cross-origin, and false when r needs none. The preflight never carries
// credentials; Access-Control-Request-Headers lists the unsafe header names,
// lower-case, sorted and joined by ",".
func PreflightFor(r Request) (Outgoing, bool) {
	r = r.normalized()
	if !NeedsPreflight(r) {
		return Outgoing{}, false
	}
	return Outgoing{Preflight: true, Method: http.MethodOptions, URL: r.URL, Header: preflightHeader(r, r.Origin)}, true
}
