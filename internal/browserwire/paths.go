package browserwire

import (
	"os"
	"os/exec"
)

// ChromiumPath returns the Chromium binary: $CORSKIT_CHROMIUM, else
// chromium, chromium-browser or google-chrome on PATH, else "".
func ChromiumPath() string {
	return binary("CORSKIT_CHROMIUM", "chromium", "chromium-browser", "google-chrome")
}

// FirefoxPath returns the Firefox binary: $CORSKIT_FIREFOX, else
// firefox-esr or firefox on PATH, else "".
func FirefoxPath() string { return binary("CORSKIT_FIREFOX", "firefox-esr", "firefox") }

// binary is $env, else the first of names on PATH, else "".
func binary(env string, names ...string) string {
	if p := os.Getenv(env); p != "" {
		return p
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
