package cli

import (
	"context"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// batchVerb is a service verb that takes only a selection (pause, unpause, init).
type batchVerb func(service.Engine, context.Context, []string, service.BatchOptions) ([]service.Report, error)

// newSimpleVerb builds a command that applies one service verb to each
// named container.
func newSimpleVerb(d *Deps, use, short, allHelp string, which selFlags, verb batchVerb) *cobra.Command {
	var sel service.Selection
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := verb(e, cmd.Context(), args, service.BatchOptions{Selection: sel})
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&sel.All, "all", "a", false, allHelp)
	bindSelection(cmd.Flags(), &sel, which)
	return cmd
}

func newPauseCommand(d *Deps) *cobra.Command {
	return newSimpleVerb(d, "pause [options] CONTAINER [CONTAINER...]", "Pause all the processes in one or more containers",
		"pause all running containers", selFlags{latest: true, filter: true, cidfile: true}, service.Engine.Pause)
}

func newUnpauseCommand(d *Deps) *cobra.Command {
	return newSimpleVerb(d, "unpause [options] CONTAINER [CONTAINER...]", "Unpause the processes in one or more containers",
		"unpause all paused containers", selFlags{latest: true, filter: true, cidfile: true}, service.Engine.Unpause)
}

func newInitCommand(d *Deps) *cobra.Command {
	return newSimpleVerb(d, "init [options] CONTAINER [CONTAINER...]", "Initialize one or more containers",
		"initialize all containers", selFlags{latest: true}, service.Engine.Init)
}
