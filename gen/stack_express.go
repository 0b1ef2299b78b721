package gen

func init() {
	register(Stack{
		Name:      "express",
		Title:     "Express with the cors package",
		Recognize: recognizeExpress,
		Doctor:    true,
		Comment:   "//",
		Snippet: libraryForms{
			add:     "A. The app has no CORS yet (npm install cors): {where}, add",
			replace: "B. The app already calls cors(...): replace that call with this one, {where}; keep the app's own require('cors')",
			imports: "const cors = require('cors');\n",
		}.snippet,
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
