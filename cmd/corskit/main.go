// Command corskit ends the browser's "blocked by CORS policy" error: run
// "corskit help" for its subcommands.
package main

import (
	"os"

	"github.com/corskit/corskit/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
}
