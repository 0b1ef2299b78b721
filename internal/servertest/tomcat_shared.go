package servertest

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sharedTomcat is the one Tomcat 10 of a test process: Tomcat takes 5 to
// 20 s to start on a loaded machine, deploying an app on a running one
// about a second. It lives until the test process ends (the kernel kills
// it then: Pdeathsig), in a directory under the system's temporary one.
type sharedTomcat struct {
	base, url string
	log       *SyncBuffer
	err       error
	apps      atomic.Int64
}

var (
	tomcatOnce   sync.Once
	tomcatShared *sharedTomcat
)

// TomcatApp deploys an app made of webXML (its WEB-INF/web.xml) and files
// (path under the app: content) on the test process's shared Tomcat 10,
// waits until Tomcat serves it, and returns its base URL
// (http://127.0.0.1:PORT/NAME). The app is undeployed when the test ends.
// It fails the test when the app does not start (catalina's log is
// shown), and skips loudly when Tomcat is missing (or fails with
// CORSKIT_REQUIRE_SERVERS=1).
func TomcatApp(t *testing.T, webXML string, files map[string]string) string {
	t.Helper()
	url, failed := DeployTomcatApp(t, webXML, files)
	if failed != "" {
		t.Fatalf("tomcat did not start the app %s:\n%s", url, failed)
	}
	return url
}

// DeployTomcatApp is TomcatApp for an app that may fail to start: failed
// is catalina's log of the failure, "" when the app runs.
func DeployTomcatApp(t *testing.T, webXML string, files map[string]string) (url, failed string) {
	t.Helper()
	catalina := Need(t, filepath.Join(tomcatHome, "bin", "catalina.sh"))
	Need(t, "java")
	tomcatOnce.Do(func() { tomcatShared = startSharedTomcat(catalina) })
	s := tomcatShared
	if s.err != nil {
		t.Fatalf("the shared tomcat did not start: %v", s.err)
	}
	name := fmt.Sprintf("app%d", s.apps.Add(1))
	stage := filepath.Join(s.base, "stage", name)
	for path, content := range map[string]string{"WEB-INF/web.xml": webXML, "corskit-ready": "ready"} {
		files = mapWith(files, path, content)
	}
	for path, content := range files {
		file := filepath.Join(stage, filepath.FromSlash(path))
		os.MkdirAll(filepath.Dir(file), 0o755)
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// One rename: Tomcat never sees the app half written.
	app := filepath.Join(s.base, "webapps", name)
	if err := os.Rename(stage, app); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(app) })
	url = s.url + "/" + name
	return url, s.waitApp(t, name)
}

// mapWith returns m with key set to value, leaving m as it was.
func mapWith(m map[string]string, key, value string) map[string]string {
	out := map[string]string{key: value}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// waitApp waits until Tomcat serves the app's corskit-ready file, or logs
// that the app failed to start; it returns the log then.
func (s *sharedTomcat) waitApp(t *testing.T, name string) string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(s.url + "/" + name + "/corskit-ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return ""
			}
		}
		if log := s.log.String(); strings.Contains(log, "Context [/"+name+"] startup failed") {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("tomcat did not deploy %s within 60 s (%v); its log:\n%s", name, err, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startSharedTomcat starts the process's Tomcat, with a ROOT app, and
// waits until it serves it. Tomcat checks its webapps directory every
// second (backgroundProcessorDelay) and deploys what appears there; it
// scans no JAR for TLDs or annotations, which takes seconds per app.
func startSharedTomcat(catalina string) *sharedTomcat {
	s := &sharedTomcat{log: &SyncBuffer{}}
	removeStale("corskit-tomcat-*")
	base, err := os.MkdirTemp("", "corskit-tomcat-")
	if err != nil {
		return &sharedTomcat{err: err}
	}
	s.base = base
	os.WriteFile(filepath.Join(base, "owner.pid"), []byte(fmt.Sprint(os.Getpid())), 0o600)
	port, err := reservePort()
	if err != nil {
		return &sharedTomcat{err: err}
	}
	layout := tomcatLayout{dirs: []string{"stage", "webapps/ROOT"}, engine: ` backgroundProcessorDelay="1"`, autoDeploy: true, skipJars: true}
	if err := tomcatBase(base, port, layout); err != nil {
		return &sharedTomcat{err: err}
	}
	os.WriteFile(filepath.Join(base, "webapps", "ROOT", "corskit-ready"), []byte("ready"), 0o600)
	s.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	started := make(chan error, 1)
	go runForProcess(catalina, []string{"run"}, base, []string{"CATALINA_HOME=" + tomcatHome, "CATALINA_BASE=" + base}, s.log, started)
	if err := <-started; err != nil {
		return &sharedTomcat{err: err}
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(s.url + "/corskit-ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			return &sharedTomcat{err: fmt.Errorf("tomcat on %s did not answer within 90 s (%v); its log:\n%s", s.url, err, s.log.String())}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// removeStale removes the directories, named by pattern under the system's
// temporary one, of shared servers (Tomcat, Azurite) whose test process
// has ended: no process is left to remove them itself.
func removeStale(pattern string) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), pattern))
	for _, d := range dirs {
		pid, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		if _, err := os.Stat("/proc/" + strings.TrimSpace(string(pid))); os.IsNotExist(err) {
			os.RemoveAll(d)
		}
	}
}
