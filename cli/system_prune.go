package cli

import (
	"fmt"
	"io"

	"github.com/berth-dev/berth/service"
	"github.com/docker/go-units"
	"github.com/spf13/cobra"
)

// newSystemPruneCommand is podman's `system prune`: stopped containers
// and pods, unused networks, dangling (-a: unused) images and, with
// --volumes, unused volumes; podman's warning, sections and total.
func newSystemPruneCommand(d *Deps) *cobra.Command {
	var force bool
	var opts service.SystemPruneOptions
	cmd := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove unused data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force {
				vol, images, cache := "", "\n\t- all dangling images", "\n\t- all dangling build cache"
				if opts.Volumes {
					vol = "\n\t- all volumes not used by at least one container"
				}
				if opts.All {
					images, cache = "\n\t- all images without at least one container associated with them", "\n\t- all build cache"
				}
				ok, err := confirm(cmd, "WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at least one container"+
					vol+images+cache+"\n\nAre you sure you want to continue? [y/N] ")
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			rep, err := service.SystemPrune(cmd.Context(), rt, opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			section(out, "Deleted Containers", rep.Containers)
			section(out, "Deleted Pods", rep.Pods)
			section(out, "Deleted Volumes", rep.Volumes)
			section(out, "Deleted Images", rep.Images)
			section(out, "Deleted Networks", rep.Networks)
			fmt.Fprintf(out, "Total reclaimed space: %s\n", units.HumanSize(float64(rep.Reclaimed)))
			var last error
			for _, e := range rep.Errs {
				if last != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", last)
				}
				last = e
			}
			return last
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.All, "all", "a", false, "remove all unused data, not only dangling images")
	f.BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	f.BoolVar(&opts.Volumes, "volumes", false, "prune volumes")
	f.StringArrayVar(&opts.Filters, "filter", nil, "provide filter values (e.g. 'label=<key>=<value>', 'until=<timestamp>')")
	return cmd
}

// section prints a heading and the IDs under it, when there are any.
func section(out io.Writer, heading string, ids []string) {
	if len(ids) == 0 {
		return
	}
	fmt.Fprintln(out, heading)
	for _, id := range ids {
		fmt.Fprintln(out, id)
	}
}
