package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newCpCommand(d *Deps) *cobra.Command {
	o := service.CopyOptions{}
	cmd := &cobra.Command{
		Use:   "cp [options] [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH",
		Short: "Copy files/folders between a container and the local filesystem",
		Long: "Copy files and directories between a container and the host, or between two containers.\n" +
			"Use \"-\" as SRC_PATH to extract a tar stream from stdin, or as DEST_PATH to write one to stdout.\n" +
			"--pause and --extract are accepted and ignored, as podman 5 does (deprecated no-ops).",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			o.Source, o.Dest = args[0], args[1]
			o.Stdin, o.Stdout = cmd.InOrStdin(), cmd.OutOrStdout()
			return service.Copy(cmd.Context(), rt, o)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Archive, "archive", "a", true, "chown copied files to the primary uid/gid of the destination container")
	f.BoolVarP(&o.FollowLink, "follow-link", "L", false, "always follow symbol link in SRC_PATH")
	f.BoolVar(&o.Overwrite, "overwrite", false, "allow to overwrite directories with non-directories and vice versa")
	// docker's -q suppresses its progress line; berth, like podman,
	// prints none.
	f.BoolP("quiet", "q", false, "suppress progress output during copy (berth prints none)")
	// podman 5 keeps --pause (default true) and --extract as hidden,
	// deprecated no-ops for scripts written against older releases.
	f.Bool("pause", true, "Deprecated: accepted and ignored, as in podman")
	f.Bool("extract", false, "Deprecated: accepted and ignored, as in podman")
	_ = f.MarkHidden("pause")
	_ = f.MarkHidden("extract")
	return cmd
}
