package gen

func init() {
	register(Stack{
		Name:      "express",
		Title:     "Express with the cors package",
		Recognize: recognizeExpress,
		Doctor:    true,
		Comment:   "//",
		Snippet: func(parts []Part) []Part {
			first := parts[0]
			return []Part{
				{Where: "A. The app has no CORS yet (npm install cors): " + first.Where + ", add", Text: "const cors = require('cors');\n" + first.Text},
				{Where: "B. The app already calls cors(...): replace that call with this one, " + first.Where + "; keep the app's own require('cors')", Text: first.Text},
			}
		},
		Proof: "proved by gen's TestExpress (policies, the engines' models) and TestAnyHeaderInRealEngines (Chromium, Firefox, WebKit)",
	})
}

// recognizeExpress reads X-Powered-By: Express (or Server), unless the
// body is NestJS's error JSON: Nest runs on Express and keeps its header.
func recognizeExpress(a Answer) Evidence {
	if nestErrorBody(a) != "" {
		return Evidence{}
	}
	return byHeaders([]string{"express"}, []string{"express"})(a)
}
