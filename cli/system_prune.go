package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newSystemPruneCommand is podman's `system prune`: stopped containers,
// pods without running members, unused networks, dangling (with -a every
// unused) images, with --volumes unused volumes, with --build the
// working containers of killed builds and the build cache. --external
// alone removes the storage containers berth has no record of.
func newSystemPruneCommand(d *Deps) *cobra.Command {
	var all, build, external, force, volumes bool
	cmd := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove unused data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if external && (all || build || volumes) {
				return usageError("--external cannot be combined with other options")
			}
			if !force {
				q := "WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at least one container\n"
				switch {
				case external:
					q = "WARNING! This command removes:\n\t- all containers in storage berth has no record of\n"
				default:
					if volumes {
						q += "\t- all volumes not used by at least one container\n"
					}
					if all {
						q += "\t- all images without at least one container associated with them\n"
					} else {
						q += "\t- all dangling images\n"
					}
					if build {
						q += "\t- all build containers and the build cache\n"
					}
				}
				ok, err := confirm(cmd, q+"\nAre you sure you want to continue? [y/N] ")
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			ctx := cmd.Context()
			if external {
				ids, err := service.PruneStorageContainers(ctx, rt, false)
				printSection(out, "Deleted External Containers", ids)
				return err
			}
			var errs []error
			pods, err := service.PodPrune(ctx, rt)
			var podIDs []string
			for _, p := range pods {
				if p.Err == nil {
					podIDs = append(podIDs, p.ID)
				}
			}
			printSection(out, "Deleted Pods", podIDs)
			errs = append(errs, err)
			reports, err := service.Prune(ctx, rt)
			var ctrIDs []string
			for _, r := range reports {
				if r.Err != nil {
					errs = append(errs, r.Err)
					continue
				}
				ctrIDs = append(ctrIDs, r.ID)
			}
			errs = append(errs, err)
			if build {
				ids, err := service.PruneStorageContainers(ctx, rt, true)
				ctrIDs = append(ctrIDs, ids...)
				errs = append(errs, err)
			}
			printSection(out, "Deleted Containers", ctrIDs)
			nets, err := rt.PruneNetworks(ctx, func(define.Network) bool { return false })
			printSection(out, "Deleted Networks", nets)
			errs = append(errs, err)
			if volumes {
				vols, err := service.VolumePrune(ctx, rt, nil)
				printSection(out, "Deleted Volumes", vols)
				errs = append(errs, err)
			}
			imgs, err := service.PruneImages(ctx, rt, service.ImagePruneOptions{All: all})
			printSection(out, "Deleted Images", imgs)
			errs = append(errs, err)
			if build {
				errs = append(errs, pruneBuildCache(rt))
			}
			return errors.Join(errs...)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "remove all unused images, not only dangling ones")
	f.BoolVar(&build, "build", false, "remove the containers of killed builds and the build cache")
	f.BoolVar(&external, "external", false, "remove only the containers in storage berth has no record of")
	f.BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	f.BoolVar(&volumes, "volumes", false, "prune volumes")
	return needsFull(cmd)
}

// printSection prints podman's "Deleted X" header and the IDs, when any.
func printSection(out io.Writer, title string, ids []string) {
	if len(ids) == 0 {
		return
	}
	fmt.Fprintln(out, title)
	for _, id := range ids {
		fmt.Fprintln(out, id)
	}
}
