package quote_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/corskit/corskit/internal/quote"
	"github.com/corskit/corskit/internal/servertest"
)

// TestJSON: Go's encoding/json and Node's JSON.parse read every value back
// (the hostile ones and the non-UTF-8 ones as U+FFFD), and each literal is
// one line of printable ASCII.
func TestJSON(t *testing.T) {
	t.Parallel()
	vals := append(append([]string{}, hostile...), "\U0001F600", "\xff")
	var lits []string
	for _, v := range vals {
		q := quote.JSON(v)
		if strings.ContainsFunc(q, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			t.Errorf("JSON(%q) = %q: not printable ASCII", v, q)
		}
		var got string
		if err := json.Unmarshal([]byte(q), &got); err != nil || got != strings.ToValidUTF8(v, "\uFFFD") {
			t.Errorf("encoding/json reads %q for %q (%s): %v", got, v, q, err)
		}
		lits = append(lits, q)
	}
	node := servertest.Need(t, "node")
	src := "process.stdout.write(JSON.stringify(JSON.parse(" + quote.JS("["+strings.Join(lits, ",")+"]") + ")));\n"
	want := make([]string, len(vals))
	for i, v := range vals {
		want[i] = strings.ToValidUTF8(v, "\uFFFD")
	}
	compareJSON(t, "node JSON.parse", run(t, node, write(t, "j.js", src)), want, src)
}

// TestTOML: Python's tomllib (the TOML 1.0 reader) reads a document of
// every value, each after a comment holding it, back byte for byte.
func TestTOML(t *testing.T) {
	t.Parallel()
	py := servertest.Need(t, "/usr/bin/python3")
	var b strings.Builder
	b.WriteString("v = [\n")
	for _, v := range hostile {
		b.WriteString("# " + quote.Comment(v) + "\n" + quote.TOML(v) + ",\n")
	}
	b.WriteString("]\n")
	file := write(t, "v.toml", b.String())
	out := run(t, py, "-c", "import json,sys,tomllib; sys.stdout.write(json.dumps(tomllib.load(open(sys.argv[1],'rb'))['v']))", file)
	compareJSON(t, "tomllib", out, hostile, b.String())
}

// TestHeaderLine: a value HeaderLine accepts is one line that a _headers
// reader (the text after the first ": ", trimmed) reads back as it is;
// every value holding a line break, a control character, non-ASCII or
// edge spaces is refused.
func TestHeaderLine(t *testing.T) {
	t.Parallel()
	for _, v := range append(append([]string{" x", "x ", "\t"}, hostile...), bytesOnly...) {
		line, ok := quote.HeaderLine(v)
		clean := v == strings.TrimSpace(v) && !strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e })
		if ok != clean {
			t.Errorf("HeaderLine(%q): ok %v, want %v", v, ok, clean)
			continue
		}
		if !ok {
			continue
		}
		text := "/*\n  X-Test: " + line + "\n"
		_, got, _ := strings.Cut(strings.Split(text, "\n")[1], ": ")
		if strings.Count(text, "\n") != 2 || strings.TrimSpace(got) != v {
			t.Errorf("HeaderLine(%q) reads back as %q", v, got)
		}
	}
}
