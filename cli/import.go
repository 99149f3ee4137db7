package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newImportCommand(d *Deps) *cobra.Command {
	var o service.ImportOptions
	var quiet bool
	cmd := &cobra.Command{
		Use:   "import [options] PATH [REFERENCE]",
		Short: "Import a tarball to create a filesystem image",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader
			if args[0] == "-" {
				r = cmd.InOrStdin()
			} else {
				f, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("opening tarball: %w", err)
				}
				defer f.Close()
				r = f
			}
			if len(args) == 2 {
				o.Reference = args[1]
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			img, err := service.Import(cmd.Context(), rt, r, o)
			if err != nil {
				return err
			}
			// Like podman, the ID is printed even with -q: progress is what -q hides.
			fmt.Fprintln(cmd.OutOrStdout(), img.ID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.Changes, "change", "c", nil, "apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | STOPSIGNAL | USER | VOLUME | WORKDIR")
	f.StringVarP(&o.Message, "message", "m", "", "set commit message for imported image")
	f.BoolVarP(&quiet, "quiet", "q", false, "suppress output")
	f.StringVar(&o.OS, "os", "", "set the OS of the imported image")
	f.StringVar(&o.Arch, "arch", "", "set the architecture of the imported image")
	return needsFull(cmd)
}

func newLoadCommand(d *Deps) *cobra.Command {
	var input string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "load [options]",
		Short: "Load image(s) from a tar archive",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := service.LoadOptions{Input: input}
			if input == "" || input == "-" {
				opts.Input = ""
				opts.Reader = cmd.InOrStdin()
			}
			if !quiet {
				opts.ReportWriter = cmd.ErrOrStderr()
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			names, err := service.Load(cmd.Context(), rt, opts)
			if err != nil {
				return err
			}
			for _, n := range names {
				fmt.Fprintf(cmd.OutOrStdout(), "Loaded image: %s\n", n)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "read from specified archive file (default: stdin)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "suppress the output")
	return needsFull(cmd)
}

func newSaveCommand(d *Deps) *cobra.Command {
	var output, fmtName string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "save [options] IMAGE [IMAGE...]",
		Short: "Save image(s) to an archive",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch fmtName {
			case service.FormatDockerArchive, service.FormatOCIArchive, service.FormatOCIDir, service.FormatDockerDir:
			default:
				return usageError("unknown format %q: must be docker-archive, oci-archive, oci-dir or docker-dir", fmtName)
			}
			opts := service.SaveOptions{Format: fmtName, Output: output}
			if output == "" || output == "-" {
				opts.Output = ""
				if f, ok := cmd.OutOrStdout().(*os.File); ok && isTerminal(f) {
					return usageError("refusing to save to terminal. Use -o flag or redirect")
				}
				opts.Writer = cmd.OutOrStdout()
			}
			if !quiet && opts.Output != "" {
				opts.ReportWriter = cmd.ErrOrStderr()
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return service.Save(cmd.Context(), rt, args, opts)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to a specified file (default: stdout, which must be redirected)")
	cmd.Flags().StringVar(&fmtName, "format", service.FormatDockerArchive, "save image to docker-archive, oci-archive, oci-dir or docker-dir")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "suppress the output")
	return needsFull(cmd)
}

func newTagCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "tag IMAGE TARGET_NAME [TARGET_NAME...]",
		Short: "Add an additional name to a local image",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return service.Tag(rt, args[0], args[1:])
		},
	}
}

func newRmiCommand(d *Deps) *cobra.Command {
	var force, all, ignore bool
	cmd := &cobra.Command{
		Use:   "rmi [options] IMAGE [IMAGE...]",
		Short: "Remove one or more images from local storage",
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			if all {
				if len(args) > 0 {
					return usageError("when using the --all switch, you may not pass any images names or IDs")
				}
				list, err := e.Images(cmd.Context())
				if err != nil {
					return err
				}
				for _, img := range list {
					args = append(args, img.ID)
				}
			} else if len(args) == 0 {
				return usageError("image name or ID must be specified")
			}
			var last error
			var errs []error
			out := cmd.OutOrStdout()
			for _, a := range args {
				rep, err := e.RemoveImage(cmd.Context(), a, force || all)
				if err != nil {
					if ignore && isNotFound(err) {
						continue
					}
					if last != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", last)
					}
					last = err
					errs = append(errs, err)
					continue
				}
				for _, u := range rep.Untagged {
					fmt.Fprintf(out, "Untagged: %s\n", u)
				}
				if rep.Deleted != "" {
					fmt.Fprintf(out, "Deleted: %s\n", rep.Deleted)
				}
				for _, id := range rep.Parents {
					fmt.Fprintf(out, "Deleted: %s\n", id)
				}
			}
			return removalExitCode(last, errs)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force removal of the image and any containers using it")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all images")
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "ignore errors if a specified image does not exist")
	return cmd
}
