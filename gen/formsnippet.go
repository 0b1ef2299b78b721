package gen

import "strings"

// formsSnippet is the doctor's two forms for a framework's own CORS
// configuration: A adds it to an app that has none (addHow says how to
// install or enable the layer), B replaces the app's own (keep says what of
// the app's to keep). Each marked piece appears in both forms.
func formsSnippet(addHow, keep string) func(parts []Part) []Part {
	return func(parts []Part) []Part {
		var a, b []Part
		for _, p := range parts {
			a = append(a, Part{Where: "A. The app has no CORS yet (" + addHow + "): " + p.Where + ", add", Text: p.Text})
			b = append(b, Part{Where: "B. The app already configures CORS: " + p.Where + ", replacing its own; " + keep, Text: p.Text})
		}
		return append(a, b...)
	}
}

// notProvedLine is the line comment every output of a stack that does not
// run here carries, after its header.
const notProvedLine = "NOT PROVED on a real server here: %s is not packaged for this machine; corskit's tests check this output against its documented API only."

// whereNote is the doctor's snippet for a configuration: the pieces as gen
// marks them, with note (what of the server's own CORS to remove first)
// after the first one's Where.
func whereNote(note string) func(parts []Part) []Part {
	return func(parts []Part) []Part {
		parts[0].Where += note
		return parts
	}
}

// libraryForms is the doctor's two forms for a CORS layer set up in one
// marked piece: A adds it to an app that has none, B replaces the app's
// own. In add and replace, {where} stands for the piece's own Where.
type libraryForms struct {
	add, replace string
	// imports are the lines A writes before the piece (an import, a
	// require) that an app with the layer already has.
	imports string
	// both are lines both forms write before the piece (one the piece
	// needs and the app may not import).
	both string
}

// snippet is the two forms of the first marked piece.
func (f libraryForms) snippet(parts []Part) []Part {
	first := parts[0]
	return []Part{
		{Where: strings.ReplaceAll(f.add, "{where}", first.Where), Text: f.both + f.imports + first.Text},
		{Where: strings.ReplaceAll(f.replace, "{where}", first.Where), Text: f.both + first.Text},
	}
}

// nodeSnippet is the doctor's two forms for a Node framework's CORS
// package pkg: A adds it (with requireLine, if the marked piece does not
// require it itself), B replaces the app's own registration of it.
func nodeSnippet(pkg, requireLine string) func(parts []Part) []Part {
	return libraryForms{
		add:     "A. The app has no CORS yet (npm install " + pkg + "): {where}, add",
		replace: "B. The app already uses " + pkg + ": replace its call with this one, {where}; keep the app's own require",
		imports: requireLine,
	}.snippet
}
