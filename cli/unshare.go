package cli

import (
	"errors"
	"os"
	"os/exec"
	"syscall"

	"github.com/berth-dev/berth/internal/rootless"
	"github.com/spf13/cobra"
)

// newUnshareCommand is podman's `unshare`: a command (the user's shell by
// default) in the user and mount namespaces rootless berth runs in, where
// the storage's files have their container owners and its mounts are
// visible. The namespaces are joined before RunE (Deps.setup).
//
// --rootless-netns also enters the rootless network namespace (made for
// the command if no container has it up), where containers on user
// networks are reached at their addresses.
func newUnshareCommand(d *Deps) *cobra.Command {
	var netns bool
	cmd := &cobra.Command{
		Use:   "unshare [options] [COMMAND [ARG...]]",
		Short: "Run a command in a modified user namespace",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !rootless.IsRootless() {
				return errors.New("please use unshare with rootless")
			}
			if len(args) == 0 {
				sh := os.Getenv("SHELL")
				if sh == "" {
					sh = "/bin/sh"
				}
				args = []string{sh}
			}
			path, err := exec.LookPath(args[0])
			if err != nil {
				return &codedError{error: err, code: 127}
			}
			cfg, err := d.engineConfig()
			if err != nil {
				return err
			}
			env := append(os.Environ(), "CONTAINERS_GRAPHROOT="+cfg.GraphRoot, "CONTAINERS_RUNROOT="+cfg.RunRoot)
			if !netns {
				return syscall.Exec(path, args, env)
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			c := exec.Command(path, args[1:]...)
			c.Env, c.Stdin, c.Stdout, c.Stderr = env, os.Stdin, cmd.OutOrStdout(), cmd.ErrOrStderr()
			err = rt.RunInRootlessNetNS(cmd.Context(), c)
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				return &ExitError{Code: exit.ExitCode()}
			}
			return err
		},
	}
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&netns, "rootless-netns", false, "Join the rootless network namespace used for container networking")
	return cmd
}
