package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/audit"
)

// directive is one nginx directive, with its block when it has one.
type directive struct {
	name     string
	args     []string
	line     int
	col      int
	block    []*directive
	hasBlock bool
}

// parseNginx reads an nginx configuration into directives: words, quoted
// strings, comments, `;` and `{ }`.
func parseNginx(src string) ([]*directive, error) {
	type token struct {
		s         string
		line, col int
		quoted    bool
	}
	var toks []token
	line, col := 1, 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line, col = line+1, 1
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
			col++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '{' || c == '}' || c == ';':
			toks = append(toks, token{string(c), line, col, false})
			i++
			col++
		case c == '"' || c == '\'':
			start, sl, sc := i+1, line, col
			i++
			for i < len(src) && src[i] != c {
				if src[i] == '\\' {
					i++
				}
				if i < len(src) && src[i] == '\n' {
					line, col = line+1, 0
				}
				i++
				col++
			}
			if i >= len(src) {
				return nil, fmt.Errorf("line %d: unterminated quoted string", sl)
			}
			toks = append(toks, token{src[start:i], sl, sc, true})
			i++
			col += 2
		default:
			start, sc := i, col
			for i < len(src) && !strings.ContainsRune(" \t\r\n;{}#", rune(src[i])) {
				i++
				col++
			}
			toks = append(toks, token{src[start:i], line, sc, false})
		}
	}
	pos := 0
	var parse func(depth int) ([]*directive, error)
	parse = func(depth int) ([]*directive, error) {
		var out []*directive
		for pos < len(toks) {
			t := toks[pos]
			if t.s == "}" && !t.quoted {
				if depth == 0 {
					return nil, fmt.Errorf("line %d: unexpected }", t.line)
				}
				pos++
				return out, nil
			}
			d := &directive{name: t.s, line: t.line, col: t.col}
			pos++
			for pos < len(toks) {
				a := toks[pos]
				if !a.quoted && (a.s == ";" || a.s == "{") {
					break
				}
				d.args = append(d.args, a.s)
				pos++
			}
			if pos >= len(toks) {
				return nil, fmt.Errorf("line %d: %s is not ended by ; or {", d.line, d.name)
			}
			if toks[pos].s == "{" {
				pos++
				d.hasBlock = true
				b, err := parse(depth + 1)
				if err != nil {
					return nil, err
				}
				d.block = b
			} else {
				pos++
			}
			out = append(out, d)
		}
		if depth > 0 {
			return nil, fmt.Errorf("a block is not closed by }")
		}
		return out, nil
	}
	return parse(0)
}

func isCORSHeader(d *directive) bool {
	return d.name == "add_header" && len(d.args) >= 2 && strings.HasPrefix(strings.ToLower(d.args[0]), "access-control-")
}

func hasAlways(d *directive) bool {
	return len(d.args) >= 3 && d.args[len(d.args)-1] == "always"
}

// originVars finds the variables that carry the request's Origin. echo are
// those that pass any origin through ($http_origin itself, a map whose default
// is $http_origin, a set from it); depends are all whose value depends on
// the Origin (allowlist maps included), which need Vary: Origin.
func originVars(all []*directive) (echo, depends map[string]bool) {
	echo = map[string]bool{"$http_origin": true}
	depends = map[string]bool{"$http_origin": true}
	var walk func([]*directive)
	walk = func(ds []*directive) {
		for _, d := range ds {
			if d.name == "map" && len(d.args) == 2 && depends[d.args[0]] {
				depends[d.args[1]] = true
				for _, e := range d.block {
					if e.name == "default" && len(e.args) == 1 && strings.Contains(e.args[0], "$http_origin") {
						echo[d.args[1]] = true
					}
				}
			}
			if d.name == "set" && len(d.args) == 2 && strings.Contains(d.args[1], "$http_origin") {
				echo[d.args[0]], depends[d.args[0]] = true, true
			}
			walk(d.block)
		}
	}
	walk(all)
	return echo, depends
}

var regexRisk = regexp.MustCompile(`[^\\]\.[a-z]`)

