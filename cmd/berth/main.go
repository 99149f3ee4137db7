// Command berth is a daemonless container and pod engine with a podman-
// and docker-compatible command line.
package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/trace"

	"github.com/berth-dev/berth/cli"
)

func main() {
	if cli.Reexec() {
		return
	}
	if os.Getenv("GOGC") == "" {
		// A CLI process lives for milliseconds: collecting garbage four
		// times less often saves CPU (listing thousands of containers)
		// for a few MiB of peak memory.
		debug.SetGCPercent(400)
	}
	if p := os.Getenv("BERTH_TRACE"); p != "" {
		// An execution trace (go tool trace) of one command, for bench/:
		// it shows where wall time goes, waits on children included.
		if f, err := os.Create(p); err == nil && trace.Start(f) == nil {
			code := cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			trace.Stop()
			f.Close()
			os.Exit(code)
		}
	}
	// Signals are not turned into a cancelled context: `run` and `start -a`
	// proxy them to the container (--sig-proxy) and keep waiting.
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
