package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/severity"
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

// maxNginxDepth is how deeply blocks may nest, maxNginxDirectives how many
// directives a file may hold and maxNginxArgs how many arguments one may
// have: real configurations nest a few levels (http, server, location, if)
// and hold hundreds of directives of a few arguments each, and a hostile file
// must cost neither a stack frame nor a directive per byte.
const (
	maxNginxDepth      = 64
	maxNginxDirectives = 50_000
	maxNginxArgs       = 1_000
)

// nginxToken is one word, quoted string, or `;`, `{`, `}` of a configuration.
type nginxToken struct {
	s         string
	line, col int
	quoted    bool
}

// parseNginx reads an nginx configuration into directives: words, quoted
// strings, comments, `;` and `{ }`.
func parseNginx(src string) ([]*directive, error) {
	p := nginxParser{src: src, line: 1, col: 1}
	if err := p.advance(); err != nil {
		return nil, err
	}
	return p.block(0)
}

// nginxParser builds directives from a configuration's tokens, read one
// ahead.
type nginxParser struct {
	src       string
	i         int // the next byte to read
	line, col int
	tok       nginxToken // the current token
	eof       bool       // no current token
	count     int        // directives read
}

// advance reads the next token into p.tok, skipping blanks and comments.
func (p *nginxParser) advance() error {
	src := p.src
	for p.i < len(src) {
		c := src[p.i]
		switch {
		case c == '\n':
			p.line, p.col = p.line+1, 1
			p.i++
		case c == ' ' || c == '\t' || c == '\r':
			p.i++
			p.col++
		case c == '#':
			for p.i < len(src) && src[p.i] != '\n' {
				p.i++
			}
		case c == '{' || c == '}' || c == ';':
			p.tok = nginxToken{src[p.i : p.i+1], p.line, p.col, false}
			p.i++
			p.col++
			return nil
		case c == '"' || c == '\'':
			return p.quoted(c)
		default:
			start, sc := p.i, p.col
			for p.i < len(src) && !strings.ContainsRune(" \t\r\n;{}#", rune(src[p.i])) {
				p.i++
				p.col++
			}
			p.tok = nginxToken{src[start:p.i], p.line, sc, false}
			return nil
		}
	}
	p.eof = true
	return nil
}

// quoted reads a string quoted by q, whose opening quote is at p.i.
func (p *nginxParser) quoted(q byte) error {
	src := p.src
	start, sl, sc := p.i+1, p.line, p.col
	p.i++
	for p.i < len(src) && src[p.i] != q {
		if src[p.i] == '\\' {
			p.i++
		}
		if p.i < len(src) && src[p.i] == '\n' {
			p.line, p.col = p.line+1, 0
		}
		p.i++
		p.col++
	}
	if p.i >= len(src) {
		return fmt.Errorf("line %d: unterminated quoted string", sl)
	}
	p.tok = nginxToken{src[start:p.i], sl, sc, true}
	p.i++
	p.col += 2
	return nil
}

