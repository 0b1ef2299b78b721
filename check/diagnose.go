package check

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/corskit/corskit/browser"
)

// Mistake is a common CORS mistake the verdict points to.
type Mistake struct {
	// Name is the mistake's short name, e.g. "origin typo".
	Name string `json:"name"`
	// Detail says what exactly was wrong here.
	Detail string `json:"detail"`
}

// diagnose names the common mistakes behind a verdict.
func diagnose(req browser.Request, v browser.Verdict) []Mistake {
	var out []Mistake
	last := lastResponse(v)
	acao := ""
	if last != nil {
		acao = last.Response.Header.Get("Access-Control-Allow-Origin")
	}
	switch v.Reason {
	case browser.AllowOriginMismatch:
		if d := originTypo(acao, req.Origin); d != "" {
			out = append(out, Mistake{"origin typo", d})
		} else {
			out = append(out, Mistake{"wrong origin allowed", fmt.Sprintf("the server allows %q, but the page's origin is %q; add the page's origin to the allowlist", acao, req.Origin)})
		}
	case browser.MultipleAllowOrigin:
		out = append(out, Mistake{"header added twice", "two layers (e.g. the app and a proxy in front of it) each add Access-Control-Allow-Origin, or the server sends a list; keep exactly one, and remove the upstream's copy at the proxy (nginx: proxy_hide_header)"})
	case browser.WildcardWithCredentials:
		out = append(out, Mistake{"wildcard with credentials", "Access-Control-Allow-Origin: * cannot be used when the page sends credentials; echo the page's origin from an allowlist instead, and send Access-Control-Allow-Credentials: true"})
	case browser.InvalidAllowCredentials:
		out = append(out, Mistake{"credentials not allowed", "the page uses credentials: 'include' but the server does not send Access-Control-Allow-Credentials: true"})
	case browser.PreflightStatus:
		status := 0
		if last != nil {
			status = last.Response.Status
		}
		d := fmt.Sprintf("the OPTIONS preflight got %d %s", status, http.StatusText(status))
		switch status {
		case 404, 405:
			d += ": no route answers OPTIONS (Go 1.22 method patterns and many routers answer 405); put the CORS handling in front of the router so it answers preflights itself"
		case 401, 403:
			d += ": an authentication layer runs before the CORS handling; browsers never send credentials on a preflight, so let OPTIONS through before auth"
		}
		out = append(out, Mistake{"preflight not handled", d})
	case browser.PreflightRedirect:
		loc := ""
		if last != nil {
			loc = last.Response.Header.Get("Location")
		}
		out = append(out, Mistake{"redirected preflight", fmt.Sprintf("the preflight was redirected to %q; call the final URL directly (check http vs https and the trailing slash)", loc)})
	case browser.MissingAllowOrigin:
		if last != nil && last.Response.Status == 403 && varies(last.Response.Header) {
			out = append(out, Mistake{"origin not allowed", fmt.Sprintf("the server's CORS policy answers 403 with Vary: Origin and no CORS headers: it refuses the origin %s; add it to the server's allowed origins", req.Origin)})
		} else if last != nil && last.Request.Preflight && last.Response.Status >= 400 {
			out = append(out, Mistake{"preflight not handled", fmt.Sprintf("the OPTIONS preflight got %d without CORS headers: the CORS handling does not see OPTIONS requests", last.Response.Status)})
		} else if last != nil && (last.Response.Status == 404 || last.Response.Status >= 500) {
			out = append(out, Mistake{"wrong server or error page", fmt.Sprintf("the answer is %d without CORS headers: the request reached a server or route that does not apply the CORS policy, or an error page skipped it; check the URL, and make the server add CORS headers to errors too", last.Response.Status)})
		} else if !hasCORSHeaders(last) {
			out = append(out, Mistake{"no CORS on the server", "the server sends no Access-Control-* header at all: the CORS middleware is missing, or not on this route"})
		}
	case browser.MethodNotAllowed:
		if m := req.Method; m != strings.ToUpper(m) {
			out = append(out, Mistake{"method case", fmt.Sprintf("fetch() sends %q as written (only DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased); write %q in the page, or list %q on the server", m, strings.ToUpper(m), m)})
		}
	case browser.HeaderNotAllowed:
		for _, h := range req.Headers {
			if strings.EqualFold(h.Name, "content-type") && strings.Contains(v.Message, "content-type") {
				out = append(out, Mistake{"JSON content type", fmt.Sprintf("Content-Type: %s is not one of the three types a form can send, so it needs a preflight and must be listed in Access-Control-Allow-Headers", h.Value)})
			}
		}
	case browser.NetworkError:
		out = append(out, Mistake{"not a CORS error", fmt.Sprintf("the server could not be reached (%v); the browser shows this as 'TypeError: Failed to fetch' too, but no CORS header can fix it: check that the server runs and the URL is right", v.Err)})
	}
	for _, w := range v.Warnings {
		if w.Code == browser.WarnVaryMissing {
			out = append(out, Mistake{"cache", "the answer depends on the origin but has no Vary: Origin; a CDN or shared cache will serve it to other origins"})
		}
	}
	return out
}

// originTypo explains a near miss between the allowed and the page's origin.
func originTypo(allowed, page string) string {
	switch {
	case strings.TrimRight(allowed, "/") == page:
		return fmt.Sprintf("the server sends %q with a trailing slash; an origin has no path: send %q", allowed, page)
	case strings.EqualFold(allowed, page):
		return fmt.Sprintf("the server sends %q; origins are compared byte for byte and browsers send them in lower case: send %q", allowed, page)
	case strings.TrimSuffix(allowed, portOf(allowed)) == strings.TrimSuffix(page, portOf(page)):
		return fmt.Sprintf("the server sends %q but the page is on %q: the port is part of the origin", allowed, page)
	case strings.Replace(allowed, "https://", "http://", 1) == page || strings.Replace(allowed, "http://", "https://", 1) == page:
		return fmt.Sprintf("the server sends %q but the page is on %q: the scheme is part of the origin", allowed, page)
	case strings.Replace(allowed, "://www.", "://", 1) == page || strings.Replace(page, "://www.", "://", 1) == allowed:
		return fmt.Sprintf("the server sends %q but the page is on %q: www. is part of the origin", allowed, page)
	}
	return ""
}

// varies reports whether h has Vary: Origin, the sign of a CORS layer.
func varies(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for item := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(item), "origin") {
				return true
			}
		}
	}
	return false
}

func portOf(o string) string {
	i := strings.LastIndexByte(o, ':')
	if i < 0 || strings.Contains(o[i:], "/") {
		return ""
	}
	return o[i:]
}

func lastResponse(v browser.Verdict) *browser.Exchange {
	if len(v.Exchanges) == 0 {
		return nil
	}
	return &v.Exchanges[len(v.Exchanges)-1]
}

func hasCORSHeaders(x *browser.Exchange) bool {
	if x == nil {
		return false
	}
	for k := range x.Response.Header {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			return true
		}
	}
	return false
}