// lintNginx applies the nginx rules.
func lintNginx(file, src string) ([]Finding, error) {
	ds, err := parseNginx(src)
	if err != nil {
		return nil, fmt.Errorf("lint: %s: %v", file, err)
	}
	var out []Finding
	add := func(d *directive, rule string, sev Severity, msg, fix string) {
		out = append(out, newFinding(file, d.line, d.col, rule, sev, msg, fix))
	}
	vars, depends := originVars(ds)

	// checkRegex looks at a regex matched against the origin.
	checkRegex := func(d *directive, re string) {
		plain := strings.TrimPrefix(strings.TrimPrefix(re, "~*"), "~")
		if !strings.HasPrefix(plain, "^") || !strings.HasSuffix(plain, "$") {
			add(d, "nginx-unanchored-origin-regex", audit.High, fmt.Sprintf("the origin regex %q is not anchored with ^ and $: https://app.example.com.evil.example passes", plain),
				"anchor it: ~^https://(app|admin)\\.example\\.com$")
		}
		if regexRisk.MatchString(plain) {
			add(d, "nginx-unescaped-dot", audit.High, fmt.Sprintf("the origin regex %q has an unescaped dot, which matches any character", plain), "escape dots: \\.")
		}
	}

	var walk func(ds []*directive, inIf bool, parentCORS bool)
	walk = func(ds []*directive, inIf bool, parentCORS bool) {
		var cors, others []*directive
		echo, creds, vary, pass, hide := false, false, false, false, false
		var echoDirective *directive
		for _, d := range ds {
			switch {
			case isCORSHeader(d):
				cors = append(cors, d)
				if strings.EqualFold(d.args[0], "Access-Control-Allow-Origin") && vars[d.args[1]] {
					echo, echoDirective = true, d
				}
				if strings.EqualFold(d.args[0], "Access-Control-Allow-Credentials") && strings.Trim(d.args[1], `"'`) == "true" {
					creds = true
				}
			case d.name == "add_header":
				others = append(others, d)
				if len(d.args) >= 2 && strings.EqualFold(d.args[0], "Vary") && strings.Contains(strings.ToLower(strings.Join(d.args[1:], " ")), "origin") {
					vary = true
				}
			case d.name == "proxy_pass" || d.name == "fastcgi_pass" || d.name == "uwsgi_pass":
				pass = true
			case d.name == "proxy_hide_header" && len(d.args) == 1 && strings.EqualFold(d.args[0], "Access-Control-Allow-Origin"):
				hide = true
			case d.name == "map" && len(d.args) == 2 && d.args[0] == "$http_origin":
				for _, e := range d.block {
					if strings.HasPrefix(e.name, "~") {
						checkRegex(e, e.name)
					}
				}
			case d.name == "if" && len(d.args) >= 3 && depends[strings.TrimPrefix(d.args[0], "(")] && strings.HasPrefix(d.args[1], "~"):
				checkRegex(d, strings.TrimSuffix(d.args[2], ")"))
			}
		}
		for _, d := range cors {
			if inIf {
				add(d, "nginx-add-header-in-if", audit.High, "add_header "+d.args[0]+" inside if: the block's headers replace the location's, and if is unreliable",
					"put add_header at the location or server level with always; keep only return inside if")
			}
			if !hasAlways(d) {
				add(d, "nginx-missing-always", audit.Medium, "add_header "+d.args[0]+" without always: nginx drops it on 4xx and 5xx, so the browser reports a CORS error instead of the real one",
					"add the always parameter")
			}
		}
		if echo {
			sev, msg := audit.Medium, "Access-Control-Allow-Origin echoes the request's Origin: every site is allowed"
			if creds {
				sev, msg = audit.High, "Access-Control-Allow-Origin echoes the request's Origin with credentials: every site can read your users' data"
			}
			add(echoDirective, "nginx-origin-echo", sev, msg, "echo only allowlisted origins: map $http_origin $cors_origin { default \"\"; \"https://app.example.com\" $http_origin; }")
		}
		if (echo || usesVar(cors, depends)) && !vary && len(cors) > 0 {
			d := cors[0]
			add(d, "nginx-no-vary", audit.Medium, "the allowed origin depends on the request but no Vary: Origin is added: caches serve one origin's answer to another",
				"add_header Vary Origin always;")
		}
		if pass && len(cors) > 0 && !hide {
			add(cors[0], "nginx-upstream-duplicate", audit.Low, "CORS headers added in front of an upstream without proxy_hide_header: if the upstream sends its own, browsers see two values and block",
				"proxy_hide_header Access-Control-Allow-Origin; (and the other Access-Control-* it may send)")
		}
		if parentCORS && len(cors) == 0 && len(others) > 0 {
			add(others[0], "nginx-inherited-headers-lost", audit.Medium, "add_header in this block makes nginx drop every add_header of the enclosing blocks, the CORS ones included",
				"repeat the CORS add_header lines here, or move this header to the enclosing block")
		}
		for _, d := range ds {
			if d.hasBlock && d.name != "map" {
				walk(d.block, inIf || d.name == "if", parentCORS || len(cors) > 0)
			}
		}
	}
	walk(ds, false, false)
	return out, nil
}

func usesVar(ds []*directive, vars map[string]bool) bool {
	for _, d := range ds {
		if len(d.args) >= 2 && vars[d.args[1]] {
			return true
		}
	}
	return false
}
