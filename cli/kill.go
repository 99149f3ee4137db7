package cli

import (
	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newKillCommand(d *Deps) *cobra.Command {
	var all bool
	var sig string
	cmd := &cobra.Command{
		Use:   "kill [options] CONTAINER [CONTAINER...]",
		Short: "Kill one or more running containers with a specific signal",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := signals.Parse(sig)
			if err != nil {
				return usageError("%v", err)
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := e.Kill(cmd.Context(), args, service.KillOptions{All: all, Signal: s})
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "signal all running containers")
	cmd.Flags().StringVarP(&sig, "signal", "s", "KILL", "signal to send to the container")
	return cmd
}
