package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newNetworkRmCommand(d *Deps) *cobra.Command {
	var force bool
	var timeout uint
	cmd := &cobra.Command{
		Use:     "rm [options] NETWORK [NETWORK...]",
		Aliases: []string{"remove"},
		Short:   "Remove networks",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			opts := service.RemoveNetworkOptions{Force: force}
			if cmd.Flags().Changed("time") {
				opts.Timeout = &timeout
			}
			reports := e.NetworkRemove(cmd.Context(), args, opts)
			var errs []error
			for _, r := range reports {
				if r.Err != nil {
					errs = append(errs, r.Err)
				}
			}
			return removalExitCode(printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports), errs)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove any containers using the network")
	cmd.Flags().UintVarP(&timeout, "time", "t", 10, "seconds to wait for running containers to stop before killing them")
	return cmd
}
