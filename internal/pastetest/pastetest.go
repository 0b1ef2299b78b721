// Package pastetest pastes a fix into an app's source the way its text
// tells a person to: the tests that prove corskit's fixes on real servers
// apply them with it, so that a fix whose instructions are wrong fails.
package pastetest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/gen"
)

// Apply pastes the pieces into src, each where its Where says, and returns
// the new source. Of two forms (A for an app without CORS, B for one that
// already configures it), it applies the one that fits src. It fails when a
// piece names a place src does not have.
func Apply(src string, parts []gen.Part) (string, error) {
	hasCall := existingCall.MatchString(src)
	for _, p := range parts {
		var err error
		switch w := p.Where; {
		case strings.HasPrefix(w, "A. ") && hasCall, strings.HasPrefix(w, "B. ") && !hasCall:
			continue // the other form
		case strings.HasPrefix(w, "A. ") && strings.Contains(w, "aiohttp_cors"), strings.HasPrefix(w, "B. ") && strings.Contains(w, "aiohttp_cors"):
			src = removeStatements(src, regexp.MustCompile(`(?m)^(cors\s*=\s*aiohttp_cors\.setup\(|\s*cors\.add\(|for route in )`))
			src, err = insertAfterLast(src, regexp.MustCompile(`(?m)^.*add_route\(.*$`), p.Text)
		case strings.HasPrefix(w, "B. "):
			src = removeCall(src)
			src, err = insertAfter(src, appCreated, p.Text)
		case strings.HasPrefix(w, "A. "):
			src, err = insertAfter(src, appCreated, p.Text)
		case strings.Contains(w, "inside <?php"):
			src = regexp.MustCompile(`(?m)^[ \t]*header\(\s*['"]Access-Control-.*\n`).ReplaceAllString(src, "")
			src, err = insertAfter(src, regexp.MustCompile(`<\?php`), p.Text)
		case strings.HasPrefix(w, "in http { }"):
			src, err = insertBefore(src, regexp.MustCompile(`(?m)^\s*server\s*\{`), p.Text)
		case strings.HasPrefix(w, "in the location { }"):
			src = removeNginxCORS(src)
			src, err = insertAfter(src, regexp.MustCompile(`location\s+\S+\s*\{`), p.Text)
		case strings.HasPrefix(w, "in the API's site block"):
			src = regexp.MustCompile(`(?m)^[ \t]*header\s+.*Access-Control-.*\n`).ReplaceAllString(src, "")
			src, err = insertBefore(src, regexp.MustCompile(`(?m)^\s*(reverse_proxy|respond)\b`), p.Text)
		case strings.HasPrefix(w, "in the site's reverse_proxy { }"):
			if re := regexp.MustCompile(`reverse_proxy\s+\S+\s*\{`); re.MatchString(src) {
				src, err = insertAfter(src, re, p.Text)
			}
		case strings.HasPrefix(w, "in settings.py, in INSTALLED_APPS"):
			if !strings.Contains(src, `"corsheaders"`) {
				src, err = insertAfter(src, regexp.MustCompile(`(?m)^INSTALLED_APPS\s*=\s*\[`), p.Text)
			}
		case strings.HasPrefix(w, "in settings.py, first in MIDDLEWARE"):
			src = regexp.MustCompile(`(?m)^.*corsheaders\.middleware\.CorsMiddleware.*\n`).ReplaceAllString(src, "")
			src, err = insertAfter(src, regexp.MustCompile(`(?m)^MIDDLEWARE\s*=\s*\[`), p.Text)
		case strings.HasPrefix(w, "in settings.py, at the end"):
			src = removeStatements(src, regexp.MustCompile(`(?m)^CORS_\w+\s*=`))
			if main := regexp.MustCompile(`(?m)^if __name__ == "__main__":`); main.MatchString(src) {
				src, err = insertBefore(src, main, p.Text+"\n")
			} else {
				src += p.Text
			}
		case strings.HasPrefix(w, "in config.ru, before run"):
			src = removeRubyBlock(src, regexp.MustCompile(`(?m)^[ \t]*use\s+Rack::Cors\s+do\b`))
			src, err = insertBefore(src, regexp.MustCompile(`(?m)^run\b`), p.Text)
		case strings.HasPrefix(w, "in the frontend (or listen section)"):
			src = regexp.MustCompile(`(?m)^[ \t]*(http-(request|response|after-response)\s.*Access-Control-|http-request\s+set-var\(\w+\.\w+\)\s+req\.f?hdr\(origin\)).*\n`).ReplaceAllString(src, "")
			src, err = insertAfter(src, regexp.MustCompile(`(?m)^(frontend|listen)\s.*\n[ \t]*bind\s.*$`), p.Text)
		case strings.HasPrefix(w, "at the top level of lighttpd.conf"):
			src = removeLighttpdCORS(src)
			src = strings.TrimRight(src, "\n") + "\n\n" + p.Text
		case strings.HasPrefix(w, "in WEB-INF/web.xml, inside <web-app>"):
			src = removeTomcatCORS(src)
			src, err = insertAfter(src, regexp.MustCompile(`<web-app\b[^>]*>`), p.Text)
		case strings.HasPrefix(w, "at the top of the Worker's module"):
			src = p.Text + "\n" + src
		case strings.HasPrefix(w, "first in the fetch handler"):
			src, err = wrapWorker(src, p.Text)
		case strings.HasPrefix(w, "proxy.ts at the project root"):
			src, err = pasteNextProxy(src, p.Text)
		case strings.HasPrefix(w, "in main"):
			src, err = insertBefore(src, regexp.MustCompile(`(?m)^.*ListenAndServe`), p.Text)
			src = regexp.MustCompile(`(ListenAndServe\([^,]+,\s*)mux\)`).ReplaceAllString(src, "${1}handler)")
		default:
			err = fmt.Errorf("pastetest: no rule for a piece that goes %q", w)
		}
		if err != nil {
			return src, err
		}
	}
	return src, nil
}

