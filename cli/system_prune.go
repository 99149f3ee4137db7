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
// --volumes, unused volumes; podman's warning, sections and total. With
// --build also the working containers of killed builds and the build
// cache; --external alone removes only the storage containers berth has
// no record of.
func newSystemPruneCommand(d *Deps) *cobra.Command {
	var force, build, external bool
	var opts service.SystemPruneOptions
	cmd := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove unused data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if external && (opts.All || opts.Volumes || build || len(opts.Filters) > 0) {
				return usageError("--external cannot be combined with other options")
			}
			if external {
				return pruneExternal(cmd, d, force)
			}
			if !force {
				vol, images, cache := "", "\n\t- all dangling images", "\n\t- all dangling build cache"
				if opts.Volumes {
					vol = "\n\t- all volumes not used by at least one container"
				}
				if opts.All {
					images, cache = "\n\t- all images without at least one container associated with them", "\n\t- all build cache"
				}
				if build {
					cache += "\n\t- all containers of killed builds"
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
			if build {
				ids, err := service.PruneStorageContainers(cmd.Context(), rt, true)
				rep.Containers = append(rep.Containers, ids...)
				if err != nil {
					rep.Errs = append(rep.Errs, err)
				}
				if err := pruneBuildCache(rt); err != nil {
					rep.Errs = append(rep.Errs, err)
				}
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
	f.BoolVar(&build, "build", false, "remove the containers of killed builds and the build cache")
	f.BoolVar(&external, "external", false, "remove only the containers in storage berth has no record of")
	return needsFull(cmd)
}

// pruneExternal is `system prune --external`: the storage containers
// berth has no record of (leftovers of unclean shutdowns), as podman's.
func pruneExternal(cmd *cobra.Command, d *Deps, force bool) error {
	if !force {
		ok, err := confirm(cmd, "WARNING! This command removes:\n\t- all containers in storage berth has no record of\n\nAre you sure you want to continue? [y/N] ")
		if err != nil || !ok {
			return err
		}
	}
	rt, err := d.Runtime(cmd.Context())
	if err != nil {
		return err
	}
	ids, err := service.PruneStorageContainers(cmd.Context(), rt, false)
	section(cmd.OutOrStdout(), "Deleted External Containers", ids)
	return err
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
