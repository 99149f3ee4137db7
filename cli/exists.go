package cli

import (
	"errors"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newContainerExistsCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "exists CONTAINER",
		Short: "Check if a container exists in local storage",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			ok, err := rt.ContainerExists(args[0])
			if err != nil {
				return err
			}
			if !ok {
				return &ExitError{Code: 1}
			}
			return nil
		},
	}
}

func newImageExistsCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "exists IMAGE",
		Short: "Check if an image exists in local storage",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if _, err := service.LookupImage(rt, args[0]); err != nil {
				if errors.Is(err, define.ErrNoSuchImage) {
					return &ExitError{Code: 1}
				}
				return err
			}
			return nil
		},
	}
}

func newCleanupCommand(d *Deps) *cobra.Command {
	var rm bool
	cmd := &cobra.Command{
		Use:    "cleanup [options] CONTAINER",
		Short:  "Clean up network and mountpoints of one or more containers (run by conmon on exit)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			c, err := rt.LookupContainer(args[0])
			if errors.Is(err, define.ErrNoSuchCtr) {
				return nil // already removed, e.g. by `run --rm` itself
			}
			if err != nil {
				return err
			}
			return c.Cleanup(cmd.Context(), rm)
		},
	}
	cmd.Flags().BoolVar(&rm, "rm", false, "after cleanup, remove the container entirely")
	return cmd
}
