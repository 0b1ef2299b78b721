package lint

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestHostileNginxFilesCostLittle: a file at the size limit that nests
// blocks a million deep, or holds two million directives, is refused with an
// error naming the limit, and reading it allocates a small multiple of its
// size (it once took 1.4 GB and 39 s, a stack frame per brace).
func TestHostileNginxFilesCostLittle(t *testing.T) {
	half := MaxFileSize / 4
	for _, tc := range []struct {
		name, body, want string
	}{
		{"deep.conf", strings.Repeat("a{", half) + strings.Repeat("}", half), "nest over 64 levels"},
		{"open.conf", strings.Repeat("a{", 2*half), "nest over 64 levels"},
		{"many.conf", strings.Repeat("a;", 2*half), "over 50000 directives"},
		{"args.conf", "a " + strings.Repeat("b ", 2*half-2) + ";", "a has over 1000 arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name)
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := File(path)
			runtime.ReadMemStats(&after)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path)) {
				t.Errorf("got %v; want an error naming %s and %q", err, path, tc.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16*uint64(len(tc.body)) {
				t.Errorf("allocated %d bytes for a %d-byte file; want at most 16x", alloc, len(tc.body))
			}
		})
	}
}
