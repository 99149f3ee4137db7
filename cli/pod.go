package cli

import (
	"fmt"
	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"io"
	"sort"
	"syscall"
)

// newPodCommand is the `pod` group.
func newPodCommand(d *Deps) *cobra.Command {
	cmd := &cobra.Command{Use: "pod", Short: "Manage pods", RunE: subcommandRequired}
	cmd.AddCommand(newPodCreateCommand(d), newPodPsCommand(d), newPodInspectCommand(d), newPodExistsCommand(d),
		newPodRmCommand(d), newPodPruneCommand(d),
		newPodTopCommand(d), newPodStatsCommand(d), newPodLogsCommand(d), newPodCloneCommand(d),
		newPodVerbCommand(d, service.PodVerbStart, "Start one or more pods"),
		newPodVerbCommand(d, service.PodVerbStop, "Stop one or more pods"),
		newPodVerbCommand(d, service.PodVerbRestart, "Restart one or more pods"),
		newPodVerbCommand(d, service.PodVerbKill, "Send the specified signal or SIGKILL to containers in pod"),
		newPodVerbCommand(d, service.PodVerbPause, "Pause one or more pods"),
		newPodVerbCommand(d, service.PodVerbUnpause, "Unpause one or more pods"),
	)
	return cmd
}

// podVerbFlags are the flags the simple pod verbs take.
type podVerbFlags struct {
	timeout *uint
	signal  syscall.Signal
}

// newPodVerbCommand builds pod start/stop/restart/kill/pause/unpause:
// NAME... or --all / --latest, the pod's ID printed for each pod done.
func newPodVerbCommand(d *Deps, verb, short string) *cobra.Command {
	var all, latest bool
	var t uint
	var sig string
	cmd := &cobra.Command{
		Use:   verb + " [options] POD [POD...]",
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			f := &podVerbFlags{}
			if verb == "stop" || verb == "restart" {
				f.timeout = timeoutFlag(cmd, &t)
			}
			if verb == "kill" {
				s, err := signals.Parse(sig)
				if err != nil {
					return usageError("%v", err)
				}
				f.signal = s
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := e.PodVerb(cmd.Context(), verb, args, service.PodVerbOptions{All: all, Latest: latest, Timeout: f.timeout, Signal: f.signal})
			if err != nil {
				return err
			}
			return printPodReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, verb+" all pods")
	fl.BoolVarP(&latest, "latest", "l", false, "act on the latest pod berth is aware of")
	switch verb {
	case "stop", "restart":
		fl.UintVarP(&t, "time", "t", 10, "seconds to wait for pod stop before killing the container")
	case "kill":
		fl.StringVarP(&sig, "signal", "s", "KILL", "signal to send to the containers in the pod")
	}
	switch verb {
	case "start", "stop":
		addIDFileFlag(cmd, "pod-id-file", "read the pod ID from the file", verb == "stop", nil, podExists(d), false)
	}
	return cmd
}

// printPodReports prints each pod's ID, or its errors: the member errors
// one a line, then the pod's, podman's way; the last error is returned.
func printPodReports(out, errOut io.Writer, reports []service.PodReport) error {
	var last error
	fail := func(err error) {
		if last != nil {
			fmt.Fprintf(errOut, "Error: %v\n", last)
		}
		last = err
	}
	for _, r := range reports {
		switch {
		case r.Err != nil:
			fail(r.Err)
		case len(r.Errs) > 0:
			ids := make([]string, 0, len(r.Errs))
			for id := range r.Errs {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				fail(r.Errs[id])
			}
		default:
			fmt.Fprintln(out, r.ID)
		}
	}
	return last
}

func newPodRmCommand(d *Deps) *cobra.Command {
	var all, force, ignore, volumes bool
	var t uint
	cmd := &cobra.Command{
		Use:     "rm [options] POD [POD...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more pods",
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			opts := service.PodRemoveOptions{Force: force, Timeout: timeoutFlag(cmd, &t), Volumes: volumes}
			reports, err := e.PodRemove(cmd.Context(), args, all, ignore, opts)
			if err != nil {
				return err
			}
			var errs []error
			for _, r := range reports {
				if r.Err != nil {
					errs = append(errs, r.Err)
				}
			}
			return removalExitCode(printPodReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports), errs)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "remove all pods")
	f.BoolVarP(&force, "force", "f", false, "stop running containers and delete all stopped containers before removal of pod")
	f.BoolVarP(&ignore, "ignore", "i", false, "ignore errors when a specified pod is missing")
	f.BoolVarP(&volumes, "volumes", "v", false, "remove the anonymous volumes of the pod's containers")
	f.UintVarP(&t, "time", "t", 10, "seconds to wait for pod stop before killing the container")
	addIDFileFlag(cmd, "pod-id-file", "read the pod ID from the file", false, func() bool { return ignore }, nil, true)
	return cmd
}

func newPodPruneCommand(d *Deps) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "prune [options]",
		Short: "Remove all stopped pods and their containers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force {
				ok, err := confirm(cmd, "WARNING! This will remove all stopped/exited pods..\nAre you sure you want to continue? [y/N] ")
				if err != nil || !ok {
					return err
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := service.PodPrune(cmd.Context(), rt)
			if err != nil {
				return err
			}
			return printPodReports(cmd.OutOrStdout(), cmd.ErrOrStderr(), reports)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return cmd
}

func newPodExistsCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "exists POD",
		Short: "Check if a pod exists in local storage",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			ok, err := rt.PodExists(args[0])
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
