// Command berth is a daemonless container and pod engine with a podman-
// and docker-compatible command line.
package main

import (
	"context"
	"os"
	"path/filepath"
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
	code := cli.Run(context.Background(), generatorArgs(os.Args), os.Stdin, os.Stdout, os.Stderr, append(apiOptions(), remoteOptions()...)...)
	stopTrace()
	os.Exit(code)
}

// generatorArgs returns the command line to run: berth installed (as a
// symlink) in systemd's generator directories under the name
// berth-system-generator or berth-user-generator is quadlet's generator,
// which systemd calls with the output directories only.
func generatorArgs(argv []string) []string {
	switch filepath.Base(argv[0]) {
	case "berth-system-generator":
		return append([]string{"quadlet"}, argv[1:]...)
	case "berth-user-generator":
		return append([]string{"quadlet", "-user"}, argv[1:]...)
	}
	return argv[1:]
}
