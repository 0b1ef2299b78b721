package quote_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/internal/quote"
	"github.com/corskit/corskit/internal/servertest"
)

// hostile are values that end a string, a comment or a line, or start an
// interpolation, in one language or another.
var hostile = []string{
	"", "plain", `'`, `"`, `\`, `\\`, `a\`, `\'`, `\"`, "`id`", "X-'.`id`.'", `X-".system("id")."`,
	`$`, `${HOME}`, `$HOME`, `#{1+1}`, `%s%n`, `%{HOME}e`, `%%`, "a\nb", "a\r\nb", "nul\x00x", "*/", "-->", "--", "---",
	"]]>", "{{.}}", `{{"{{"}}`, "{{{", "}}", ";", "?>", "?><?php echo 'LEAK'; ?>", "<?php", "\u2028\u2029\u0085", ": #&*!", "- item",
	"{$HOME}", "`", "tab\there", "é日本😀", "\x7f\x1b[31m", "'''", `"""`, "\\\n", "\\\\'",
}

// bytesOnly are values that are not UTF-8: PHP, Ruby, Go and the shell keep
// bytes as they are.
var bytesOnly = []string{"\xff\xfe", "a\x80'"}

// run runs name with args and the program on standard input or as a file,
// and returns its standard output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func write(t *testing.T, name, text string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// program writes every value as a literal, each after a comment holding it,
// in a program that prints them back.
func program(open, comment string, lit, com func(string) string, vals []string, close string) string {
	var b strings.Builder
	b.WriteString(open)
	for _, v := range vals {
		b.WriteString(comment + " " + com(v) + "\n")
		b.WriteString(lit(v) + ",\n")
	}
	b.WriteString(close)
	return b.String()
}

func compareJSON(t *testing.T, lang, out string, want []string, text string) {
	t.Helper()
	var got []string
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%s printed %q, not the values: %v\n%s", lang, out, err, text)
	}
	if len(got) != len(want) {
		t.Fatalf("%s read %d values, want %d:\n%s", lang, len(got), len(want), text)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s read %q for %q", lang, got[i], want[i])
		}
	}
}

// TestPHP: php -l accepts a file of every value, and php reads each back
// byte for byte; the comments hold ?> and do not leave PHP.
func TestPHP(t *testing.T) {
	t.Parallel()
	php := servertest.Need(t, "php")
	vals := append(append([]string{}, hostile...), bytesOnly...)
	src := program("<?php\n$v = [\n", "//", quote.PHP, quote.PHPComment, vals, "];\necho json_encode(array_map('bin2hex', $v));\n")
	file := write(t, "v.php", src)
	run(t, php, "-l", file)
	var want []string
	for _, v := range vals {
		want = append(want, hexString(v))
	}
	compareJSON(t, "php", run(t, php, file), want, src)
}

func hexString(s string) string {
	const digits = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(digits[s[i]>>4])
		b.WriteByte(digits[s[i]&15])
	}
	return b.String()
}

