package gen

func init() {
	register(Stack{
		Name:    "go",
		Title:   "Go with corskit's cors middleware",
		Doctor:  true,
		Comment: "//",
		Snippet: whereNote(" (import \"github.com/corskit/corskit/cors\")"),
		Proof:   "proved by gen's TestGo (the engines' models)",
	})
}
