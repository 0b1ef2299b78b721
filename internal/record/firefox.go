package record

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/corskit/corskit/check"
)

// FirefoxPath returns the Firefox binary: $CORSKIT_FIREFOX, else
// firefox-esr or firefox on PATH, else "".
func FirefoxPath() string {
	if p := os.Getenv("CORSKIT_FIREFOX"); p != "" {
		return p
	}
	for _, name := range []string{"firefox-esr", "firefox"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// firefoxQuiet turns off Firefox's own background traffic (updates,
// telemetry, safe browsing, experiments, captive-portal and connectivity
// checks, push, prefetching): the browser talks only to what the app asks
// for.
const firefoxQuiet = `
user_pref("app.update.enabled", false);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("browser.search.update", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("messaging-system.rsexperimentloader.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.http.speculative-parallel-limit", 0);
user_pref("dom.push.connection.enabled", false);
user_pref("browser.region.network.url", "");
user_pref("geo.provider.network.url", "");
`

var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// runFirefox records a session in Firefox by WebDriver BiDi.
func runFirefox(ctx context.Context, o Options, base check.Options) (Session, error) {
	path := FirefoxPath()
	if path == "" {
		return Session{}, fmt.Errorf("firefox: %w: install it (apt-get install firefox-esr) or set CORSKIT_FIREFOX to its path", ErrNoBrowser)
	}
	if !o.Headless && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return Session{}, fmt.Errorf("firefox: no display (DISPLAY is empty) for a window: add --headless")
	}
	profile, cleanup, err := profileDir(o.Profile)
	if err != nil {
		return Session{}, err
	}
	defer cleanup()
	prefs := firefoxQuiet + strings.Join(o.FirefoxPrefs, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(prefs), 0o600); err != nil {
		return Session{}, fmt.Errorf("--profile %s: %v: give a folder you can write", profile, err)
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	args := []string{"--no-remote", "--profile", profile, "--remote-debugging-port=0", "--remote-allow-origins=http://127.0.0.1"}
	if o.Headless {
		args = append([]string{"--headless"}, args...)
	}
	cmd := exec.CommandContext(fctx, path, args...)
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1")
	out, err := cmd.StderrPipe()
	if err != nil {
		return Session{}, err
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		return Session{}, fmt.Errorf("starting Firefox at %s: %v", path, err)
	}
	defer cmd.Wait()
	defer cancel()
	wsURL, err := waitBiDi(out, o.Timeout*2)
	if err != nil {
		return Session{}, fmt.Errorf("firefox at %s: %v", path, err)
	}
	s := newSession("firefox", base, o)
	b, err := dialBiDi(wsURL, s.firefoxEvent)
	if err != nil {
		return Session{}, fmt.Errorf("connecting to Firefox's WebDriver BiDi at %s: %v", wsURL, err)
	}
	defer b.close()
	d, err := newFirefoxDriver(b, o.Timeout)
	if err != nil {
		return Session{}, err
	}
	defer b.call("browser.close", map[string]any{}, 5*time.Second)
	return s.run(ctx, d)
}

// waitBiDi reads Firefox's output until it says where BiDi listens.
func waitBiDi(out interface{ Read([]byte) (int, error) }, timeout time.Duration) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := bidiListening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case u := <-found:
		return u, nil
	case <-t.C:
		return "", fmt.Errorf("WebDriver BiDi did not start within %s", timeout)
	}
}
