package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newNetworkReloadCommand(d *Deps) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "reload [options] [CONTAINER...]",
		Short: "Reload firewall rules for one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !all && len(args) == 0 {
				return usageError("network reload needs at least one container or --all")
			}
			if all && len(args) > 0 {
				return usageError("--all and container names cannot be used together")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.NetworkReload(cmd.Context(), rt, args, all)
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "reload network configuration of all containers")
	return cmd
}
