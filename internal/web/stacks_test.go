package web

import (
	"regexp"
	"strings"
	"testing"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/gen"
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
		if strings.Count(got, `<option value="`+s+`"`) != 1 {
			t.Errorf("stack %s is not offered once", s)
		}
	}
}

// TestUnprovedMarkedEverywhere: in the stack chooser, an unproved stack's
// option says "(not proved)" and carries why (data-unproved, which the
// fix tabs show: TestPage checks the tabs); a proved one neither.
func TestUnprovedMarkedEverywhere(t *testing.T) {
	index, err := page.ReadFile("page/index.html")
	if err != nil {
		t.Fatal(err)
	}
	got := string(withStacks(index))
	for _, name := range check.Stacks() {
		s, _ := gen.LookupStack(name)
		opt := regexp.MustCompile(`<option value="` + regexp.QuoteMeta(name) + `"[^>]*>[^<]*</option>`).FindString(got)
		marked := strings.Contains(opt, "(not proved)</option>") && strings.Contains(opt, `data-unproved="NOT PROVED on a real server here: `)
		if marked == s.Proved() || (s.Proved() && strings.Contains(opt, "not proved")) {
			t.Errorf("%s (proved: %v): %s", name, s.Proved(), opt)
		}
	}
}
