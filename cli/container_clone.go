package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newContainerCloneCommand is podman's `container clone`.
func newContainerCloneCommand(d *Deps) *cobra.Command {
	var o service.ContainerCloneOptions
	cmd := &cobra.Command{
		Use:   "clone [options] CONTAINER [NAME] [IMAGE]",
		Short: "Clone an existing container",
		Long: "Create a copy of a container with its configuration (named NAME-clone by default).\n" +
			"The new container's ID is printed.",
		Args: cobra.RangeArgs(1, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 3 {
				return usageError("cloning a container onto another image is not supported")
			}
			if len(args) == 2 {
				if o.Name != "" && o.Name != args[1] {
					return usageError("cannot specify a container name both as an argument and with --name")
				}
				o.Name = args[1]
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			c, err := service.ContainerClone(cmd.Context(), rt, args[0], o)
			if c != nil {
				fmt.Fprintln(cmd.OutOrStdout(), c.ID())
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Name, "name", "", "name of the new container")
	f.StringVar(&o.Pod, "pod", "", "pod to put the new container in")
	f.BoolVar(&o.Destroy, "destroy", false, "destroy the original container")
	f.BoolVarP(&o.Force, "force", "f", false, "force the removal of a running original (with --destroy)")
	f.BoolVar(&o.Run, "run", false, "start the new container")
	return cmd
}
