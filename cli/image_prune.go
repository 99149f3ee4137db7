package cli

import (
	"fmt"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newImagePruneCommand(d *Deps) *cobra.Command {
	var (
		all, force bool
		filters    []string
	)
	cmd := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove unused images",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkImageFilters(filters); err != nil {
				return err
			}
			if !force {
				q := "WARNING! This command removes all dangling images.\nAre you sure you want to continue? [y/N] "
				if all {
					q = "WARNING! This command removes all images without at least one container associated with them.\nAre you sure you want to continue? [y/N] "
				}
				ok, err := confirm(cmd, q)
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			list, err := service.Images(rt)
			if err != nil {
				return err
			}
			// The time filters need the other images, so they are applied
			// to the whole list once; service.ImageMatches does the rest per image.
			kept, err := service.FilterImagesByTime(rt, list, filters)
			if err != nil {
				return err
			}
			pass := map[string]bool{}
			for _, img := range kept {
				pass[img.ID] = service.ImageMatches(img, nil, filters)
			}
			ids, err := service.PruneImages(cmd.Context(), rt, service.ImagePruneOptions{
				All:    all,
				Filter: func(img *define.Image) bool { return pass[img.ID] },
			})
			for _, id := range ids {
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "remove all images not in use by containers, not just dangling ones")
	f.BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	f.StringArrayVar(&filters, "filter", nil, "provide filter values (e.g. 'label=<key>=<value>', 'until=<timestamp>')")
	return cmd
}

func newUntagCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "untag IMAGE [NAME...]",
		Short: "Remove a name from a local image",
		Long:  "Remove one or more names from a locally-stored image; without NAME, remove all of them.",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return service.Untag(rt, args[0], args[1:])
		},
	}
}
