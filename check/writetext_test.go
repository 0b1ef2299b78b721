package check_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

// failAfter accepts limit bytes, then fails every write, and counts the
// writes it was asked for after the first failure.
type failAfter struct {
	limit, n int
	late     int
	failed   bool
}

var errFull = errors.New("no space left on device")

func (f *failAfter) Write(p []byte) (int, error) {
	if f.failed {
		f.late++
		return 0, errFull
	}
	if f.n+len(p) > f.limit {
		f.failed = true
		return 0, errFull
	}
	f.n += len(p)
	return len(p), nil
}

// TestWriteTextReturnsTheFirstWriteError: a report written to a writer
// that fails part way returns the writer's error, as WriteJSON does, and
// stops writing; to a writer that does not fail it returns nil.
func TestWriteTextReturnsTheFirstWriteError(t *testing.T) {
	t.Parallel()
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "OPTIONS" {
			w.WriteHeader(404)
		}
	})
	r, err := check.Run(context.Background(), check.Options{URL: url + "/data", Origin: pageOrigin, Method: "PUT",
		Headers: []browser.Header{{Name: "Content-Type", Value: "application/json"}}, Stack: "flask"})
	if err != nil {
		t.Fatal(err)
	}
	var whole strings.Builder
	if err := r.WriteText(&whole, false); err != nil {
		t.Fatalf("to a strings.Builder: %v", err)
	}
	for _, limit := range []int{0, 100, whole.Len() / 2, whole.Len() - 1} {
		w := &failAfter{limit: limit}
		if err := r.WriteText(w, false); !errors.Is(err, errFull) {
			t.Errorf("writer full after %d of %d bytes: WriteText returned %v, want %v", limit, whole.Len(), err, errFull)
		}
		if w.late != 0 {
			t.Errorf("writer full after %d bytes: %d writes after the first error", limit, w.late)
		}
	}
}
