package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func newExportCommand(d *Deps) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "export [options] CONTAINER",
		Short: "Export container's filesystem contents as a tar archive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeArchive(cmd, output, func(w io.Writer) error {
				rt, err := d.Runtime(cmd.Context())
				if err != nil {
					return err
				}
				c, err := rt.LookupContainer(args[0])
				if err != nil {
					return err
				}
				return c.Export(cmd.Context(), w)
			})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to a specified file (default: stdout, which must be redirected)")
	return cmd
}

// writeArchive runs write on the -o file (written to a temporary name
// and renamed when complete, so a failed export leaves no partial file),
// or on stdout, which must not be a terminal.
func writeArchive(cmd *cobra.Command, output string, write func(io.Writer) error) (retErr error) {
	w := cmd.OutOrStdout()
	if output == "" {
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return usageError("refusing to export to terminal. Use -o flag or redirect")
		}
		return write(w)
	}
	tmp := output + ".berth-tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		f.Close()
		if retErr != nil {
			os.Remove(tmp)
		} else {
			retErr = os.Rename(tmp, output)
		}
	}()
	return write(f)
}

func newCommitCommand(d *Deps) *cobra.Command {
	var o service.CommitOptions
	var pause, quiet, squash bool
	var format, iidFile, configFile string
	cmd := &cobra.Command{
		Use:   "commit [options] CONTAINER [IMAGE]",
		Short: "Create new image based on the changed container",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "" && format != "oci" && format != "docker" {
				return usageError("unrecognized image type %q", format)
			}
			if squash {
				return usageError("--squash is not supported by berth: commit adds one layer on top of the image's layers")
			}
			if configFile != "" {
				cfg, err := readCommitConfig(configFile)
				if err != nil {
					return err
				}
				o.Overlay = cfg
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if len(args) == 2 {
				o.Reference = args[1]
			}
			o.Format = format
			img, err := service.Commit(cmd.Context(), rt, args[0], o, pause)
			if err != nil {
				return err
			}
			if iidFile != "" {
				if err := os.WriteFile(iidFile, []byte("sha256:"+img.ID), 0o644); err != nil {
					return fmt.Errorf("writing image ID to %s: %w", iidFile, err)
				}
			}
			fmt.Fprintln(cmd.OutOrStdout(), img.ID)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&iidFile, "iidfile", "", "write the image ID to the file")
	f.BoolVarP(&squash, "squash", "s", false, "squash newly built layers into a single new layer (not supported by berth)")
	f.BoolVar(&o.IncludeVolumes, "include-volumes", false, "include container volumes as image volumes")
	f.StringVar(&configFile, "config", "", "`FILE` with an image config (JSON) to merge into the committed image's config")
	f.StringArrayVarP(&o.Changes, "change", "c", nil, "apply Dockerfile instructions to the created image")
	f.StringVarP(&o.Message, "message", "m", "", "set commit message for imported image")
	f.StringVarP(&o.Author, "author", "a", "", "set the author for the image committed")
	f.BoolVarP(&pause, "pause", "p", false, "pause container during commit")
	// berth prints no copy progress on commit, so -q changes nothing.
	f.BoolVarP(&quiet, "quiet", "q", false, "suppress output")
	f.StringVarP(&format, "format", "f", "oci", "format of the image manifest and metadata (oci or docker)")
	return needsFull(cmd)
}
