package gen

func init() {
	register(Stack{
		Name:      "php",
		Title:     "PHP (header() in the front controller)",
		Recognize: byHeaders([]string{"php"}, []string{"php"}),
		Doctor:    true,
		Comment:   "//",
		Proof:     "proved by gen's TestPHP (php -S; the engines' models) and TestAnyHeaderInRealEngines (Chromium, Firefox, WebKit)",
	})
}
