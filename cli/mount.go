package cli

import (
	"fmt"

	"github.com/berth-dev/berth/cli/format"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newMountCommand(d *Deps) *cobra.Command {
	var all, noTrunc, latest bool
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "mount [options] [CONTAINER...]",
		Short: "Mount a working container's root filesystem",
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if fmtStr != "" && !format.IsJSON(fmtStr) {
				return usageError("unknown --format argument: %s", fmtStr)
			}
			if len(args) == 0 && !all && !latest {
				// list mounted containers
				mounted, err := service.Mounted(rt)
				if err != nil {
					return err
				}
				if fmtStr != "" {
					return format.JSON(out, mountedJSON(rt, mounted))
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
			single := (len(args) == 1 && !all) || latest
			reports, err := service.Mount(cmd.Context(), rt, args, service.BatchOptions{Selection: service.Selection{All: all, Latest: latest}})
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
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	cmd.Flags().StringVar(&fmtStr, "format", "", "print the mounted containers in specified format (json)")
	return cmd
}

// mountJSON is one entry of podman's mount --format json.
type mountJSON struct {
	ID         string   `json:"id"`
	Names      []string `json:"names"`
	Mountpoint string   `json:"mountpoint"`
}

func mountedJSON(rt *service.Runtime, mounted []service.MountedContainer) []mountJSON {
	out := []mountJSON{}
	for _, m := range mounted {
		names := []string{}
		if c, err := rt.LookupContainer(m.ID); err == nil {
			names = append(names, c.Name())
		}
		out = append(out, mountJSON{ID: m.ID, Names: names, Mountpoint: m.Mountpoint})
	}
	return out
}

func newUmountCommand(d *Deps) *cobra.Command {
	var all, force, latest bool
	cmd := &cobra.Command{
		Use:     "umount [options] CONTAINER [CONTAINER...]",
		Aliases: []string{"unmount"},
		Short:   "Unmount working container's root filesystem",
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.Unmount(cmd.Context(), rt, args, service.UnmountOptions{Selection: service.Selection{All: all, Latest: latest}, Force: force})
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "unmount all of the currently mounted containers")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the complete unmount of the specified mounted containers")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	return cmd
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
