package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newVolumeMountCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "mount VOLUME [VOLUME...]",
		Short: "Mount volumes and print their host paths",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			paths, err := service.VolumeMount(rt, args)
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return err
		},
	}
}

func newVolumeUnmountCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:     "unmount VOLUME [VOLUME...]",
		Aliases: []string{"umount"},
		Short:   "Unmount volumes",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return reportAll(cmd, service.VolumeUnmount(rt, args))
		},
	}
}
