package gen

import "strings"

func init() {
	register(Stack{
		Name:      "nginx",
		Title:     "nginx",
		Recognize: byHeaders([]string{"nginx"}, []string{"nginx"}),
		Doctor:    true,
		Snippet: func(parts []Part) []Part {
			for i := range parts {
				if strings.HasPrefix(parts[i].Where, "in the location") {
					parts[i].Where += "; remove the location's own Access-Control-* add_header lines first, and any if () block that adds them"
				}
			}
			return parts
		},
		Proof: "proved by gen's TestNginx (the engines' models) and TestAnyHeaderInRealEngines (Chromium, Firefox, WebKit)",
	})
}
