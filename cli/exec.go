package cli

import (
	"errors"
	"fmt"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newExecCommand(d *Deps) *cobra.Command {
	var o service.ExecOptions
	var latest bool
	var detachKeys, cidFile string
	var noSession bool
	cmd := &cobra.Command{
		Use:   "exec [options] CONTAINER COMMAND [ARG...]",
		Short: "Run a process in a running container",
		RunE: func(cmd *cobra.Command, args []string) error {
			want := 2
			if latest || cidFile != "" {
				want = 1
			}
			if err := checkExecFlags(d, latest, cidFile, noSession, o); err != nil {
				return err
			}
			if len(args) < want {
				return usageError("exec requires the name or ID of a container and a command to run")
			}
			keys, err := resolveDetachKeys(cmd, detachKeys, d)
			if err != nil {
				return err
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			name := ""
			switch {
			case cidFile != "":
				if name, err = readCIDFile(cidFile); err != nil {
					return err
				}
			case !latest:
				name, args = args[0], args[1:]
			}
			o.Command = args
			o.DetachKeys = keys
			o.Stdin, o.Stdout, o.Stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			if o.Terminal {
				// A terminal has one output stream.
				o.Stderr = o.Stdout
			}
			term, err := newTerminal(cmd, o.Terminal && o.Interactive && !o.Detach)
			if err != nil {
				return err
			}
			defer term.restore()
			o.Resize = term.resize
			term.makeRaw()
			res, err := e.Exec(cmd.Context(), name, latest, o)
			term.restore()
			if errors.Is(err, define.ErrNoSuchUser) {
				// The command cannot be invoked as that user (docker's 126).
				return &codedError{error: err, code: 126}
			}
			if err != nil {
				return err
			}
			if res.SessionID != "" {
				fmt.Fprintln(cmd.OutOrStdout(), res.SessionID)
			}
			if res.ExitCode != 0 {
				return &ExitError{Code: res.ExitCode}
			}
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	f := cmd.Flags()
	f.BoolVarP(&o.Detach, "detach", "d", false, "run the exec session in detached mode (backgrounded)")
	f.StringVar(&detachKeys, "detach-keys", "", "select the key sequence for detaching a container (default \"ctrl-p,ctrl-q\")")
	f.StringArrayVarP(&o.Env, "env", "e", nil, "set environment variables")
	f.StringArrayVar(&o.EnvFiles, "env-file", nil, "read in a file of environment variables")
	f.BoolVarP(&o.Interactive, "interactive", "i", false, "keep STDIN open even if not attached")
	f.BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	f.BoolVar(&o.Privileged, "privileged", false, "give the process extended Linux capabilities")
	f.BoolVarP(&o.Terminal, "tty", "t", false, "allocate a pseudo-TTY")
	f.StringVarP(&o.User, "user", "u", "", "sets the username or UID used and optionally the groupname or GID for the specified command")
	f.StringVarP(&o.WorkDir, "workdir", "w", "", "working directory inside the container")
	f.StringVar(&cidFile, "cidfile", "", "read the container ID from the file")
	f.BoolVar(&noSession, "no-session", false, "do not create a database session")
	f.UintVar(&o.PreserveFDs, "preserve-fds", 0, "pass N additional file descriptors to the process")
	f.UintSliceVar(&o.PreserveFD, "preserve-fd", nil, "pass a list of additional file descriptors to the process")
	return cmd
}
