package cli

import (
	"fmt"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newNetworkPruneCommand(d *Deps) *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove all networks not used by at least one container",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, err := service.ParseNetworkFilters(filters, "label", "label!")
			if err != nil {
				return err
			}
			if !force {
				ok, err := confirm(cmd, "WARNING! This will remove all networks not used by at least one container.\nAre you sure you want to continue? [y/N] ")
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			removed, err := rt.PruneNetworks(cmd.Context(), func(n define.Network) bool {
				return !service.NetworkMatches(n, fs, false)
			})
			for _, name := range removed {
				fmt.Fprintln(cmd.OutOrStdout(), name)
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "provide filter values (e.g. 'label=<key>=<value>')")
	return cmd
}
