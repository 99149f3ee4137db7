package cli

import (
	"context"
	"github.com/berth-dev/berth/engine/define"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newSimpleVerb builds a command that applies one container method to each
// named container (pause, unpause, init).
func newSimpleVerb(d *Deps, use, short, allHelp string, keep func(define.ContainerStatus) bool, fn func(context.Context, *engine.Container) error) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.EachWhere(cmd.Context(), rt, args, all, keep, fn)
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, allHelp)
	return cmd
}

func newPauseCommand(d *Deps) *cobra.Command {
	return newSimpleVerb(d, "pause [options] CONTAINER [CONTAINER...]", "Pause all the processes in one or more containers",
		"pause all running containers", func(s define.ContainerStatus) bool { return s == define.StatusRunning }, func(ctx context.Context, c *engine.Container) error { return c.Pause(ctx) })
}

func newUnpauseCommand(d *Deps) *cobra.Command {
	return newSimpleVerb(d, "unpause [options] CONTAINER [CONTAINER...]", "Unpause the processes in one or more containers",
		"unpause all paused containers", service.IsPaused, func(ctx context.Context, c *engine.Container) error { return c.Unpause(ctx) })
}

func newInitCommand(d *Deps) *cobra.Command {
	return newSimpleVerb(d, "init [options] CONTAINER [CONTAINER...]", "Initialize one or more containers",
		"initialize all containers", func(s define.ContainerStatus) bool { return s == define.StatusConfigured }, func(ctx context.Context, c *engine.Container) error { return c.Init(ctx) })
}
