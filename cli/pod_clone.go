package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newPodCloneCommand(d *Deps) *cobra.Command {
	var o service.PodCloneOptions
	cmd := &cobra.Command{
		Use:   "clone [options] POD [NAME]",
		Short: "Clone an existing pod",
		Long: "Create a copy of a pod: its configuration, its infra container and a copy of each of its containers\n" +
			"(named NAME-clone). The new pod's ID is printed.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				if o.Name != "" && o.Name != args[1] {
					return usageError("cannot specify a pod name both as an argument and with --name")
				}
				o.Name = args[1]
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			pod, err := service.PodClone(cmd.Context(), rt, args[0], o)
			if pod != nil {
				fmt.Fprintln(cmd.OutOrStdout(), pod.ID())
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Name, "name", "n", "", "name the new pod")
	f.BoolVar(&o.Destroy, "destroy", false, "destroy the original pod")
	f.BoolVar(&o.Start, "start", false, "start the new pod")
	return cmd
}
