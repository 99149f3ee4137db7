package cli

import (
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// newCheckpointCommand is podman's `container checkpoint`: CRIU through the
// OCI runtime. Every flag is parsed and its combinations checked; the
// work needs a CRIU that passes `criu check` (see engine/oci.CheckCRIU).
func newCheckpointCommand(d *Deps) *cobra.Command {
	var o service.CheckpointOptions
	var compress string
	cmd := &cobra.Command{
		Use:   "checkpoint [options] CONTAINER [CONTAINER...]",
		Short: "Checkpoint one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("compress") && o.Export == "" {
				return usageError("--compress can only be used with --export")
			}
			switch compress {
			case "none", "gzip", "zstd":
			default:
				return usageError("selected compression algorithm (%q) not supported. Please select one from: gzip, none, zstd", compress)
			}
			if err := o.Validate(args); err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.Checkpoint(cmd.Context(), rt, args, o)
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "checkpoint all running containers")
	bindSelection(f, &o.Selection, selFlags{latest: true})
	f.StringVarP(&o.Export, "export", "e", "", "export the checkpoint image to a tar.gz")
	f.StringVarP(&compress, "compress", "c", "zstd", "select compression algorithm (gzip, none, zstd) for checkpoint archive")
	f.BoolVarP(&o.LeaveRunning, "leave-running", "R", false, "leave the container running after writing checkpoint to disk")
	f.BoolVar(&o.TCPEstablished, "tcp-established", false, "checkpoint a container with established TCP connections")
	f.BoolVarP(&o.Keep, "keep", "k", false, "keep all temporary checkpoint files")
	f.BoolVar(&o.IgnoreRootfs, "ignore-rootfs", false, "do not include root file-system changes when exporting")
	f.BoolVar(&o.IgnoreVolumes, "ignore-volumes", false, "do not export volumes associated with container")
	f.BoolVar(&o.FileLocks, "file-locks", false, "checkpoint a container with file locks")
	f.BoolVarP(&o.PreCheckpoint, "pre-checkpoint", "P", false, "dump container's memory information only, leave the container running")
	f.BoolVar(&o.WithPrevious, "with-previous", false, "checkpoint container with pre-checkpoint images")
	f.BoolVar(&o.PrintStats, "print-stats", false, "display checkpoint statistics")
	return cmd
}

// newRestoreCommand is podman's `container restore`.
func newRestoreCommand(d *Deps) *cobra.Command {
	var o service.RestoreOptions
	cmd := &cobra.Command{
		Use:   "restore [options] CONTAINER [CONTAINER...]",
		Short: "Restore one or more containers from a checkpoint",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.Validate(args); err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.Restore(cmd.Context(), rt, args, o)
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "restore all checkpointed containers")
	bindSelection(f, &o.Selection, selFlags{latest: true})
	f.StringVarP(&o.Import, "import", "i", "", "restore from exported checkpoint archive (tar.gz)")
	f.StringVarP(&o.Name, "name", "n", "", "specify new name for container restored from exported checkpoint (only works with image or --import)")
	f.BoolVarP(&o.Keep, "keep", "k", false, "keep all temporary checkpoint files")
	f.BoolVar(&o.TCPEstablished, "tcp-established", false, "restore a container with established TCP connections")
	f.BoolVar(&o.IgnoreRootfs, "ignore-rootfs", false, "do not apply root file-system changes when importing from exported checkpoint")
	f.BoolVar(&o.IgnoreVolumes, "ignore-volumes", false, "do not export volumes associated with container")
	f.BoolVar(&o.FileLocks, "file-locks", false, "restore a container with file locks")
	f.BoolVar(&o.PrintStats, "print-stats", false, "display restore statistics")
	return cmd
}
