package cli

import (
	"io"
	"os"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newVolumeExportCommand(d *Deps) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "export [options] VOLUME",
		Short: "Export the contents of a volume as a tar archive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeArchive(cmd, output, func(w io.Writer) error {
				rt, err := d.Runtime(cmd.Context())
				if err != nil {
					return err
				}
				return service.VolumeExport(rt, args[0], w)
			})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to a specified file (default: stdout, which must be redirected)")
	return cmd
}

func newVolumeImportCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "import VOLUME [SOURCE|-]",
		Short: "Import a tarball's contents into a volume",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			var r io.Reader = cmd.InOrStdin()
			if args[1] != "-" {
				f, err := os.Open(args[1])
				if err != nil {
					return err
				}
				defer f.Close()
				r = f
			}
			return service.VolumeImport(rt, args[0], r)
		},
	}
}
