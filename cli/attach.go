package cli

import (
	"errors"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newAttachCommand(d *Deps) *cobra.Command {
	var noStdin, sigProxy, latest bool
	var detachKeys string
	cmd := &cobra.Command{
		Use:   "attach [options] CONTAINER",
		Short: "Attach to a running container",
		RunE: func(cmd *cobra.Command, args []string) error {
			if (latest && len(args) > 0) || (!latest && len(args) != 1) {
				return usageError("attach requires the name or ID of one running container, or --latest")
			}
			keys, err := resolveDetachKeys(cmd, detachKeys, d)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			rt, err := d.Runtime(ctx)
			if err != nil {
				return err
			}
			var c *service.Container
			if latest {
				c, err = latestContainer(rt)
			} else {
				c, err = rt.LookupContainer(args[0])
			}
			if err != nil {
				return err
			}
			cfg := c.Config()
			stdin := cfg.Stdin && !noStdin
			term, err := newTerminal(cmd, cfg.Terminal && stdin)
			if err != nil {
				return err
			}
			defer term.restore()
			streams := service.AttachStreams{
				Stdin: cmd.InOrStdin(), Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
				AttachStdin: stdin, AttachStdout: true, AttachStderr: true,
			}
			if sigProxy && !cfg.Terminal {
				// With a terminal, ^C and friends travel as keys instead.
				proxySignals(ctx, c)
			}
			term.makeRaw()
			err = c.Attach(ctx, streams, keys, term.resize)
			term.restore()
			if errors.Is(err, service.ErrDetach) {
				return nil
			}
			if err != nil {
				return err
			}
			// The container closed its output: report how it ended, as
			// docker does.
			code, err := c.Wait(ctx)
			if err != nil {
				return err
			}
			if code != 0 {
				return &ExitError{Code: int(code)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&detachKeys, "detach-keys", "", "select the key sequence for detaching a container (default \"ctrl-p,ctrl-q\")")
	f.BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	f.BoolVar(&noStdin, "no-stdin", false, "do not attach STDIN")
	f.BoolVar(&sigProxy, "sig-proxy", true, "proxy received signals to the container's process")
	return cmd
}
