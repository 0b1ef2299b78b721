package record

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browserwire"
)

// FirefoxPath returns the Firefox binary: $CORSKIT_FIREFOX, else
// firefox-esr or firefox on PATH, else "".
func FirefoxPath() string { return browserwire.FirefoxPath() }

// runFirefox records a session in Firefox by WebDriver BiDi.
func runFirefox(ctx context.Context, o Options, base check.Options) (Session, error) {
	path := FirefoxPath()
	if err := canLaunch(o, "firefox", path, "apt-get install firefox-esr", "CORSKIT_FIREFOX"); err != nil {
		return Session{}, err
	}
	profile, cleanup, err := profileDir(o.Profile)
	if err != nil {
		return Session{}, err
	}
	defer cleanup()
	prefs := browserwire.FirefoxQuietPrefs + strings.Join(o.FirefoxPrefs, "\n") + "\n"
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
	cmd.Env = append(os.Environ(), browserwire.FirefoxEnv...)
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
	wsURL, err := browserwire.WaitBiDi(out, o.startTimeout())
	if err != nil {
		return Session{}, fmt.Errorf("firefox at %s: %v", path, err)
	}
	s := newSession("firefox", base, o)
	b, err := browserwire.DialBiDi(wsURL, 16<<20, s.firefoxEvent)
	if err != nil {
		return Session{}, fmt.Errorf("connecting to Firefox's WebDriver BiDi at %s: %v", wsURL, err)
	}
	defer b.Close()
	d, err := newFirefoxDriver(b, o.startTimeout(), o.Timeout)
	if err != nil {
		return Session{}, err
	}
	defer b.Call("browser.close", map[string]any{}, 5*time.Second)
	return s.run(ctx, d)
}
