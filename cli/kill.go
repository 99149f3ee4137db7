package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newKillCommand(d *Deps) *cobra.Command {
	var sel service.Selection
	var sig string
	cmd := &cobra.Command{
		Use:   "kill [options] CONTAINER [CONTAINER...]",
		Short: "Kill one or more running containers with a specific signal",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := signalFlag(sig, 0)
			if err != nil {
				return err
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := e.Kill(cmd.Context(), args, service.KillOptions{Selection: sel, Signal: s})
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&sel.All, "all", "a", false, "signal all running containers")
	bindSelection(cmd.Flags(), &sel, selFlags{latest: true, cidfile: true})
	cmd.Flags().StringVarP(&sig, "signal", "s", "KILL", "signal to send to the container")
	return cmd
}
