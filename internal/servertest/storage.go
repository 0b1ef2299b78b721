package servertest

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// S3rver runs s3rver on loopback with one bucket per entry of corsXML
// (bucket name → CORSConfiguration XML; "" for a bucket without CORS), each
// holding the object "k", and returns its base URL (path-style:
// base/bucket/k).
func S3rver(t *testing.T, corsXML map[string]string) string {
	t.Helper()
	node, modules := Need(t, "node"), NPMModules(t, S3rverPackage)
	port := FreePort(t)
	data := t.TempDir()
	args := []string{filepath.Join(modules, "s3rver", "bin", "s3rver.js"), "-d", data, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "--silent", "--no-vhost-buckets"}
	for _, name := range slices.Sorted(maps.Keys(corsXML)) {
		if corsXML[name] == "" {
			args = append(args, "--configure-bucket", name)
			continue
		}
		file := filepath.Join(t.TempDir(), name+".xml")
		if err := os.WriteFile(file, []byte(corsXML[name]), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--configure-bucket", name, file)
	}
	Start(t, data, port, nil, node, args...)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for name := range corsXML {
		req, _ := http.NewRequest("PUT", base+"/"+name+"/k", strings.NewReader("hello"))
		storageDo(t, req)
	}
	return base
}

func storageDo(t *testing.T, req *http.Request) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s\n%s", req.Method, req.URL, resp.Status, body)
	}
}
