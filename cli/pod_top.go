package cli

import (
	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newPodTopCommand(d *Deps) *cobra.Command {
	var latest bool
	cmd := &cobra.Command{
		Use:   "top [options] POD [FORMAT-DESCRIPTORS...]",
		Short: "Display the running processes of containers in a pod",
		Long: "Display the running processes of every container of a pod, the infra container included, in one table.\n" +
			"Descriptors are those of `top` (pid ppid user group args comm etime time tty vsz rss pcpu ...).",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var name string
			switch {
			case latest:
			case len(args) == 0:
				return usageError("you must provide the name or id of a running pod")
			default:
				name, args = args[0], args[1:]
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			table, err := service.PodTop(cmd.Context(), rt, name, latest, args)
			if err != nil {
				return err
			}
			format.Table(cmd.OutOrStdout(), table[0], table[1:])
			return nil
		},
	}
	// ps options after the pod (pod top p -eo pid) are arguments.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest pod berth is aware of")
	return cmd
}
