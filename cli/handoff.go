package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// berth is built twice from this tree (see the Makefile): the lean `berth`
// (tag berth_lean) without image/v5's copy machinery, transports and
// registry clients, which start up in a third less time, and the complete
// `berth-full`. The lean CLI hands a command line it cannot serve to
// berth-full, installed beside it, by exec: commands marked with
// needsFullAnnotation before anything runs, and a run or create whose image
// must be pulled when the store answers ErrNeedsFull (nothing has been
// changed by then). A plain `go build ./cmd/berth` is the complete binary
// and never hands off.

// fullBinaryName is the complete binary's file name, beside the lean one.
const fullBinaryName = "berth-full"

// needsFullAnnotation marks the commands that move images to or from
// somewhere: pull, push, save, load, import, commit, login, logout and the
// manifest group.
const needsFullAnnotation = "berth.io/needs-full"

// handOffEnv is set for berth-full, so that a lean binary installed under
// that name by mistake fails instead of executing itself forever.
const handOffEnv = "BERTH_HANDOFF"

// needsFull marks c (and so its subcommands) as one the lean build hands
// off.
func needsFull(c *cobra.Command) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[needsFullAnnotation] = "true"
	return c
}

// wantsFull reports whether c or one of its parents is marked.
func wantsFull(c *cobra.Command) bool {
	for ; c != nil; c = c.Parent() {
		if c.Annotations[needsFullAnnotation] != "" {
			return true
		}
	}
	return false
}

// handOffBefore reports whether the lean build must hand args off before
// running anything.
func handOffBefore(root *cobra.Command, args []string) bool {
	if !leanBuild {
		return false
	}
	c, _, err := root.Find(args)
	return err == nil && wantsFull(c)
}

// handOffAfter reports whether a command failed only because the lean
// build cannot do it.
func handOffAfter(err error) bool {
	return leanBuild && errors.Is(err, service.ErrNeedsFull)
}

// handOff replaces this process with berth-full running args. It returns
// only on failure, with the exit code to use.
func handOff(args []string, stderr io.Writer) int {
	if os.Getenv(handOffEnv) != "" {
		fmt.Fprintf(stderr, "Error: %s is a lean build too: it cannot run this command\n", os.Args[0])
		return 125
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "Error: locating %s: %v\n", fullBinaryName, err)
		return 125
	}
	full := filepath.Join(filepath.Dir(self), fullBinaryName)
	env := append(os.Environ(), handOffEnv+"=1")
	err = syscall.Exec(full, append([]string{full}, args...), env)
	fmt.Fprintf(stderr, "Error: running %s: %v (it does image transfers and belongs beside %s)\n", full, err, self)
	return 125
}
