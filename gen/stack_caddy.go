package gen

func init() {
	register(Stack{
		Name:      "caddy",
		Title:     "Caddy",
		Recognize: byHeaders([]string{"caddy"}, []string{"caddy"}),
		Doctor:    true,
		Snippet: func(parts []Part) []Part {
			parts[0].Where += "; remove the site's own Access-Control-* header lines first"
			return parts
		},
		Proof: "proved by gen's TestCaddy (the engines' models) and TestAnyHeaderInRealEngines (Chromium, Firefox, WebKit)",
	})
}
