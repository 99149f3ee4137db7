package cli

import (
	"fmt"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newVolumeCreateCommand(d *Deps) *cobra.Command {
	var labels, opts []string
	var o service.VolumeOptions
	var uid, gid int
	cmd := &cobra.Command{
		Use:   "create [options] [NAME]",
		Short: "Create a new volume",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Name = args[0]
			}
			var err error
			if o.Labels, err = parseKeyValues("label", labels); err != nil {
				return err
			}
			if o.Options, err = parseKeyValues("opt", opts); err != nil {
				return err
			}
			if cmd.Flags().Changed("uid") {
				o.UID = &uid
			}
			if cmd.Flags().Changed("gid") {
				o.GID = &gid
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			name, err := e.VolumeCreate(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Driver, "driver", "d", "local", "volume driver name")
	f.StringArrayVarP(&labels, "label", "l", nil, "set metadata for a volume (e.g. --label mykey=value)")
	f.StringArrayVarP(&opts, "opt", "o", nil, "set driver specific options (type, device, o, uid, gid, nocopy)")
	f.BoolVar(&o.IgnoreExisting, "ignore", false, "don't fail if the volume already exists")
	f.IntVar(&uid, "uid", 0, "owner UID of the volume's root")
	f.IntVar(&gid, "gid", 0, "owner GID of the volume's root")
	return cmd
}
