package quote

import (
	"regexp"
	"strings"
)

// Nginx returns s as an nginx double-quoted string where nginx reads no
// variables (a map's source values, regular expressions). nginx reads \",
// \', \\, \t, \r and \n as escapes and keeps any other \ as it is: so "
// is escaped, a \ before one of those (or at the end) doubled, and tab, CR
// and LF written \t, \r and \n. Where nginx reads variables, use
// NginxValue.
func Nginx(s string) string {
	return `"` + backslashes(s, `"'\trn`, map[byte]string{'"': `\"`, '\t': `\t`, '\r': `\r`, '\n': `\n`}) + `"`
}

// backslashes escapes s for a quoted string whose reader takes \ before a
// byte of escapes as an escape and keeps other backslashes: such a \ (and
// a final one, or one before a byte of special) is doubled, and each byte
// of special written as it says.
func backslashes(s, escapes string, special map[byte]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (i+1 == len(s) || strings.IndexByte(escapes, s[i+1]) >= 0 || special[s[i+1]] != ""):
			b.WriteString(`\\`)
		case special[c] != "":
			b.WriteString(special[c])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// NginxDollar is the variable NginxValue writes for a literal $: nginx has
// no escape for $ in a value, so it reads it from a geo block (NginxGeo),
// whose values are plain strings.
const NginxDollar = "corskit_dollar"

// NginxGeo defines NginxDollar; it goes in http { }.
const NginxGeo = "geo $" + NginxDollar + " {\n    default \"$\";\n}\n"

// NginxValue returns s as an nginx double-quoted string where nginx reads
// variables (add_header, a map's resulting values): as Nginx, with each $
// written ${corskit_dollar}. dollar reports whether it did, in which case
// the configuration needs NginxGeo.
func NginxValue(s string) (quoted string, dollar bool) {
	return Nginx(strings.ReplaceAll(s, "$", "${"+NginxDollar+"}")), strings.Contains(s, "$")
}

// Caddy returns s as one Caddyfile token: in backticks, where nothing is
// special, when s holds no backtick; else in double quotes, where only \"
// is an escape. ok is false for the one value neither form holds: a
// backtick together with \" or a trailing \.
func Caddy(s string) (quoted string, ok bool) {
	if !strings.Contains(s, "`") {
		return "`" + s + "`", true
	}
	if strings.Contains(s, `\"`) || strings.HasSuffix(s, `\`) {
		return "", false
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`, true
}

// CaddyRegexp returns an RE2 expression as a Caddyfile token: a backtick
// in it is written \x60 and a { next to a $ is written \x7b (Caddy
// replaces {$NAME} with an environment variable anywhere in the file), both
// read by the expression as the same character.
func CaddyRegexp(re string) string {
	q, _ := Caddy(literalBraces(strings.ReplaceAll(re, "`", `\x60`)))
	return q
}

// Apache returns s as an Apache httpd double-quoted argument: httpd reads
// \\ and \" as escapes and keeps any other \, so " is escaped and a \
// before \ or " (or at the end) doubled.
func Apache(s string) string {
	return `"` + backslashes(s, `\"`, map[byte]string{'"': `\"`}) + `"`
}

// ApacheHeader returns s as the value of a mod_headers Header directive,
// where % starts a format (%t, %{NAME}e): % is written %%.
func ApacheHeader(s string) string { return Apache(strings.ReplaceAll(s, "%", "%%")) }

// ApacheRegexp returns a PCRE expression as an Apache argument: a { next
// to a $ is written \x7b (httpd replaces ${NAME} with a Define anywhere in
// a line), read by the expression as the same character.
func ApacheRegexp(re string) string { return Apache(literalBraces(re)) }

// repetition is a {n}, {n,} or {n,m} quantifier.
var repetition = regexp.MustCompile(`^\{[0-9]+(,[0-9]*)?\}`)

// literalBraces writes each { of a regular expression that is next to a $
// and is not a quantifier as \x7b.
func literalBraces(re string) string {
	if !strings.Contains(re, "{") || !strings.Contains(re, "$") {
		return re
	}
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		c := re[i]
		if c == '\\' && i+1 < len(re) {
			if re[i+1] == '{' && braceNearDollar(re, i+1) {
				b.WriteString(`\x7b`)
			} else {
				b.WriteByte(c)
				b.WriteByte(re[i+1])
			}
			i++
			continue
		}
		if c == '{' && braceNearDollar(re, i) && !repetition.MatchString(re[i:]) {
			b.WriteString(`\x7b`)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func braceNearDollar(re string, i int) bool {
	return i > 0 && re[i-1] == '$' || i+1 < len(re) && re[i+1] == '$'
}

// PHPRegexp returns a PCRE expression as a PHP string holding it between /
// delimiters: an unescaped / is escaped, an escaped one kept.
func PHPRegexp(re string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(re); i++ {
		switch {
		case re[i] == '\\' && i+1 < len(re):
			b.WriteString(re[i : i+2])
			i++
		case re[i] == '/':
			b.WriteString(`\/`)
		default:
			b.WriteByte(re[i])
		}
	}
	b.WriteByte('/')
	return PHP(b.String())
}

// HAProxy returns s as one HAProxy configuration word in double quotes,
// where \ escapes, $ would expand an environment variable and # would not
// start a comment: \, " and $ are escaped with \, and every byte outside
// printable ASCII is written \xHH, which HAProxy reads back as that byte.
func HAProxy(s string) string { return doubleQuotedHex(s, '$') }

// HAProxyFormat returns s for an HAProxy argument read as a log-format
// string (http-request return's hdr, set-header values), where % starts a
// variable: % is written %%, the rest quoted by HAProxy.
func HAProxyFormat(s string) string { return HAProxy(strings.ReplaceAll(s, "%", "%%")) }
