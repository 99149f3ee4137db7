package cli

import (
	"context"
	"time"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newPodLogsCommand(d *Deps) *cobra.Command {
	var o service.PodLogsOptions
	var latest bool
	var since, until string
	cmd := &cobra.Command{
		Use:   "logs [options] POD",
		Short: "Fetch logs for pod with one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case latest && len(args) > 0:
				return usageError("--latest and a pod name cannot be used together")
			case !latest && len(args) != 1:
				return usageError("you must provide exactly one pod name or id")
			}
			now := time.Now()
			o.Log.Stdout, o.Log.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			var err error
			if o.Log.Since, err = parseTimeArg(since, now); err != nil {
				return usageError("invalid --since %q: %v", since, err)
			}
			if o.Log.Until, err = parseTimeArg(until, now); err != nil {
				return usageError("invalid --until %q: %v", until, err)
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if !o.Log.Until.IsZero() && o.Log.Follow {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, o.Log.Until)
				defer cancel()
			}
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			return service.PodLogs(ctx, rt, name, latest, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Container, "container", "c", "", "filter logs by container name or id which belongs to pod")
	f.BoolVarP(&o.Log.Follow, "follow", "f", false, "follow log output")
	f.BoolVarP(&o.Log.Timestamps, "timestamps", "t", false, "output the timestamps in the log")
	f.IntVar(&o.Log.Tail, "tail", -1, "output the specified number of lines at the end of logs")
	f.StringVar(&since, "since", "", "show logs since TIMESTAMP (RFC3339, unix time, or a duration like 10m)")
	f.StringVar(&until, "until", "", "show logs until TIMESTAMP")
	f.BoolVarP(&o.Names, "names", "n", false, "output the container name in the log")
	f.BoolVar(&o.Color, "color", false, "output the containers with different colors in the log")
	f.BoolVarP(&latest, "latest", "l", false, "act on the latest pod berth is aware of")
	return cmd
}
