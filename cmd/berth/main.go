// Command berth is a daemonless container and pod engine with a podman-
// and docker-compatible command line.
package main

import (
	"context"
	"os"
	"runtime/debug"

	"github.com/berth-dev/berth/cli"
	"github.com/berth-dev/berth/internal/rootless"
)

func main() {
	if rootless.PauseMain() {
		return
	}
	rootless.Init()
	if cli.Reexec() {
		return
	}
	if os.Getenv("GOGC") == "" {
		// A CLI process lives for milliseconds: collecting garbage four
		// times less often saves CPU (listing thousands of containers)
		// for a few MiB of peak memory.
		debug.SetGCPercent(400)
	}
	stopTrace := startTrace()
	// Signals are not turned into a cancelled context: `run` and `start -a`
	// proxy them to the container (--sig-proxy) and keep waiting.
	code := cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, append(apiOptions(), remoteOptions()...)...)
	stopTrace()
	os.Exit(code)
}
