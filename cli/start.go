package cli

import (
	"errors"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newStartCommand(d *Deps) *cobra.Command {
	var attach, interactive, sigProxy bool
	var sel service.Selection
	var detachKeys string
	cmd := &cobra.Command{
		Use:   "start [options] CONTAINER [CONTAINER...]",
		Short: "Start one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if !attach && !interactive {
				e, err := d.Engine(ctx)
				if err != nil {
					return err
				}
				reports, err := e.Start(ctx, args, service.BatchOptions{Selection: sel})
				if err != nil {
					return err
				}
				// start reports every failure as an engine error (125);
				// 126/127 are run's codes.
				if err := printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports); err != nil {
					return &codedError{error: err, code: 125}
				}
				return nil
			}
			if sel.Latest && len(args) == 0 {
				rt, err := d.Runtime(ctx)
				if err != nil {
					return err
				}
				c, err := latestContainer(rt)
				if err != nil {
					return err
				}
				args = []string{c.ID()}
			}
			if len(args) != 1 || sel.All || len(sel.Filters) > 0 {
				return usageError("you cannot start and attach multiple containers at once")
			}
			if d.isRemote() {
				return notRemote("start --attach")
			}
			rt, err := d.Runtime(ctx)
			if err != nil {
				return err
			}
			keys, err := resolveDetachKeys(cmd, detachKeys, d)
			if err != nil {
				return err
			}
			c, err := rt.LookupContainer(args[0])
			if err != nil {
				return err
			}
			cfg := c.Config()
			term, err := newTerminal(cmd, cfg.Terminal && interactive)
			if err != nil {
				return err
			}
			defer term.restore()
			streams := service.AttachStreams{
				Stdin: cmd.InOrStdin(), Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
				AttachStdin: interactive && cfg.Stdin, AttachStdout: true, AttachStderr: true,
			}
			if sigProxy && !cfg.Terminal {
				proxySignals(ctx, c)
			}
			term.makeRaw()
			errCh, err := c.StartAndAttach(ctx, streams, keys, term.resize)
			if err != nil {
				return &codedError{error: err, code: 125}
			}
			if err := <-errCh; errors.Is(err, service.ErrDetach) {
				return nil
			}
			term.restore()
			code, err := c.Wait(ctx)
			if err != nil {
				return err
			}
			if cfg.AutoRemove {
				service.AutoRemove(ctx, rt, c)
			}
			if code != 0 {
				return &ExitError{Code: int(code)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&attach, "attach", "a", false, "attach container's STDOUT and STDERR")
	cmd.Flags().BoolVarP(&interactive, "interactive", "i", false, "make STDIN available to the contained process")
	cmd.Flags().BoolVar(&sel.All, "all", false, "start all containers regardless of their state or configuration")
	bindSelection(cmd.Flags(), &sel, selFlags{latest: true, filter: true})
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "", "select the key sequence for detaching a container")
	cmd.Flags().BoolVar(&sigProxy, "sig-proxy", true, "proxy received signals to the process (with --attach)")
	return cmd
}
