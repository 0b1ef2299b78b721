package gen

import "strings"

func init() {
	register(Stack{
		Name:      "flask",
		Title:     "Flask with Flask-CORS",
		Recognize: byHeaders([]string{"flask", "werkzeug"}, []string{"werkzeug", "flask"}),
		Doctor:    true,
		Snippet: func(parts []Part) []Part {
			f := libraryForms{
				add:     "A. The app has no Flask-CORS yet (pip install flask-cors): {where}, add",
				replace: "B. The app already calls CORS(app, ...): replace that call with this one; keep the app's own imports",
				imports: "from flask_cors import CORS\n",
			}
			if strings.Contains(parts[0].Text, "re.compile") {
				// A pattern (any header, an origin pattern) needs re,
				// which the app may not import.
				f.both = "import re\n"
			}
			return f.snippet(parts)
		},
		Proof: "proved by gen's TestFlask (policies, the engines' models) and TestAnyHeaderInRealEngines (Chromium, Firefox, WebKit)",
	})
}
