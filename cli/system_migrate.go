package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newSystemMigrateCommand is podman's `system migrate`.
func newSystemMigrateCommand(d *Deps) *cobra.Command {
	var opts service.MigrateOptions
	cmd := &cobra.Command{
		Use:   "migrate [options]",
		Short: "Migrate containers",
		Long: "Migrate existing containers to this version of berth: stop the running ones (printing\n" +
			"\"stopped ID\" for each), so that their next start uses the current engine, and with\n" +
			"--new-runtime move every container to that OCI runtime.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			return service.Migrate(cmd.Context(), rt, opts, func(id string) { fmt.Fprintf(out, "stopped %s\n", id) })
		},
	}
	cmd.Flags().StringVar(&opts.NewRuntime, "new-runtime", "", "Specify a new runtime for all containers")
	return cmd
}

// newSystemRenumberCommand is podman's `system renumber`. berth's locks
// are files named by object ID, never a numbered pool that could run
// out, so it only clears the lock files of objects that are gone.
func newSystemRenumberCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "renumber",
		Short: "Migrate lock numbers",
		Long: "berth's locks are files named by object ID rather than numbers from a fixed pool, so nothing\n" +
			"needs re-allocating; renumber removes the lock files of containers, pods and volumes that no\n" +
			"longer exist (left by a crash). Like podman's, it prints nothing.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			_, err = service.Renumber(rt)
			return err
		},
	}
}
