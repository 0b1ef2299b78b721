package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/corskit/corskit/internal/servertest"
)

// injectAxe loads axe-core (pinned in servertest, never served by corskit)
// into the page of ctx.
func injectAxe(t *testing.T, ctx context.Context) {
	t.Helper()
	axe, err := os.ReadFile(filepath.Join(servertest.NPMModules(t, servertest.AxePackage), "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	eval[any](t, ctx, string(axe)+";0")
}

// axeSerious runs axe-core on the page and returns its serious and
// critical violations, one line each.
func axeSerious(t *testing.T, ctx context.Context) []string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	return v
}

// colorScheme emulates prefers-color-scheme: light or dark.
func colorScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
		t.Fatal(err)
	}
}
