// Command ceramic runs a Ceramic node: `ceramic daemon` takes js-ceramic's flags and
// daemon.config.json, `ceramic anchor-service` runs the built-in anchor service alone, and
// `ceramic version` prints the version.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/goceramic/ceramic/internal/buildinfo"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Usage: ceramic [command] [options]

Commands:
  daemon [options]   Start a Ceramic node (see: ceramic daemon --help)
  anchor-service     Run the built-in anchor service alone (see: ceramic anchor-service --help)
  version            Print the version

Options:
  -v, -V, --version  Print the version
  -h, --help         Show this help
`

// run dispatches a command line and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 1
	}
	switch args[0] {
	case "daemon":
		return runDaemon(args[1:], stdout, stderr)
	case "anchor-service":
		return runAnchorService(args[1:], stdout, stderr)
	case "version", "-v", "-V", "--version":
		printVersion(stdout)
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "error: unknown command '%s'\n\n%s", args[0], usage)
		return 1
	}
}

func printVersion(w io.Writer) {
	fmt.Fprintln(w, buildinfo.Version())
}
