// Command npminstall installs the npm packages corskit's tests run
// (servertest.NPMPackages) into servertest.NPMDir(), so that the tests
// themselves never reach the npm registry. .ci/run calls it:
//
//	go run ./internal/servertest/npminstall
package main

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/corskit/corskit/internal/servertest"
)

func main() {
	dir := servertest.NPMDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "npminstall:", err)
		os.Exit(1)
	}
	if _, err := os.Stat(dir + "/package.json"); err != nil {
		os.WriteFile(dir+"/package.json", []byte("{\"private\": true}\n"), 0o644)
	}
	args := append([]string{"install", "--no-audit", "--no-fund", "--prefix", dir}, servertest.NPMPackages...)
	cmd := exec.Command("npm", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "npminstall: npm %v: %v\n", args, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "npminstall: %v in %s\n", servertest.NPMPackages, dir)
}
