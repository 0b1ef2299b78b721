package web

import (
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
)

// TestStackChooserFromTheRegistry: the page's stack chooser lists every
// stack the doctor writes for (the registry's), once, after "detect".
func TestStackChooserFromTheRegistry(t *testing.T) {
	index, err := page.ReadFile("page/index.html")
	if err != nil {
		t.Fatal(err)
	}
	got := string(withStacks(index))
	if strings.Count(got, `<select id="stack">`) != 1 || !strings.Contains(got, `<select id="stack"><option value="auto">detect</option>`) {
		t.Fatalf("the stack chooser:\n%s", got)
	}
	for _, s := range append(check.Stacks(), "django", "fastapi", "aiohttp") {
		if strings.Count(got, `<option value="`+s+`">`) != 1 {
			t.Errorf("stack %s is not offered once", s)
		}
	}
}
