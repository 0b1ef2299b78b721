package gen

// nodeSnippet is the doctor's two forms for a Node framework's CORS
// package pkg: A adds it (with requireLine, if the marked piece does not
// require it itself), B replaces the app's own registration of it.
func nodeSnippet(pkg, requireLine string) func(parts []Part) []Part {
	return func(parts []Part) []Part {
		first := parts[0]
		return []Part{
			{Where: "A. The app has no CORS yet (npm install " + pkg + "): " + first.Where + ", add", Text: requireLine + first.Text},
			{Where: "B. The app already uses " + pkg + ": replace its call with this one, " + first.Where + "; keep the app's own require", Text: first.Text},
		}
	}
}
