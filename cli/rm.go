package cli

import (
	"os"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newRmCommand(d *Deps) *cobra.Command {
	var opts service.RemoveOptions
	var t uint
	var link bool
	cmd := &cobra.Command{
		Use:   "rm [options] CONTAINER [CONTAINER...]",
		Short: "Remove one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if link {
				return usageError("--link is not supported by berth: containers have no legacy links to remove")
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			opts.Timeout = timeoutFlag(cmd, &t)
			reports, err := e.Remove(cmd.Context(), args, opts)
			if err != nil {
				return err
			}
			var errs []error
			for _, r := range reports {
				if r.Err != nil {
					errs = append(errs, r.Err)
				}
			}
			if len(errs) == 0 {
				// podman's: the container is gone, so is the file naming it
				// (a unit's ExecStopPost leaves no stale ID behind).
				for _, f := range opts.CIDFiles {
					_ = os.Remove(f)
				}
			}
			return removalExitCode(printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports), errs)
		},
	}
	cmd.Flags().BoolVarP(&opts.All, "all", "a", false, "remove all containers")
	bindSelection(cmd.Flags(), &opts.Selection, selFlags{latest: true, filterLong: true, cidfile: true, ignore: true})
	cmd.Flags().BoolVar(&opts.Depend, "depend", false, "remove the container and, first, every container that depends on it")
	cmd.Flags().BoolVarP(&opts.Force, "force", "f", false, "force removal of a running or unusable container")
	bindTimeout(cmd.Flags(), &t)
	cmd.Flags().BoolVarP(&opts.Volumes, "volumes", "v", false, "remove the containers' anonymous volumes")
	// docker's --link (its -l is berth's --latest, as in podman).
	cmd.Flags().BoolVar(&link, "link", false, "remove the specified link (docker; not supported: berth has no legacy links)")
	return cmd
}

func newRenameCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "rename CONTAINER NAME",
		Short: "Rename an existing container",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			c, err := rt.LookupContainer(args[0])
			if err != nil {
				return err
			}
			return c.Rename(cmd.Context(), args[1])
		},
	}
}

func newPruneCommand(d *Deps) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove all non running containers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force {
				ok, err := confirm(cmd, "WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ")
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.Prune(cmd.Context(), rt)
			if err != nil {
				return err
			}
			return printReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}
