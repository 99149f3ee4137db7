package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newSystemBootCommand is what podman-restart.service runs at boot:
// contrib/systemd/berth-restart.service calls it.
func newSystemBootCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "boot",
		Short: "Start the containers whose restart policy survives a reboot",
		Long: "Start every stopped container with restart policy always, and those with unless-stopped\n" +
			"that were not stopped by a user; run once at boot (contrib/systemd/berth-restart.service).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.Boot(cmd.Context(), rt)
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
}
