//go:build berth_lean

package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// The lean build leaves the builder (and buildkit's parser) out: build,
// buildx build and builder prune hand the command line to berth-full,
// before their flags are even parsed.

func newBuildCommand(*Deps) *cobra.Command {
	return handedOff("build [options] [CONTEXT]", "Build an image using instructions from Containerfiles")
}

func newBuildxCommand(*Deps) *cobra.Command {
	c := &cobra.Command{Use: "buildx", Short: "Build images (docker buildx compatibility)", RunE: subcommandRequired}
	c.AddCommand(handedOff("build [options] [CONTEXT]", "Build an image using instructions from Containerfiles"))
	return c
}

func newBuilderCommand(*Deps) *cobra.Command {
	c := &cobra.Command{Use: "builder", Short: "Manage the build cache", RunE: subcommandRequired}
	c.AddCommand(handedOff("prune [options]", "Remove the build cache"))
	return c
}

// handedOff is a command only berth-full runs.
func handedOff(use, short string) *cobra.Command {
	return needsFull(&cobra.Command{Use: use, Short: short, DisableFlagParsing: true,
		RunE: func(*cobra.Command, []string) error { return service.ErrNeedsFull }})
}