// existingCall finds an app's own CORS configuration: Express's
// app.use(cors(...)) (Hono's with a path first), Nest's app.enableCors(...)
// or Flask's CORS(app...).
var existingCall = regexp.MustCompile(`(?m)app\.use\(\s*(['"][^'"\n]*['"]\s*,\s*)?cors\(|\bapp\.enableCors\(|^CORS\(|^app\.add_middleware\(\s*CORSMiddleware|^cors\s*=\s*aiohttp_cors\.setup\(|\w+\.register\(\s*(require\(\s*['"]@fastify/cors['"]\s*\)|cors\b)`)

// appCreated is the line after which an app's middleware goes.
var appCreated = regexp.MustCompile(`(?m)^.*(express\(\)|Flask\(__name__\)|FastAPI\(\)|require\(['"]fastify['"]\)\(.*\)|new Koa\(\)|new Hono\(\)|await NestFactory\.create\().*$`)

// removeCall removes the app's own CORS call, up to its closing parenthesis
// and semicolon.
func removeCall(src string) string {
	loc := existingCall.FindStringIndex(src)
	if loc == nil {
		return src
	}
	start := loc[0]
	depth := 0
	for i := start; i < len(src); i++ {
		switch src[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				end := i + 1
				if end < len(src) && src[end] == ';' {
					end++
				}
				return src[:start] + src[end:]
			}
		}
	}
	return src
}

// removeNginxCORS removes a location's own CORS: add_header lines for
// Access-Control-* and Vary, and if blocks that add headers.
func removeNginxCORS(src string) string {
	var b strings.Builder
	rest := src
	for {
		loc := ifBlock.FindStringIndex(rest)
		end := -1
		if loc != nil {
			end = strings.IndexByte(rest[loc[1]:], '}')
		}
		if end < 0 {
			b.WriteString(rest)
			break
		}
		blockEnd := loc[1] + end + 1
		b.WriteString(rest[:loc[0]])
		if block := rest[loc[0]:blockEnd]; !strings.Contains(block, "add_header") {
			b.WriteString(block)
		}
		rest = rest[blockEnd:]
	}
	return corsAddHeader.ReplaceAllString(b.String(), "")
}

var (
	ifBlock       = regexp.MustCompile(`if\s*\([^)]*\)\s*\{`)
	corsAddHeader = regexp.MustCompile(`(?m)^[ \t]*add_header\s+(Access-Control-\S+|Vary)\s.*\n`)
)

func insertAfter(src string, anchor *regexp.Regexp, text string) (string, error) {
	loc := anchor.FindStringIndex(src)
	if loc == nil {
		return src, fmt.Errorf("pastetest: the source has no %q to paste after", anchor)
	}
	end := loc[1]
	return pasteAfterLine(src, end, text), nil
}

func insertBefore(src string, anchor *regexp.Regexp, text string) (string, error) {
	loc := anchor.FindStringIndex(src)
	if loc == nil {
		return src, fmt.Errorf("pastetest: the source has no %q to paste before", anchor)
	}
	pos := loc[0]
	for pos < len(src) && (src[pos] == '\n' || src[pos] == ' ' || src[pos] == '\t') {
		pos++
	}
	start := strings.LastIndexByte(src[:pos], '\n') + 1
	return src[:start] + text + src[start:], nil
}

// removeStatements removes each statement start begins: its line, and the
// lines after while brackets it opened are open (a Python list or call
// over several lines).
func removeStatements(src string, start *regexp.Regexp) string {
	var b strings.Builder
	depth, removing := 0, false
	for _, line := range strings.SplitAfter(src, "\n") {
		if !removing && start.MatchString(line) {
			removing, depth = true, 0
		}
		if !removing {
			b.WriteString(line)
			continue
		}
		depth += strings.Count(line, "(") + strings.Count(line, "[") + strings.Count(line, "{") -
			strings.Count(line, ")") - strings.Count(line, "]") - strings.Count(line, "}")
		if depth <= 0 && !strings.HasSuffix(strings.TrimSpace(line), ":") {
			removing = false
		}
	}
	return b.String()
}

