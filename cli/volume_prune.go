package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newVolumePruneCommand(d *Deps) *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove all unused volumes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, err := service.ParseVolumeFilters(filters, service.VolumePruneFilterKeys)
			if err != nil {
				return err
			}
			if !force {
				ok, err := confirm(cmd, "WARNING! This will remove all volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ")
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			removed, err := service.VolumePrune(cmd.Context(), rt, fs)
			for _, name := range removed {
				fmt.Fprintln(cmd.OutOrStdout(), name)
			}
			return reportAll(cmd, err)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "provide filter values (label, label!, until)")
	return cmd
}
