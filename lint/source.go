package lint

import (
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/severity"
)

// sourceRule is a dangerous pattern in application code. The pattern is
// matched against the text of one call (from its start to its closing
// parenthesis) or one line.
type sourceRule struct {
	kind     Kind
	id       string
	start    *regexp.Regexp // where a call starts, or the line pattern
	call     bool           // match within the call's text
	match    func(text string) bool
	severity Severity
	message  string
	fix      string
}

var (
	reOriginTrue   = regexp.MustCompile(`origin\s*:\s*true`)
	reOriginStar   = regexp.MustCompile(`origin\s*:\s*['"]\*['"]`)
	reCredsTrue    = regexp.MustCompile(`credentials\s*:\s*true`)
	reReqOrigin    = regexp.MustCompile(`Access-Control-Allow-Origin['"]\s*,\s*req\.(headers\.origin|header\(['"]origin['"]\)|get\(['"]origin['"]\))`)
	reSupportsCred = regexp.MustCompile(`supports_credentials\s*=\s*True`)
	reOriginsNamed = regexp.MustCompile(`(origins|resources)\s*=`)
	reOriginsStar  = regexp.MustCompile(`origins\s*=\s*['"]\*['"]`)
	rePyUnanchored = regexp.MustCompile(`re\.compile\(\s*r?['"]([^'"]*)['"]`)
	reGoFuncTrue   = regexp.MustCompile(`AllowOriginFunc\s*:\s*func\([^)]*\)\s*bool\s*\{\s*return\s+true`)
	reGoStar       = regexp.MustCompile(`AllowedOrigins\s*:\s*\[\]string\{\s*"\*"\s*\}`)
	reGoCreds      = regexp.MustCompile(`AllowCredentials\s*:\s*true`)
)

var sourceRules = []sourceRule{
	{kind: KindExpress, id: "express-reflect-any-origin", start: regexp.MustCompile(`\bcors\s*\(`), call: true,
		match:    func(t string) bool { return reOriginTrue.MatchString(t) && reCredsTrue.MatchString(t) },
		severity: severity.High, message: "cors({origin: true, credentials: true}) reflects every origin with credentials: any site can read your users' data",
		fix: "origin: ['https://app.example.com'] (an exact allowlist)"},
	{kind: KindExpress, id: "express-wildcard-credentials", start: regexp.MustCompile(`\bcors\s*\(`), call: true,
		match:    func(t string) bool { return reOriginStar.MatchString(t) && reCredsTrue.MatchString(t) },
		severity: severity.Info, message: "origin: '*' with credentials: true: browsers refuse it, so credentialed calls fail",
		fix: "name the origins: origin: ['https://app.example.com']"},
	{kind: KindExpress, id: "express-header-reflect", start: regexp.MustCompile(`Access-Control-Allow-Origin['"]\s*,\s*req\.`),
		match:    reReqOrigin.MatchString,
		severity: severity.High, message: "Access-Control-Allow-Origin set from the request's Origin: every site is allowed",
		fix: "check the origin against an exact allowlist first, or use the cors package with origin: [...]"},
	{kind: KindFlask, id: "flask-cors-credentials-any-origin", start: regexp.MustCompile(`\bCORS\s*\(`), call: true,
		match: func(t string) bool {
			return reSupportsCred.MatchString(t) && (reOriginsStar.MatchString(t) || !reOriginsNamed.MatchString(t))
		},
		severity: severity.High, message: "Flask-CORS with supports_credentials=True and any origin echoes every origin with credentials",
		fix: `origins=["https://app.example.com"]`},
	{kind: KindFlask, id: "flask-cors-unanchored-regex", start: regexp.MustCompile(`re\.compile\(`),
		match: func(t string) bool {
			m := rePyUnanchored.FindStringSubmatch(t)
			return m != nil && strings.Contains(m[1], "://") && (!strings.HasSuffix(m[1], "$") || regexRisk.MatchString(m[1]))
		},
		severity: severity.High, message: "an origin regex without an end anchor ($) or with unescaped dots: Flask-CORS uses re.match, so https://app.example.com.evil.example passes",
		fix: `escape dots and anchor the end: re.compile(r"https://app\.example\.com$")`},
	{kind: KindPHP, id: "php-reflect-origin", start: regexp.MustCompile(`Access-Control-Allow-Origin:\s*['"]\s*\.\s*\$_SERVER\[\s*['"]HTTP_ORIGIN`),
		match:    func(string) bool { return true },
		severity: severity.High, message: "Access-Control-Allow-Origin reflects $_SERVER['HTTP_ORIGIN']: every site is allowed",
		fix: "in_array($origin, $allowed, true) before echoing it (corskit gen php writes this)"},
	{kind: KindGo, id: "go-reflect-origin", start: regexp.MustCompile(`Access-Control-Allow-Origin"\s*,\s*r\.Header\.Get\("Origin"\)`),
		match:    func(string) bool { return true },
		severity: severity.High, message: "Access-Control-Allow-Origin set from the request's Origin: every site is allowed",
		fix: "use github.com/corskit/corskit/cors with an AllowOrigins list"},
	{kind: KindGo, id: "go-allow-origin-func-true", start: regexp.MustCompile(`AllowOriginFunc\s*:`),
		match:    reGoFuncTrue.MatchString,
		severity: severity.High, message: "AllowOriginFunc returns true for every origin",
		fix: "list the origins (AllowedOrigins, or corskit's AllowOrigins)"},
	{kind: KindGo, id: "go-wildcard-credentials", start: regexp.MustCompile(`\bcors\.(New|Options)\b`), call: true,
		match:    func(t string) bool { return reGoStar.MatchString(t) && reGoCreds.MatchString(t) },
		severity: severity.High, message: `AllowedOrigins: []string{"*"} with AllowCredentials: true (rs/cors then reflects any origin with credentials)`,
		fix: "list the origins"},
}

// lintSource applies the source rules of the file's kind.
func lintSource(file string, kind Kind, src string) []Finding {
	var out []Finding
	for _, r := range sourceRules {
		if r.kind != kind {
			continue
		}
		for _, loc := range r.start.FindAllStringIndex(src, -1) {
			text := src[loc[0]:]
			if r.call {
				text = callText(src, loc[1]-1)
			} else if i := strings.IndexByte(text, '\n'); i >= 0 {
				text = text[:i]
			}
			if r.match(text) {
				line, col := position(src, loc[0])
				out = append(out, newFinding(file, line, col, r.id, r.severity, r.message, r.fix))
			}
		}
	}
	return out
}

// callText returns the text from src[open] (an opening parenthesis) to its
// matching closing one, at most 4 KiB.
func callText(src string, open int) string {
	depth := 0
	for i := open; i < len(src) && i < open+4096; i++ {
		switch src[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return src[open : i+1]
			}
		}
	}
	return src[open:min(len(src), open+4096)]
}

func position(src string, off int) (line, col int) {
	line = 1 + strings.Count(src[:off], "\n")
	col = off - strings.LastIndexByte(src[:off], '\n')
	return line, col
}
