package gen_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// TestFlaskStarInAHeaderName: the policy reads * inside a header name as a
// character; Flask-CORS reads a header entry holding *, $ or ^ as a regular
// expression matched at the start, so x-amz-meta-* would allow
// x-amz-meta-color. The generated app must refuse what the policy refuses.
func TestFlaskStarInAHeaderName(t *testing.T) {
	t.Parallel()
	python := servertest.Flask(t)
	cfg := cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"x-amz-meta-*", "Content-Type"}}
	out, _, err := gen.Generate("flask", gen.Options{Policy: cfg, BestEffort: true})
	if err != nil {
		t.Fatal(err)
	}
	dir, port := t.TempDir(), servertest.FreePort(t)
	os.WriteFile(filepath.Join(dir, "app.py"), []byte(out), 0o600)
	servertest.Start(t, dir, port, []string{fmt.Sprintf("PORT=%d", port)}, python, "app.py")
	url := fmt.Sprintf("http://127.0.0.1:%d/data", port)
	if ok, _ := emulatorAllows(t, url, "https://app.example.com", "PUT", browser.Header{Name: "x-amz-meta-color", Value: "red"}); ok {
		t.Errorf("flask: a PUT with x-amz-meta-color is allowed; the policy refuses it\n%s", out)
	}
	if ok, msg := emulatorAllows(t, url, "https://app.example.com", "PUT", browser.Header{Name: "Content-Type", Value: "application/json"}); !ok {
		t.Errorf("flask: a PUT with Content-Type is refused (%s); the policy allows it", msg)
	}
}