// insertAfterLast pastes text after the line of anchor's last match.
func insertAfterLast(src string, anchor *regexp.Regexp, text string) (string, error) {
	locs := anchor.FindAllStringIndex(src, -1)
	if locs == nil {
		return src, fmt.Errorf("pastetest: the source has no %q to paste after", anchor)
	}
	end := locs[len(locs)-1][1]
	return pasteAfterLine(src, end, text), nil
}

// removeRubyBlock removes the block that start finds, from its line to
// the end at its indentation.
func removeRubyBlock(src string, start *regexp.Regexp) string {
	loc := start.FindStringIndex(src)
	if loc == nil {
		return src
	}
	lineStart := strings.LastIndexByte(src[:loc[0]], '\n') + 1
	indent := src[lineStart:loc[0]]
	if i := strings.IndexFunc(indent, func(r rune) bool { return r != ' ' && r != '\t' }); i >= 0 {
		indent = indent[:i]
	}
	end := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(indent) + `end\b.*(\n|$)`).FindStringIndex(src[loc[1]:])
	if end == nil {
		return src
	}
	return src[:lineStart] + src[loc[1]+end[1]:]
}

// pasteAfterLine puts text after the line of src that holds byte end (a
// newline is added to a last line without one).
func pasteAfterLine(src string, end int, text string) string {
	if nl := strings.IndexByte(src[end:], '\n'); nl >= 0 {
		end += nl + 1
	} else {
		src += "\n"
		end = len(src)
	}
	return src[:end] + text + src[end:]
}

// lighttpdSetenv starts a setenv list of response headers in lighttpd.conf.
var lighttpdSetenv = regexp.MustCompile(`^\s*setenv\.(add|set)-response-header\s*\+?=`)

// removeLighttpdCORS removes the setenv response-header lists that hold
// an Access-Control-* header (a list may span lines, to its closing
// parenthesis), as the lighttpd fix tells: its own entries replace them.
func removeLighttpdCORS(src string) string {
	var b, stmt strings.Builder
	depth, in := 0, false
	for _, line := range strings.SplitAfter(src, "\n") {
		if !in && lighttpdSetenv.MatchString(line) {
			in, depth = true, 0
			stmt.Reset()
		}
		if !in {
			b.WriteString(line)
			continue
		}
		stmt.WriteString(line)
		depth += strings.Count(line, "(") - strings.Count(line, ")")
		if depth <= 0 {
			in = false
			if !strings.Contains(stmt.String(), "Access-Control-") {
				b.WriteString(stmt.String())
			}
		}
	}
	return b.String()
}

// removeTomcatCORS removes the <filter> of Tomcat's CorsFilter and the
// <filter-mapping> that names it, as the Tomcat fix tells.
func removeTomcatCORS(src string) string {
	filter := regexp.MustCompile(`(?s)[ \t]*<filter>\s*<filter-name>\s*([^<]*?)\s*</filter-name>\s*<filter-class>\s*org\.apache\.catalina\.filters\.CorsFilter\s*</filter-class>.*?</filter>[ \t]*\n?`)
	m := filter.FindStringSubmatch(src)
	if m == nil {
		return src
	}
	src = strings.Replace(src, m[0], "", 1)
	mapping := regexp.MustCompile(`(?s)[ \t]*<filter-mapping>\s*<filter-name>\s*` + regexp.QuoteMeta(m[1]) + `\s*</filter-name>.*?</filter-mapping>[ \t]*\n?`)
	return mapping.ReplaceAllString(src, "")
}

// exportDefault is a Worker module's default export.
var exportDefault = regexp.MustCompile(`(?m)^export default \{`)

// wrapWorker pastes a Worker's fetch-handler piece as its where-note says:
// the module's fetch handler becomes handle, and a new default export's
// fetch runs the piece, which calls handle.
func wrapWorker(src, piece string) (string, error) {
	if !exportDefault.MatchString(src) {
		return src, fmt.Errorf("pastetest: the Worker has no export default { to wrap")
	}
	src = exportDefault.ReplaceAllString(src, "const corskitApp = {")
	var b strings.Builder
	for line := range strings.SplitSeq(strings.TrimRight(piece, "\n"), "\n") {
		b.WriteString("    " + line + "\n")
	}
	return src + "\nfunction handle(request, env, ctx) {\n  return corskitApp.fetch(request, env, ctx);\n}\n\nexport default {\n  async fetch(request, env, ctx) {\n" + b.String() + "  },\n};\n", nil
}
