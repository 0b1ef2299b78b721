package cli

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"version"}, ExitOK, "corskit ", ""},
		{[]string{"--version"}, ExitOK, "corskit ", ""},
		{[]string{"help"}, ExitOK, "Commands:", ""},
		{nil, ExitUsage, "", "Usage: corskit"},
		{[]string{"frobnicate"}, ExitUsage, "", `unknown command "frobnicate"; run "corskit help"`},
		{[]string{"version", "extra"}, ExitUsage, "", `unexpected argument "extra"`},
	} {
		var out, errb bytes.Buffer
		code := Run(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("Run(%q): got %d, stdout %q, stderr %q; want %d, %q, %q", tc.args, code, out.String(), errb.String(), tc.code, tc.out, tc.err)
		}
	}
}

func TestVersionFrom(t *testing.T) {
	t.Parallel()
	info := func(v string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Version: v}}
		for i := 0; i < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	for _, tc := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{nil, false, "devel"},
		{info("v1.2.3"), true, "v1.2.3"},
		{info("(devel)"), true, "devel"},
		{info("(devel)", "vcs.revision", "0123456789abcdef", "vcs.modified", "false"), true, "devel-0123456789ab"},
		{info("(devel)", "vcs.revision", "0123456789abcdef", "vcs.modified", "true"), true, "devel-0123456789ab-dirty"},
	} {
		if got := versionFrom(tc.info, tc.ok); got != tc.want {
			t.Errorf("versionFrom(%+v): got %q; want %q", tc.info, got, tc.want)
		}
	}
}

// TestVersionStamped builds the real binary with a stamped version and runs it.
func TestVersionStamped(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if raceEnabled {
		t.Skip("builds the release binary, which -race does not change: a whole compile of the graph for nothing to watch")
	}
	bin := filepath.Join(t.TempDir(), "corskit")
	// The Dockerfile's settings (CGO_ENABLED=0, -trimpath; TestDockerfile),
	// so that the two builds share every compiled package and differ only
	// in the link: each setting compiles the whole graph anew on a clean
	// cache, as CI's is.
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X github.com/corskit/corskit/internal/cli.version=v9.8.7", "-o", bin, "github.com/corskit/corskit/cmd/corskit")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || string(out) != "corskit v9.8.7\n" {
		t.Fatalf("corskit version: got %q, %v; want \"corskit v9.8.7\\n\"", out, err)
	}
}

// TestErrorsNameFlags: the library's errors name API fields; the command
// names the flags that set them.
func TestErrorsNameFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"proxy", "--allow-origin", "https://a.example.com"}, "give --upstream (or CORSKIT_UPSTREAM, or upstream: in the file)"},
		{[]string{"gen", "nginx", "--allow-origin", "https://a.example.com"}, "give --upstream"},
		{[]string{"dev"}, "exactly one of --frontend"},
	} {
		var stderr strings.Builder
		Run(tc.args, io.Discard, &stderr)
		if !strings.Contains(stderr.String(), tc.want) || strings.Contains(stderr.String(), "Options.") || strings.Contains(stderr.String(), "Config.") {
			t.Errorf("corskit %s: stderr %q; want %q and no API field names", strings.Join(tc.args, " "), stderr.String(), tc.want)
		}
	}
}

// TestEveryCommandHasHelp: "corskit CMD --help" exits 0 for every command,
// and flags are shown as the docs spell them: --name, or -X for a single
// letter.
func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	longWithOneDash := regexp.MustCompile(`(?m)^  -[a-z][a-z-]+`)
	for _, c := range commands() {
		var out, errb bytes.Buffer
		if code := Run([]string{c.name, "--help"}, &out, &errb); code != ExitOK {
			t.Errorf("corskit %s --help: exit %d\n%s", c.name, code, errb.String())
			continue
		}
		help := out.String() + errb.String()
		if !strings.Contains(help, "Usage") && !strings.Contains(help, "usage") {
			t.Errorf("corskit %s --help says no usage:\n%s", c.name, help)
		}
		if m := longWithOneDash.FindString(help); m != "" {
			t.Errorf("corskit %s --help shows %q with one dash; the docs write --flag", c.name, strings.TrimSpace(m))
		}
	}
}
