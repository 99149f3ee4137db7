package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newMountCommand(d *Deps) *cobra.Command {
	var all, noTrunc bool
	cmd := &cobra.Command{
		Use:   "mount [options] [CONTAINER...]",
		Short: "Mount a working container's root filesystem",
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(args) == 0 && !all {
				// list mounted containers
				mounted, err := service.Mounted(rt)
				if err != nil {
					return err
				}
				for _, m := range mounted {
					id := m.ID
					if !noTrunc {
						id = id[:12]
					}
					fmt.Fprintf(out, "%s  %s\n", id, m.Mountpoint)
				}
				return nil
			}
			single := len(args) == 1 && !all
			reports, err := service.Mount(cmd.Context(), rt, args, service.BatchOptions{Selection: service.Selection{All: all}})
			if err != nil {
				return err
			}
			for _, r := range reports {
				switch {
				case r.Err != nil:
				case single:
					fmt.Fprintln(out, r.Mountpoint)
				default:
					fmt.Fprintf(out, "%s %s\n", r.ID, r.Mountpoint)
				}
			}
			return printReports(discard{}, cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "mount all containers")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "do not truncate output")
	return cmd
}

func newUmountCommand(d *Deps) *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:     "umount [options] CONTAINER [CONTAINER...]",
		Aliases: []string{"unmount"},
		Short:   "Unmount working container's root filesystem",
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.Unmount(cmd.Context(), rt, args, service.UnmountOptions{All: all, Force: force})
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "unmount all of the currently mounted containers")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the complete unmount of the specified mounted containers")
	return cmd
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
