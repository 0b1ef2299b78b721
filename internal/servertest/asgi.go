package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Uvicorn returns Debian's python3 with Starlette, FastAPI and uvicorn
// (python3-fastapi, python3-uvicorn), or skips loudly.
func Uvicorn(t *testing.T) string {
	t.Helper()
	python := Need(t, "/usr/bin/python3")
	if err := exec.Command(python, "-c", "import starlette, fastapi, uvicorn").Run(); err != nil {
		Need(t, "python3-fastapi and python3-uvicorn (Debian's Starlette, FastAPI and uvicorn)")
	}
	return python
}

// ServeASGI runs src, a Python module that defines an ASGI `app`
// (Starlette, FastAPI), under uvicorn on a free loopback port until the test
// ends, and returns its base URL, e.g. http://127.0.0.1:41234.
func ServeASGI(t *testing.T, src string) string {
	t.Helper()
	python := Uvicorn(t)
	dir, port := t.TempDir(), FreePort(t)
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	Start(t, dir, port, nil, python, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", fmt.Sprint(port), "--log-level", "warning")
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}
