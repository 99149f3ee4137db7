package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newUpdateCommand is `update`: podman's flags for the limits berth can
// change (memory, swap, CPUs, CPU shares, pids) and the restart policy,
// through the same service verb as the API's /containers/{id}/update.
func newUpdateCommand(d *Deps) *cobra.Command {
	var o service.UpdateOptions
	var pidsLimit int64
	cmd := &cobra.Command{
		Use:   "update [options] CONTAINER",
		Short: "Update an existing container",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("pids-limit") {
				o.PidsLimit = &pidsLimit
			}
			if o.Empty() {
				return usageError("you must provide one or more flags when using this command")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			id, err := service.ContainerUpdate(cmd.Context(), rt, args[0], o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Memory, "memory", "m", "", "memory limit (format: <number>[<unit>], where unit = b, k, m or g)")
	f.StringVar(&o.MemorySwap, "memory-swap", "", "swap limit equal to memory plus swap: '-1' to enable unlimited swap")
	f.StringVar(&o.CPUs, "cpus", "", "number of CPUs")
	f.Uint64VarP(&o.CPUShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	f.Int64Var(&pidsLimit, "pids-limit", 0, "tune container pids limit (set -1 for unlimited)")
	f.StringVar(&o.Restart, "restart", "", "restart policy to apply when a container exits (no, always, on-failure[:N], unless-stopped)")
	return cmd
}