// block reads directives up to the } that closes a block at depth (the end
// of the file at depth 0).
func (p *nginxParser) block(depth int) ([]*directive, error) {
	var out []*directive
	for !p.eof {
		if p.tok.s == "}" && !p.tok.quoted {
			if depth == 0 {
				return nil, fmt.Errorf("line %d: unexpected }", p.tok.line)
			}
			return out, p.advance()
		}
		d, err := p.directive(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if depth > 0 {
		return nil, fmt.Errorf("a block is not closed by }")
	}
	return out, nil
}

// directive reads one directive: its name, its arguments, and `;` or its
// block.
func (p *nginxParser) directive(depth int) (*directive, error) {
	if p.count++; p.count > maxNginxDirectives {
		return nil, fmt.Errorf("line %d: over %d directives; no nginx configuration holds as many", p.tok.line, maxNginxDirectives)
	}
	d := &directive{name: p.tok.s, line: p.tok.line, col: p.tok.col}
	for {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.eof {
			return nil, fmt.Errorf("line %d: %s is not ended by ; or {", d.line, d.name)
		}
		if !p.tok.quoted && (p.tok.s == ";" || p.tok.s == "{") {
			break
		}
		if len(d.args) == maxNginxArgs {
			return nil, fmt.Errorf("line %d: %s has over %d arguments; no nginx directive has as many", d.line, d.name, maxNginxArgs)
		}
		d.args = append(d.args, p.tok.s)
	}
	if p.tok.s == ";" {
		return d, p.advance()
	}
	if depth+1 > maxNginxDepth {
		return nil, fmt.Errorf("line %d: blocks nest over %d levels deep; no nginx configuration does", d.line, maxNginxDepth)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	d.hasBlock = true
	b, err := p.block(depth + 1)
	d.block = b
	return d, err
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
	l := nginxLinter{file: file}
	l.echoVars, l.originVars = originVars(ds)
	l.block(ds, false, false)
	return l.out, nil
}

// nginxLinter gathers the findings of one file.
type nginxLinter struct {
	file                 string
	echoVars, originVars map[string]bool // see originVars
	out                  []Finding
}

func (l *nginxLinter) add(d *directive, rule string, sev Severity, msg, fix string) {
	l.out = append(l.out, newFinding(l.file, d.line, d.col, rule, sev, msg, fix))
}

// checkRegex looks at a regular expression matched against the origin.
func (l *nginxLinter) checkRegex(d *directive, re string) {
	plain := strings.TrimPrefix(strings.TrimPrefix(re, "~*"), "~")
	if !strings.HasPrefix(plain, "^") || !strings.HasSuffix(plain, "$") {
		l.add(d, "nginx-unanchored-origin-regex", severity.High, fmt.Sprintf("the origin regex %q is not anchored with ^ and $: https://app.example.com.evil.example passes", plain),
			"anchor it: ~^https://(app|admin)\\.example\\.com$")
	}
	if regexRisk.MatchString(plain) {
		l.add(d, "nginx-unescaped-dot", severity.High, fmt.Sprintf("the origin regex %q has an unescaped dot, which matches any character", plain), "escape dots: \\.")
	}
}

// nginxBlock is what one block's own directives do about CORS.
type nginxBlock struct {
	cors, others                []*directive // add_header lines: Access-Control-*, and the rest
	echo                        *directive   // an Access-Control-Allow-Origin that echoes the Origin
	creds, vary, pass, hideACAO bool
}

// scan reads a block's own directives, checking the origin regular
// expressions on the way.
func (l *nginxLinter) scan(ds []*directive) nginxBlock {
	var b nginxBlock
	for _, d := range ds {
		switch {
		case isCORSHeader(d):
			b.cors = append(b.cors, d)
			if strings.EqualFold(d.args[0], "Access-Control-Allow-Origin") && l.echoVars[d.args[1]] {
				b.echo = d
			}
			if strings.EqualFold(d.args[0], "Access-Control-Allow-Credentials") && strings.Trim(d.args[1], `"'`) == "true" {
				b.creds = true
			}
		case d.name == "add_header":
			b.others = append(b.others, d)
			if len(d.args) >= 2 && strings.EqualFold(d.args[0], "Vary") && strings.Contains(strings.ToLower(strings.Join(d.args[1:], " ")), "origin") {
				b.vary = true
			}
		case d.name == "proxy_pass" || d.name == "fastcgi_pass" || d.name == "uwsgi_pass":
			b.pass = true
		case d.name == "proxy_hide_header" && len(d.args) == 1 && strings.EqualFold(d.args[0], "Access-Control-Allow-Origin"):
			b.hideACAO = true
		case d.name == "map" && len(d.args) == 2 && d.args[0] == "$http_origin":
			for _, e := range d.block {
				if strings.HasPrefix(e.name, "~") {
					l.checkRegex(e, e.name)
				}
			}
		case d.name == "if" && len(d.args) >= 3 && l.originVars[strings.TrimPrefix(d.args[0], "(")] && strings.HasPrefix(d.args[1], "~"):
			l.checkRegex(d, strings.TrimSuffix(d.args[2], ")"))
		}
	}
	return b
}

// block applies the rules to a block, then to the blocks inside it. inIf
// says the block is inside an if; parentCORS that an enclosing block adds
// CORS headers.
func (l *nginxLinter) block(ds []*directive, inIf, parentCORS bool) {
	b := l.scan(ds)
	for _, d := range b.cors {
		if inIf {
			l.add(d, "nginx-add-header-in-if", severity.High, "add_header "+d.args[0]+" inside if: the block's headers replace the location's, and if is unreliable",
				"put add_header at the location or server level with always; keep only return inside if")
		}
		if !hasAlways(d) {
			l.add(d, "nginx-missing-always", severity.Medium, "add_header "+d.args[0]+" without always: nginx drops it on 4xx and 5xx, so the browser reports a CORS error instead of the real one",
				"add the always parameter")
		}
	}
	if b.echo != nil {
		sev, msg := severity.Medium, "Access-Control-Allow-Origin echoes the request's Origin: every site is allowed"
		if b.creds {
			sev, msg = severity.High, "Access-Control-Allow-Origin echoes the request's Origin with credentials: every site can read your users' data"
		}
		l.add(b.echo, "nginx-origin-echo", sev, msg, "echo only allowlisted origins: map $http_origin $cors_origin { default \"\"; \"https://app.example.com\" $http_origin; }")
	}
	if (b.echo != nil || usesVar(b.cors, l.originVars)) && !b.vary && len(b.cors) > 0 {
		l.add(b.cors[0], "nginx-no-vary", severity.Medium, "the allowed origin depends on the request but no Vary: Origin is added: caches serve one origin's answer to another",
			"add_header Vary Origin always;")
	}
	if b.pass && len(b.cors) > 0 && !b.hideACAO {
		l.add(b.cors[0], "nginx-upstream-duplicate", severity.Low, "CORS headers added in front of an upstream without proxy_hide_header: if the upstream sends its own, browsers see two values and block",
			"proxy_hide_header Access-Control-Allow-Origin; (and the other Access-Control-* it may send)")
	}
	if parentCORS && len(b.cors) == 0 && len(b.others) > 0 {
		l.add(b.others[0], "nginx-inherited-headers-lost", severity.Medium, "add_header in this block makes nginx drop every add_header of the enclosing blocks, the CORS ones included",
			"repeat the CORS add_header lines here, or move this header to the enclosing block")
	}
	for _, d := range ds {
		if d.hasBlock && d.name != "map" {
			l.block(d.block, inIf || d.name == "if", parentCORS || len(b.cors) > 0)
		}
	}
}

func usesVar(ds []*directive, vars map[string]bool) bool {
	for _, d := range ds {
		if len(d.args) >= 2 && vars[d.args[1]] {
			return true
		}
	}
	return false
}
