package gen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Tomcat's CorsFilter (org.apache.catalina.filters.CorsFilter), declared
// in WEB-INF/web.xml; proved on Debian's tomcat10 (10.1).
func init() {
	register(Stack{
		Name:      "tomcat",
		Title:     "Tomcat's CorsFilter (web.xml)",
		Target:    &Target{Supports: "exact origins or * (no patterns), credentials, methods, headers (listed; no *), expose, max-age; a refused request gets 403, preflights 200", write: writeTomcat, limits: tomcatLimits},
		Recognize: recognizeTomcat,
		Causes:    tomcatCauses,
		Doctor:    true,
		Snippet:   whereNote("; replace the app's own CorsFilter <filter> and its <filter-mapping> if it has one"),
		Lint:      tomcatLint,
		Proof:     "proved on Debian's Tomcat 10.1 by gen's TestMoreStacks (the engines' models), TestMoreStacksInRealEngines (Chromium, Firefox, WebKit) and TestHostileValuesOnMoreStacks; recognition and the causes seen by TestTomcatAndLighttpdRecognized; evidence to a working app by internal/cli's TestBrokenServersFromEvidenceToAWorkingApp (the tomcat cases in morestacks_test.go); the refusal of * with credentials by internal/servertest's TestSharedTomcat",
	})
}

// tomcatPage is the start of the title of Tomcat's own error pages (the
// ErrorReportValve's), e.g. "HTTP Status 404 – Not Found".
const tomcatPage = "<title>HTTP Status "

// recognizeTomcat reads Tomcat's marks: its error page (which names
// Apache Tomcat/VERSION unless the valve hides it), the CorsFilter's
// Vary on a preflight answer, and, less surely, the CorsFilter's bare 403.
// Tomcat sends no Server header unless told.
func recognizeTomcat(a Answer) Evidence {
	body := string(a.Body)
	if i := strings.Index(body, tomcatPage); i >= 0 && strings.Contains(body, "Apache Tomcat") {
		title, _, _ := strings.Cut(body[i+len("<title>"):], "</title>")
		return Evidence{"the body: Tomcat's error page (" + quote.Comment(title) + ")", ByApp}
	}
	if v := a.Header.Get("Vary"); strings.HasPrefix(v, "origin,access-control-request-method") {
		return Evidence{"Vary: " + v + " (Tomcat's CorsFilter on a preflight answer)", ByApp}
	}
	if tomcatRefused(a) {
		return Evidence{"403 text/plain with an empty body and no CORS header (probably Tomcat's CorsFilter refusing)", ByServer}
	}
	if tomcatDefaultOptions(a) {
		return Evidence{"Allow: " + a.Header.Get("Allow") + " on an empty 200 with no Server header (probably Tomcat's DefaultServlet answering OPTIONS)", ByServer}
	}
	return Evidence{}
}

// tomcatRefused reports whether a is the CorsFilter's refusal: 403,
// text/plain, an empty body, no CORS header and no Server header.
func tomcatRefused(a Answer) bool {
	return a.Status == 403 && a.Header.Get("Content-Type") == "text/plain" && len(strings.TrimSpace(string(a.Body))) == 0 &&
		a.Header.Get("Access-Control-Allow-Origin") == "" && a.Header.Get("Server") == ""
}

// tomcatDefaultOptions reports whether a is Tomcat's DefaultServlet
// answering OPTIONS itself: 200, an Allow header, no body, no CORS header.
func tomcatDefaultOptions(a Answer) bool {
	return a.Status == 200 && strings.HasPrefix(a.Header.Get("Allow"), "OPTIONS, GET, HEAD, POST") && len(a.Body) == 0 &&
		a.Header.Get("Access-Control-Allow-Origin") == "" && a.Header.Get("Server") == ""
}

