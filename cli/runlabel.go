package cli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newRunlabelCommand is podman's `container runlabel`: run the command an
// image keeps in a label (RUN, INSTALL...). A podman, docker or berth
// command runs this berth on the same store.
func newRunlabelCommand(d *Deps) *cobra.Command {
	var name string
	var display, quiet, replace, pull bool
	var tlsVerify bool
	var authfile, certDir, creds string
	cmd := &cobra.Command{
		Use:   "runlabel [options] LABEL IMAGE [ARG...]",
		Short: "Execute the command described by an image label",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			argv, run, err := service.RunlabelCommand(rt, args[0], args[1], name, args[2:])
			if err != nil {
				return err
			}
			if display {
				fmt.Fprintf(cmd.OutOrStdout(), "command: %s\n", strings.Join(append([]string{os.Args[0]}, argv[1:]...), " "))
				return nil
			}
			if replace {
				if err := service.RunlabelReplace(cmd.Context(), rt, argv); err != nil {
					return err
				}
			}
			// The nested berth opens the store itself.
			d.Close()
			c := exec.CommandContext(cmd.Context(), run[0], run[1:]...)
			c.Env = append(os.Environ(), "PODMAN_RUNLABEL_NESTED=1")
			c.Stdin, c.Stdout, c.Stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			if quiet {
				c.Stdin, c.Stdout, c.Stderr = nil, io.Discard, io.Discard
			}
			return c.Run()
		},
	}
	f := cmd.Flags()
	f.StringVarP(&name, "name", "n", "", "assign a name to the container")
	f.BoolVar(&display, "display", false, "preview the command that the label would run")
	f.BoolVarP(&quiet, "quiet", "q", false, "suppress output information when installing images")
	f.BoolVar(&replace, "replace", false, "replace existing container with a new one from the image")
	f.BoolVarP(&pull, "pull", "p", true, "pull the image if it does not exist locally prior to executing the label contents")
	f.BoolVar(&tlsVerify, "tls-verify", true, "require HTTPS and verify certificates when contacting registries")
	f.StringVar(&authfile, "authfile", "", "path of the authentication file")
	f.StringVar(&certDir, "cert-dir", "", "use certificates at the specified path to access the registry")
	f.StringVar(&creds, "creds", "", "use `USERNAME[:PASSWORD]` for accessing the registry")
	for _, h := range []string{"pull", "tls-verify", "authfile", "cert-dir", "creds"} {
		_ = f.MarkHidden(h)
	}
	return cmd
}
