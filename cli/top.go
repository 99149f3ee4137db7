package cli

import (
	"github.com/berth-dev/berth/cli/format"
	"github.com/spf13/cobra"
)

func newTopCommand(d *Deps) *cobra.Command {
	var latest bool
	cmd := &cobra.Command{
		Use:   "top [options] CONTAINER [FORMAT-DESCRIPTORS|ARGS...]",
		Short: "Display the running processes of a container",
		Long: "Display the running processes of a container. Descriptors (podman's): pid ppid user group args comm\n" +
			"etime time tty vsz rss pcpu nice huser hgroup hpid hppid stime state seccomp label capeff capprm capinh\n" +
			"capbnd capamb; or ps options such as -ef or -eo pid,comm.",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			var name string
			switch {
			case latest:
				c, err := latestContainer(rt)
				if err != nil {
					return err
				}
				name = c.ID()
			case len(args) == 0:
				return usageError("you must provide the name or id of a running container")
			default:
				name, args = args[0], args[1:]
			}
			c, err := rt.LookupContainer(name)
			if err != nil {
				return err
			}
			table, err := c.Top(cmd.Context(), args)
			if err != nil {
				return err
			}
			format.Table(cmd.OutOrStdout(), table[0], table[1:])
			return nil
		},
	}
	// ps options after the container (top ctr -eo pid) are arguments.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	return cmd
}
