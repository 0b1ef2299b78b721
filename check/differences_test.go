package check_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// differences tallies, over the differential test's scenarios, what each
// engine does differently: its real verdicts against Chromium's, its console
// lines, and for each of the model's quirks in how many scenarios the
// verdict or the console lines would change without it. CORSKIT_TABLE=1 prints it as the table in docs/check.md.
type differences struct {
	mu      sync.Mutex        // the engines run in parallel
	ok      map[string][]bool // engine to real outcomes, by scenario index
	lines   map[string]int    // engine to console lines of blocked requests
	blocked map[string]int
	quirks  map[string]map[string]int // engine to quirk to scenarios changed
}

// quirks are the Engine fields that change what the shared Fetch logic does.
var quirks = []string{"PreflightsAfterRedirect", "PreflightKeepsOrigin", "PreflightRedirectCORSFirst", "MethodBeforeHeaderList", "PreflightStatusFirst",
	"CrossOriginRedirectDeleteToGet", "RedirectKeepsAuthorization", "RedirectKeepsContentHeaders", "RefusedInHeaderMapOrder"}

func newDifferences(n int) *differences {
	return &differences{ok: map[string][]bool{}, lines: map[string]int{}, blocked: map[string]int{}, quirks: map[string]map[string]int{}}
}

func (d *differences) record(engine string, i int, ok bool, lines int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ok[engine] == nil {
		d.ok[engine] = []bool{}
	}
	for len(d.ok[engine]) <= i {
		d.ok[engine] = append(d.ok[engine], false)
	}
	d.ok[engine][i] = ok
	if !ok {
		d.blocked[engine]++
		d.lines[engine] += lines
	}
}

// counterfactuals runs the model again with each quirk the engine has
// turned off, and counts the scenarios whose verdict or lines change.
func (d *differences) counterfactuals(e *browser.Engine, req browser.Request, body string, v browser.Verdict) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.quirks[e.Name] == nil {
		d.quirks[e.Name] = map[string]int{}
	}
	for _, q := range quirks {
		copied, ok := e.Without(q)
		if !ok {
			continue
		}
		w := copied.Fetch(req, check.Transport(context.Background(), check.Options{Body: body, Timeout: 5 * time.Second}))
		if w.Allowed != v.Allowed || !slices.Equal(w.Messages, v.Messages) {
			d.quirks[e.Name][q]++
		}
	}
}

// markdown renders the table.
func (d *differences) markdown() string {
	var b strings.Builder
	names := []string{"chromium", "firefox", "safari"}
	b.WriteString("| | Chromium 156 | Firefox 153 | Safari (WebKit 2.50) |\n|---|---|---|---|\n")
	row := func(label string, cell func(engine string) string) {
		b.WriteString("| " + label)
		for _, n := range names {
			b.WriteString(" | " + cell(n))
		}
		b.WriteString(" |\n")
	}
	row("verdicts that differ from Chromium's", func(n string) string {
		diff := 0
		for i, ok := range d.ok[n] {
			if i < len(d.ok["chromium"]) && ok != d.ok["chromium"][i] {
				diff++
			}
		}
		return fmt.Sprint(diff)
	})
	row("console lines per blocked request", func(n string) string {
		if d.blocked[n] == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", float64(d.lines[n])/float64(d.blocked[n]))
	})
	row("preflight cache cap (Access-Control-Max-Age)", func(n string) string {
		e, _ := browser.EngineNamed(n)
		return fmt.Sprintf("%d s", e.MaxAge)
	})
	for _, q := range quirks {
		row("`"+q+"`", func(n string) string {
			e, _ := browser.EngineNamed(n)
			if !slices.Contains(e.Quirks(), q) {
				return "no"
			}
			return fmt.Sprintf("yes (without it, %d differ)", d.quirks[n][q])
		})
	}
	return b.String()
}
