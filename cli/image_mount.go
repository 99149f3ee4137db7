package cli

import (
	"fmt"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// imageMountJSON is one entry of podman's `image mount --format json`.
type imageMountJSON struct {
	ID           string `json:"id"`
	Names        []string
	Repositories []string
	Mountpoint   string `json:"mountpoint"`
}

func newImageMountCommand(d *Deps) *cobra.Command {
	var all bool
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "mount [options] [IMAGE...]",
		Short: "Mount an image's root filesystem",
		Long:  "Mount images read-only and print their mountpoints; without an image, list the mounted ones.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && all {
				return usageError("when using the --all switch, you may not pass any image names or IDs")
			}
			if fmtStr != "" && !format.IsJSON(fmtStr) {
				return usageError("unknown --format argument: %q", fmtStr)
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			var list []service.MountedImage
			if len(args) > 0 || all {
				list, err = service.ImageMount(rt, args, all)
			} else {
				list, err = service.MountedImages(rt)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(args) == 1 && fmtStr == "" {
				fmt.Fprintln(out, list[0].Path)
				return nil
			}
			if fmtStr != "" {
				docs := []imageMountJSON{}
				for _, m := range list {
					name := ""
					if len(m.Image.Names) > 0 {
						name = m.Image.Names[0]
					}
					docs = append(docs, imageMountJSON{ID: m.Image.ID, Names: []string{name},
						Repositories: nonNil(m.Image.Names), Mountpoint: m.Path})
				}
				return format.JSON(out, docs)
			}
			for _, m := range list {
				id := m.Image.ID
				if len(m.Image.Names) > 0 {
					id = m.Image.Names[0]
				}
				fmt.Fprintf(out, "%s\t%s\n", id, m.Path)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "mount all images")
	cmd.Flags().StringVar(&fmtStr, "format", "", "print the mounted images in specified format (json)")
	return cmd
}

func newImageUnmountCommand(d *Deps) *cobra.Command {
	var all, force bool
	cmd := &cobra.Command{
		Use:     "unmount [options] IMAGE [IMAGE...]",
		Aliases: []string{"umount"},
		Short:   "Unmount an image's root filesystem",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && all {
				return usageError("when using the --all switch, you may not pass any image names or IDs")
			}
			if len(args) == 0 && !all {
				return usageError("image name or ID must be specified")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if all {
				list, err := service.MountedImages(rt)
				if err != nil {
					return err
				}
				for _, m := range list {
					args = append(args, m.Image.ID)
				}
			}
			var last error
			for _, name := range args {
				id, err := service.ImageUnmount(rt, name, force || all)
				if err != nil {
					if last != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", last)
					}
					last = err
					continue
				}
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			return last
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "unmount all of the currently mounted images")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the complete unmount of the specified mounted images")
	return cmd
}

func newImageDiffCommand(d *Deps) *cobra.Command {
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "diff [options] IMAGE [IMAGE]",
		Short: "Inspect changes to the image's file systems",
		Long:  "List what the image's top layer changed relative to its parent layer, or to a second image.",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fmtStr != "" && !format.IsJSON(fmtStr) {
				return usageError("invalid --format %q: only json is supported", fmtStr)
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			other := ""
			if len(args) == 2 {
				// podman compares the first to the second.
				other = args[1]
			}
			changes, err := service.ImageDiff(rt, args[0], other)
			if err != nil {
				return err
			}
			return printChanges(cmd, fmtStr, changes)
		},
	}
	cmd.Flags().StringVar(&fmtStr, "format", "", "change the output format (json)")
	return cmd
}