// tomcatCauses are the CorsFilter's mistakes, from Tomcat's documentation
// of the filter and its users' reports.
var tomcatCauses = []Cause{
	{ID: "tomcat-refused-with-403", Mistake: "the CorsFilter answers 403 (an empty text/plain body, no CORS header) to a request it refuses: an origin not in cors.allowed.origins, a method not in cors.allowed.methods, a header not in cors.allowed.headers",
		Symptom: "'Response to preflight request doesn't pass access control check: It does not have HTTP ok status' (a 403), or a 403 on the request itself",
		Fix:     "add the origin, method or header to the filter's init-params; the 403 names none of them",
		Seen:    tomcatRefused},
	{ID: "tomcat-default-methods", Mistake: "cors.allowed.methods is left out: its default is GET, POST, HEAD, OPTIONS, so a PUT, PATCH or DELETE preflight is refused with 403",
		Symptom: "a 403 preflight for PUT, PATCH or DELETE while GET works", Fix: "<init-param> cors.allowed.methods GET,HEAD,POST,PUT,PATCH,DELETE (the methods the app takes)"},
	{ID: "tomcat-default-headers", Mistake: "cors.allowed.headers is left out: its default (Origin, Accept, X-Requested-With, Content-Type, Access-Control-Request-Method, Access-Control-Request-Headers) has no Authorization, so a request with a token is refused with 403",
		Symptom: "a 403 preflight as soon as the page sends Authorization or a custom header", Fix: "<init-param> cors.allowed.headers with every header the page sends, Authorization included"},
	{ID: "tomcat-any-origin-with-credentials", Mistake: "cors.allowed.origins * with cors.support.credentials true: Tomcat 9 and 10 refuse it when the filter starts, and the whole app fails to deploy",
		Symptom: "the app answers 404 everywhere; Tomcat's log says 'One or more Filters failed to start' and 'Context [/app] startup failed due to previous errors'",
		Fix:     "list the origins in cors.allowed.origins, or keep * and set cors.support.credentials false"},
	{ID: "tomcat-filter-mapping", Mistake: "the <filter-mapping>'s url-pattern does not cover the API's path (e.g. /api/* for an API at /v1/), or the filter is declared with no mapping: the DefaultServlet or the app answers the preflight without CORS headers",
		Symptom: "a 200 preflight answer with Allow: OPTIONS, GET, HEAD, POST and no Access-Control-Allow-Origin",
		Fix:     "<url-pattern>/*</url-pattern> (or the API's own prefix) in the CorsFilter's <filter-mapping>, mapped before the other filters",
		Seen:    tomcatDefaultOptions},
}

// reTomcat* find the CorsFilter's settings in web.xml.
var (
	reTomcatFilter    = regexp.MustCompile(`org\.apache\.catalina\.filters\.CorsFilter`)
	reTomcatAnyOrigin = regexp.MustCompile(`(?s)<param-name>\s*cors\.allowed\.origins\s*</param-name>\s*<param-value>\s*\*\s*</param-value>`)
	reTomcatCreds     = regexp.MustCompile(`(?s)<param-name>\s*cors\.support\.credentials\s*</param-name>\s*<param-value>\s*true\s*</param-value>`)
	reTomcatMethods   = regexp.MustCompile(`<param-name>\s*cors\.allowed\.methods\s*</param-name>`)
	reTomcatMapping   = regexp.MustCompile(`(?s)<filter-mapping>.*?</filter-mapping>`)
)

// isWebXML reports whether text is a web.xml declaring Tomcat's CorsFilter.
func isWebXML(name, text string) bool {
	return strings.HasSuffix(name, ".xml") && reTomcatFilter.MatchString(text)
}

var tomcatLint = []LintRule{
	{ID: "tomcat-any-origin-with-credentials", Severity: "high", Applies: isWebXML, Find: hitsWith(reTomcatCreds, reTomcatAnyOrigin, "cors.allowed.origins * with cors.support.credentials true: Tomcat 9 and 10 refuse to start the app, and older Tomcats let every site read your users' data", "list the origins: <param-value>https://app.example.com</param-value>")},
	{ID: "tomcat-default-methods", Severity: "low", Applies: isWebXML, Find: func(text string) []LintHit {
		if reTomcatMethods.MatchString(text) {
			return nil
		}
		return hitsOf(text, reTomcatFilter, "the CorsFilter has no cors.allowed.methods: its default (GET, POST, HEAD, OPTIONS) refuses PUT, PATCH and DELETE with 403", "<init-param><param-name>cors.allowed.methods</param-name><param-value>GET,HEAD,POST,PUT,DELETE</param-value></init-param>")
	}},
	{ID: "tomcat-filter-without-mapping", Severity: "medium", Applies: isWebXML, Find: func(text string) []LintHit {
		name := tomcatFilterName(text)
		for _, m := range reTomcatMapping.FindAllString(text, -1) {
			if strings.Contains(m, "<filter-name>"+name+"</filter-name>") {
				return nil
			}
		}
		return hitsOf(text, reTomcatFilter, "the CorsFilter is declared but no <filter-mapping> names it: it never runs", "<filter-mapping><filter-name>"+name+"</filter-name><url-pattern>/*</url-pattern></filter-mapping>")
	}},
}

