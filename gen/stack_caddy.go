package gen

func init() {
	register(Stack{
		Name:      "caddy",
		Title:     "Caddy",
		Recognize: byHeaders([]string{"caddy"}, []string{"caddy"}),
		Doctor:    true,
		Snippet:   whereNote("; remove the site's own Access-Control-* header lines first"),
		Proof:     "proved by gen's TestCaddy (the engines' models) and TestAnyHeaderInRealEngines (Chromium, Firefox, WebKit)",
	})
}
