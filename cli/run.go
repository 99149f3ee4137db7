package cli

import (
	"errors"
	"fmt"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"os"
	"slices"
)

func newRunCommand(d *Deps) *cobra.Command {
	o := &createFlags{}
	var detach bool
	var attach []string
	var detachKeys string
	var sigProxy bool
	var uf *unitFlags
	var rmi bool
	cmd := &cobra.Command{
		Use:   "run [options] IMAGE [COMMAND [ARG...]]",
		Short: "Run a command in a new container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, copts, err := o.toSpec(cmd, args)
			if err != nil {
				return err
			}
			if err := uf.check(detach); err != nil {
				return err
			}
			labelUnit(s)
			if rmi {
				if cmd.Flags().Changed("rm") && !s.Remove {
					return usageError("the --rmi option does not work without --rm")
				}
				s.Remove = true
				if s.Restart.Restarts() {
					return usageError("the --rm option conflicts with --restart, when the restartPolicy is not \"no\"")
				}
			}
			if detach && len(attach) > 0 {
				return usageError("conflicting options: -a and -d")
			}
			for _, a := range attach {
				if a != "stdin" && a != "stdout" && a != "stderr" {
					return usageError("invalid stream %q for --attach: must be stdin, stdout or stderr", a)
				}
			}
			if o.cidFile != "" {
				if _, err := os.Stat(o.cidFile); err == nil {
					return usageError("container id file %s exists: remove it or choose another", o.cidFile)
				}
			}
			if err := o.replaceExisting(cmd, d); err != nil {
				return err
			}
			if rmi && !detach {
				defer removeImageAfterRun(cmd, d, s.Image)
			}
			if d.isRemote() {
				if !detach {
					return runRemoteAttached(cmd, d, s, copts, o.cidFile, len(attach) > 0, firstNonEmpty(detachKeys, d.conf.Engine.DetachKeys))
				}
				return createRemote(cmd, d, s, copts, o.cidFile, true)
			}
			s.Attach = attach // recorded for inspect (not sent to a remote service)
			keys, err := resolveDetachKeys(cmd, detachKeys, d)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			term, err := newTerminal(cmd, s.Terminal && s.Stdin)
			if err != nil {
				return err
			}
			defer term.restore()
			opts := service.RunOptions{
				CreateOptions: copts,
				Detach:        detach,
				Stdin:         cmd.InOrStdin(),
				Stdout:        cmd.OutOrStdout(),
				Stderr:        cmd.ErrOrStderr(),
				Attach:        attach,
				DetachKeys:    keys,
				Resize:        term.resize,
				OnCreate: func(c *service.Container) {
					_ = writeCIDFile(o.cidFile, c.ID())
					if len(attach) > 0 && !slices.Contains(attach, "stdout") && !slices.Contains(attach, "stderr") {
						// docker's way: with neither output attached,
						// run says which container it made.
						fmt.Fprintln(cmd.OutOrStdout(), c.ID())
					}
					if sigProxy && !detach && !s.Terminal {
						proxySignals(cmd.Context(), c)
					}
					term.makeRaw()
				},
			}
			if s.Terminal {
				opts.Stderr = cmd.OutOrStdout()
			}
			res, err := service.Run(cmd.Context(), rt, s, opts)
			term.restore()
			if errors.Is(err, define.ErrNoSuchUser) {
				// The container could not be invoked as that user: 126,
				// as podman and docker report it for run.
				return &codedError{error: err, code: 126}
			}
			if err != nil {
				return err
			}
			if res.Detached {
				if detach {
					fmt.Fprintln(cmd.OutOrStdout(), res.Container.ID())
				}
				return uf.notifyStarted(res.Container)
			}
			if res.ExitCode != 0 {
				return &ExitError{Code: int(res.ExitCode)}
			}
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	bindCreateFlags(cmd.Flags(), o)
	uf = bindUnitFlags(cmd.Flags())
	cmd.Flags().BoolVarP(&detach, "detach", "d", false, "run container in background and print container ID")
	cmd.Flags().StringArrayVarP(&attach, "attach", "a", nil, "attach to STDIN, STDOUT or STDERR")
	cmd.Flags().StringVar(&detachKeys, "detach-keys", "", "override the key sequence for detaching a container (default \"ctrl-p,ctrl-q\")")
	cmd.Flags().BoolVar(&sigProxy, "sig-proxy", true, "proxy received signals to the process")
	cmd.Flags().BoolVar(&rmi, "rmi", false, "remove image unless used by other containers, implies --rm")
	return cmd
}