// reTomcatFilterName finds the name the CorsFilter is declared with.
var reTomcatFilterName = regexp.MustCompile(`(?s)<filter-name>\s*([^<]*?)\s*</filter-name>\s*<filter-class>\s*org\.apache\.catalina\.filters\.CorsFilter`)

func tomcatFilterName(text string) string {
	if m := reTomcatFilterName.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return "CorsFilter"
}

// tomcatLimits are the parts the CorsFilter does not express: patterns
// (it takes exact origins or *), allow_headers: * and the rest no
// list-only target writes.
func tomcatLimits(p *plan) []Omission {
	return append(commonLimits(p), exactOriginsOnly(p,
		"Tomcat's CorsFilter takes exact origins or * in cors.allowed.origins; list the origins",
		"Tomcat's CorsFilter can express none of the policy's origins")...)
}

// xmlText quotes a value for web.xml: the values are HTTP tokens and
// origins, printable ASCII, which quote.XML always writes.
func xmlText(s string) string {
	q, _ := quote.XML(s)
	return q
}

// writeTomcat writes a WEB-INF/web.xml with the CorsFilter mapped to every
// path. Every setting is written, defaults included: the defaults refuse
// PUT, DELETE and Authorization, and send a max-age of 1800.
func writeTomcat(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	// Each line of the header, its own text included (--best-effort), is
	// one XML comment, where -- may not appear.
	h := header("", quote.Comment, o, omitted, "Tomcat 10 (Jakarta EE): the app's WEB-INF/web.xml; Tomcat 9 takes the same filter with the javaee namespace.")
	for line := range strings.SplitSeq(strings.TrimSuffix(h, "\n"), "\n") {
		fmt.Fprintf(&b, "<!--%s -->\n", quote.XMLComment(line))
	}
	b.WriteString(`<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
         version="6.0">
  <!-- BEGIN corskit CORS: in WEB-INF/web.xml, inside <web-app>, with the filter-mapping before every other filter-mapping (Tomcat runs filters in their mappings' order) -->
  <filter>
    <filter-name>CorsFilter</filter-name>
    <filter-class>org.apache.catalina.filters.CorsFilter</filter-class>
`)
	origins := []string{"*"}
	if !p.any {
		origins = p.exact
	}
	maxAge := "-1" // no Access-Control-Max-Age
	if p.maxAge != "" {
		maxAge = p.maxAge
	}
	params := [][2]string{
		{"cors.allowed.origins", strings.Join(origins, ",")},
		{"cors.allowed.methods", strings.Join(p.allMethods(), ",")},
		{"cors.allowed.headers", strings.Join(p.headers, ",")},
		{"cors.exposed.headers", strings.Join(p.expose, ",")},
		{"cors.support.credentials", fmt.Sprint(p.credentials)},
		{"cors.preflight.maxage", maxAge},
	}
	for _, kv := range params {
		fmt.Fprintf(&b, "    <init-param>\n      <param-name>%s</param-name>\n      <param-value>%s</param-value>\n    </init-param>\n", kv[0], xmlText(kv[1]))
	}
	b.WriteString("  </filter>\n  <filter-mapping>\n    <filter-name>CorsFilter</filter-name>\n    <url-pattern>/*</url-pattern>\n  </filter-mapping>\n  <!-- END corskit CORS -->\n</web-app>\n")
	return b.String()
}