// TestPHPRegexp: preg_match with the quoted patterns gives Go's answers.
func TestRegexps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, bin, open, close, ext string
		lit                         func(string) string
		test                        string
	}{
		{"php", "php", "<?php\n$r = [\n", "];\n$s = json_decode(file_get_contents('php://stdin'));\n$out = [];\nforeach ($r as $re) { $row = []; foreach ($s as $x) { $row[] = preg_match($re, $x) === 1; } $out[] = $row; }\necho json_encode($out);\n", "php", quote.PHPRegexp, ""},
		{"node", "node", "const r = [\n", "];\nconst s = JSON.parse(require('fs').readFileSync(0, 'utf8'));\nprocess.stdout.write(JSON.stringify(r.map(re => s.map(x => re.test(x)))));\n", "js", quote.JSRegexp, ""},
		{"python", "/usr/bin/python3", "import json, re, sys\nr = [\n", "]\ns = json.load(sys.stdin)\nsys.stdout.write(json.dumps([[re.search(p, x) is not None for x in s] for p in r]))\n", "py", quote.PythonRegexp, ""},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			bin := servertest.Need(t, tc.bin)
			res := []string{`^a/b$`, `^a\/b$`, `^a\\/b$`, `^x[/]y$`, `^https://a\.example\.com$`, "^'\\x60\"$", "^\\$\\{HOME\\}$", `^a\\$`, `^"'/'"$`, "^a\u2028b$", "^`id`$", `^(?:a|b)/$`}
			samples := []string{"a/b", `a\/b`, `a\b`, "x/y", "https://a.example.com", "https://aXexample.com", "'`\"", "${HOME}", `a\`, `"'/'"`, "a\u2028b", "`id`", "a/", "c/"}
			src := program(tc.open, map[string]string{"php": "//", "node": "//", "python": "#"}[tc.lang], tc.lit, quote.Comment, res, tc.close)
			file := write(t, "r."+tc.ext, src)
			in, _ := json.Marshal(samples)
			cmd := exec.Command(bin, file)
			cmd.Stdin = bytes.NewReader(in)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v\n%s", tc.lang, err, src)
			}
			var got [][]bool
			if err := json.Unmarshal(out, &got); err != nil || len(got) != len(res) {
				t.Fatalf("%s printed %q: %v\n%s", tc.lang, out, err, src)
			}
			for i, re := range res {
				goRe := regexp.MustCompile(re)
				for j, s := range samples {
					if got[i][j] != goRe.MatchString(s) {
						t.Errorf("%s: %s on %q gives %v, Go %v", tc.lang, tc.lit(re), s, got[i][j], !got[i][j])
					}
				}
			}
		})
	}
}

// TestJS: node reads every value back; no comment ends early (U+2028 ends
// none either).
func TestJS(t *testing.T) {
	t.Parallel()
	node := servertest.Need(t, "node")
	src := program("const v = [\n", "//", quote.JS, quote.Comment, hostile, "];\nprocess.stdout.write(JSON.stringify(v));\n")
	file := write(t, "v.js", src)
	run(t, node, "--check", file)
	compareJSON(t, "node", run(t, node, file), hostile, src)
}

// TestPython: CPython compiles the file and reads every value back, raw
// regular-expression strings too.
func TestPython(t *testing.T) {
	t.Parallel()
	python := servertest.Need(t, "/usr/bin/python3")
	vals := append(append([]string{}, hostile...), hostile...)
	lits := func() func(string) string {
		i := 0
		return func(v string) string {
			i++
			if i > len(hostile) {
				return quote.PythonRegexp(v)
			}
			return quote.Python(v)
		}
	}()
	src := program("import json, sys\nv = [\n", "#", lits, quote.Comment, vals, "]\nsys.stdout.write(json.dumps(v))\n")
	file := write(t, "v.py", src)
	compareJSON(t, "python", run(t, python, file), vals, src)
}

// TestRuby: ruby reads every literal back as its bytes (the rack-cors
// target writes Ruby).
func TestRuby(t *testing.T) {
	t.Parallel()
	// The rack-cors target writes Ruby; .ci/run installs it with ruby-rack-cors.
	ruby := servertest.Need(t, "ruby")
	vals := append(append([]string{}, hostile...), bytesOnly...)
	src := program("v = [\n", "#", quote.Ruby, quote.Comment, vals, "]\nprint '[' + v.map { |x| '\"' + x.unpack1('H*') + '\"' }.join(',') + ']'\n")
	file := write(t, "v.rb", src)
	run(t, ruby, "-c", file)
	var want []string
	for _, v := range vals {
		want = append(want, hexString(v))
	}
	compareJSON(t, "ruby", run(t, ruby, file), want, src)
}

// TestGo: go/parser reads every literal back and every comment as one.
func TestGo(t *testing.T) {
	t.Parallel()
	vals := append(append([]string{}, hostile...), bytesOnly...)
	src := program("package p\n\nvar v = []string{\n", "//", quote.Go, quote.Comment, vals, "}\n")
	f, err := parser.ParseFile(token.NewFileSet(), "v.go", src, parser.ParseComments)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if len(f.Comments) != len(vals) {
		t.Errorf("%d comments, want %d", len(f.Comments), len(vals))
	}
	lits := f.Decls[0].(*ast.GenDecl).Specs[0].(*ast.ValueSpec).Values[0].(*ast.CompositeLit).Elts
	for i, e := range lits {
		got, err := strconv.Unquote(e.(*ast.BasicLit).Value)
		if err != nil || got != vals[i] {
			t.Errorf("Go reads %q for %q (%v)", got, vals[i], err)
		}
	}
}

// TestShell: sh reads each word back (a NUL cannot be in an argument).
func TestShell(t *testing.T) {
	t.Parallel()
	sh := servertest.Need(t, "sh")
	var vals, words []string
	for _, v := range append(append([]string{}, hostile...), bytesOnly...) {
		if !strings.Contains(v, "\x00") {
			vals = append(vals, v)
			words = append(words, quote.Shell(v))
		}
	}
	script := "printf '%s\\0' " + strings.Join(words, " ") + "\n"
	got := strings.Split(run(t, sh, "-c", script), "\x00")
	got = got[:len(got)-1]
	if strings.Join(got, "|") != strings.Join(vals, "|") || len(got) != len(vals) {
		t.Errorf("sh read\n%q\nwant\n%q\nfrom %s", got, vals, script)
	}
}

// TestYAML: a YAML parser reads each value back, after a comment holding it.
func TestYAML(t *testing.T) {
	t.Parallel()
	src := program("", "#", func(v string) string { return "- " + quote.YAML(v) }, quote.Comment, hostile, "")
	src = strings.ReplaceAll(src, ",\n", "\n")
	var got []string
	if err := yaml.Unmarshal([]byte(src), &got); err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	if strings.Join(got, "|") != strings.Join(hostile, "|") || len(got) != len(hostile) {
		t.Errorf("YAML read\n%q\nwant\n%q", got, hostile)
	}
	// JSON too, for the basic plane: the strings are JSON's.
	for _, v := range hostile {
		if strings.ContainsFunc(v, func(r rune) bool { return r > 0xffff }) {
			continue
		}
		var s string
		if err := json.Unmarshal([]byte(quote.YAML(v)), &s); err != nil || s != v {
			t.Errorf("JSON reads %q for %q: %v", s, v, err)
		}
	}
}

// TestXMLComment: each value is one well-formed comment.
func TestXMLComment(t *testing.T) {
	t.Parallel()
	for _, v := range append(append([]string{}, hostile...), bytesOnly...) {
		doc := "<r><!-- " + quote.XMLComment(v) + " --></r>"
		d := xml.NewDecoder(strings.NewReader(doc))
		comments := 0
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%q: %v in %s", v, err, doc)
				break
			}
			if _, ok := tok.(xml.Comment); ok {
				comments++
			}
		}
		if comments != 1 || strings.Contains(quote.XMLComment(v), "--") {
			t.Errorf("%q: %d comments in %s", v, comments, doc)
		}
	}
}

// TestGoTemplate: text/template (as Traefik reads its files) gives the
// text back.
func TestGoTemplate(t *testing.T) {
	t.Parallel()
	for _, v := range hostile {
		tmpl, err := template.New("t").Parse(quote.GoTemplate(v))
		var b strings.Builder
		if err == nil {
			err = tmpl.Execute(&b, nil)
		}
		if err != nil || b.String() != v {
			t.Errorf("template gives %q for %q: %v", b.String(), v, err)
		}
	}
}

// TestCaddyRefusesWhatItCannotHold: the one value no Caddyfile token holds.
func TestCaddyRefusesWhatItCannotHold(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"`\\\"", "`a\\"} {
		if q, ok := quote.Caddy(v); ok {
			t.Errorf("Caddy(%q) = %s; no token holds it", v, q)
		}
	}
}
