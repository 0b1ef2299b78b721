// Package headers holds the Fetch standard's rules about methods and header
// names that corskit's packages share: tokens, forbidden names, safelisted
// names, and method normalisation.
//
// It is corskit's own plumbing, shared by the cors module and corskit's
// browser model, doctor and generators, and is not covered by package
// cors's compatibility promise: it may change or go away in any release,
// and programs outside corskit should not import it.
package headers

// IsToken reports whether s is a non-empty HTTP token (RFC 9110, section 5.6.2),
// the syntax of a method and of a header name.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenByte(s[i]) {
			return false
		}
	}
	return true
}

func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// ToLower returns s with ASCII upper-case letters lowered. It does not
// allocate when s is already lower-case.
func ToLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// IsSafelistedMethod reports whether m is a CORS-safelisted method (Fetch,
// "CORS-safelisted method"): GET, HEAD or POST, compared case-sensitively after
// normalisation.
func IsSafelistedMethod(m string) bool {
	return m == "GET" || m == "HEAD" || m == "POST"
}

// normalizedMethods are the methods whose case the Fetch standard normalises
// ("normalize a method"); every other method keeps the case the page gave it.
var normalizedMethods = [...]string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"}

// NormalizeMethod upper-cases m when it is, case-insensitively, one of DELETE,
// GET, HEAD, OPTIONS, POST or PUT, as browsers do; any other method is returned
// unchanged (`patch` stays `patch`).
func NormalizeMethod(m string) string {
	for _, n := range normalizedMethods {
		if EqualFold(m, n) {
			return n
		}
	}
	return m
}

// IsForbiddenMethod reports whether m is a method that browsers never send
// (Fetch, "forbidden method"): CONNECT, TRACE or TRACK, case-insensitively.
func IsForbiddenMethod(m string) bool {
	return EqualFold(m, "CONNECT") || EqualFold(m, "TRACE") || EqualFold(m, "TRACK")
}

// EqualFold reports whether a and b are equal under ASCII case folding.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// forbiddenRequestHeaders are the lower-case names that page script can never
// set (Fetch, "forbidden request-header"), besides the proxy- and sec- prefixes.
var forbiddenRequestHeaders = map[string]bool{
	"accept-charset":                         true,
	"accept-encoding":                        true,
	"access-control-request-headers":         true,
	"access-control-request-method":          true,
	"access-control-request-private-network": true,
	"connection":                             true,
	"content-length":                         true,
	"cookie":                                 true,
	"cookie2":                                true,
	"date":                                   true,
	"dnt":                                    true,
	"expect":                                 true,
	"host":                                   true,
	"keep-alive":                             true,
	"origin":                                 true,
	"referer":                                true,
	"set-cookie":                             true,
	"te":                                     true,
	"trailer":                                true,
	"transfer-encoding":                      true,
	"upgrade":                                true,
	"via":                                    true,
}

// IsForbiddenRequestHeader reports whether page script can never set the
// header named name (any case): the browser owns it, so listing it in
// Access-Control-Allow-Headers has no effect.
func IsForbiddenRequestHeader(name string) bool {
	n := ToLower(name)
	if forbiddenRequestHeaders[n] {
		return true
	}
	return len(n) >= 6 && n[:6] == "proxy-" || len(n) >= 4 && n[:4] == "sec-"
}

// IsForbiddenResponseHeader reports whether page script can never read the
// response header named name (any case), whatever Access-Control-Expose-Headers
// says: Set-Cookie and Set-Cookie2.
func IsForbiddenResponseHeader(name string) bool {
	return EqualFold(name, "set-cookie") || EqualFold(name, "set-cookie2")
}

// safelistedResponseHeaders are the lower-case names a page can always read on
// a CORS response (Fetch, "CORS-safelisted response-header name").
var safelistedResponseHeaders = map[string]bool{
	"cache-control": true, "content-language": true, "content-length": true,
	"content-type": true, "expires": true, "last-modified": true, "pragma": true,
}

// IsSafelistedResponseHeader reports whether a page can read the response
// header named name (any case) without it being exposed.
func IsSafelistedResponseHeader(name string) bool {
	return safelistedResponseHeaders[ToLower(name)]
}

// TrimOWS trims RFC 9110's optional white space, spaces and tabs, from both
// ends of s.
func TrimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
