package gen

import "strings"

func init() {
	register(Stack{
		Name:      "flask",
		Title:     "Flask with Flask-CORS",
		Recognize: byHeaders([]string{"flask", "werkzeug"}, []string{"werkzeug", "flask"}),
		Doctor:    true,
		Snippet: func(parts []Part) []Part {
			first := parts[0]
			imports := "from flask_cors import CORS\n"
			if strings.Contains(first.Text, "re.compile") {
				imports = "import re\n" + imports
			}
			return []Part{
				{Where: "A. The app has no Flask-CORS yet (pip install flask-cors): " + first.Where + ", add", Text: imports + first.Text},
				{Where: "B. The app already calls CORS(app, ...): replace that call with this one; keep the app's own imports", Text: first.Text},
			}
		},
		Proof: "proved by gen's TestFlask (policies, the engines' models) and TestAnyHeaderInRealEngines (Chromium, Firefox, WebKit)",
	})
}
