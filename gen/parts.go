package gen

import (
	"strings"
)

// Part is one piece of a generated configuration, to paste into a server
// that already runs: every output marks its pieces with a "BEGIN corskit
// CORS: where" and an "END corskit CORS" comment.
type Part struct {
	// Where says where the piece goes, e.g. "in http { }, outside any
	// server { }".
	Where string `json:"where"`
	// Text is the piece, without the markers, unindented.
	Text string `json:"text"`
}

// Parts generates target's configuration for o and returns its marked
// pieces (the first one's Where saying "(not proved on a real server
// here)" for an unproved target): what an existing app or server needs, without the scaffolding
// that makes the output run on its own. A proxy target without
// o.Upstream is generated with a placeholder upstream, which no piece holds.
func Parts(target string, o Options) ([]Part, []Omission, error) {
	if t, ok := Lookup(target); ok && t.Proxy && o.Upstream == "" {
		o.Upstream = "http://127.0.0.1:5000"
	}
	out, omitted, err := Generate(target, o)
	if err != nil {
		return nil, omitted, err
	}
	parts := markedParts(out)
	if t, _ := Lookup(target); len(parts) == 0 && t.whole != "" {
		parts = []Part{{Where: t.whole, Text: out}}
	}
	if len(parts) > 0 && UnprovedNote(target) != "" {
		// The doctor's snippet, in the terminal and on the page, carries
		// the mark with the pieces: they hold no header comment.
		parts[0].Where += " (" + UnprovedMark + " on a real server here)"
	}
	return parts, omitted, nil
}

const (
	beginMark = "BEGIN corskit CORS: "
	endMark   = "END corskit CORS"
)

// markedParts cuts the marked pieces out of a generated output.
func markedParts(out string) []Part {
	var parts []Part
	var cur *Part
	var lines []string
	for line := range strings.SplitSeq(out, "\n") {
		switch where, begin := marker(line, beginMark); {
		case cur == nil && begin:
			where = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(where), "-->"))
			cur = &Part{Where: strings.TrimSuffix(where, ".")}
			lines = nil
		case cur != nil && isMarker(line, endMark):
			cur.Text = dedent(lines)
			parts = append(parts, *cur)
			cur = nil
		case cur != nil:
			lines = append(lines, line)
		}
	}
	return parts
}

// marker reports whether line is a comment line that opens with mark, and
// returns what follows it. A mark elsewhere on a line (in a value) is not
// a marker.
func marker(line, mark string) (rest string, ok bool) {
	line = strings.TrimLeft(line, " \t")
	for _, c := range []string{"# ", "// ", "<!-- "} {
		if after, found := strings.CutPrefix(line, c+mark); found {
			return after, true
		}
	}
	return "", false
}

func isMarker(line, mark string) bool {
	_, ok := marker(line, mark)
	return ok
}

// dedent removes the indentation the lines share and joins them.
func dedent(lines []string) string {
	common, seen := "", false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ind := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if !seen {
			common, seen = ind, true
			continue
		}
		for !strings.HasPrefix(ind, common) {
			common = common[:len(common)-1]
		}
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(strings.TrimPrefix(l, common))
		b.WriteByte('\n')
	}
	return strings.TrimLeft(b.String(), "\n")
}
