package gen

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
