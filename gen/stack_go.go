package gen

func init() {
	register(Stack{
		Name:    "go",
		Title:   "Go with corskit's cors middleware",
		Doctor:  true,
		Comment: "//",
		Snippet: func(parts []Part) []Part {
			parts[0].Where += " (import \"github.com/corskit/corskit/cors\")"
			return parts
		},
		Proof: "proved by gen's TestGo (the engines' models)",
	})
}
