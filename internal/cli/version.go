package cli

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version is stamped at build time:
//
//	go build -ldflags "-X github.com/corskit/corskit/internal/cli.version=v0.1.0" ./cmd/corskit
var version string

// Version returns corskit's version: the stamped one, else the module version
// from the build information ("v0.1.0" when installed with go install), else
// "devel" with the VCS revision when built from a checkout.
func Version() string {
	if version != "" {
		return version
	}
	return versionFrom(debug.ReadBuildInfo())
}

func versionFrom(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev == "":
		return "devel"
	case dirty:
		return "devel-" + rev + "-dirty"
	}
	return "devel-" + rev
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	if code, ok := parseNoArgs("corskit version", "Usage: corskit version\n\nPrints corskit's version: the module version after go install, or devel and the commit in a checkout.\n", args, stderr); !ok {
		return code
	}
	fmt.Fprintf(stdout, "corskit %s\n", Version())
	return ExitOK
}
