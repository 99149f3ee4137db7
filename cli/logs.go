package cli

import (
	"fmt"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"strconv"
	"strings"
	"time"
)

func newLogsCommand(d *Deps) *cobra.Command {
	var follow, timestamps, latest, names, color, details bool
	var tail int
	var since, until string
	cmd := &cobra.Command{
		Use:   "logs [options] CONTAINER [CONTAINER...]",
		Short: "Fetch the logs of one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			opts := service.LogOptions{Follow: follow, Tail: tail, Timestamps: timestamps, Details: details,
				Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr()}
			var err error
			if opts.Since, err = parseTimeArg(since, now); err != nil {
				return usageError("invalid --since %q: %v", since, err)
			}
			if opts.Until, err = parseTimeArg(until, now); err != nil {
				return usageError("invalid --until %q: %v", until, err)
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			return e.Logs(cmd.Context(), args, service.LogsOptions{LogOptions: opts, Latest: latest, Names: names, Color: color})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&follow, "follow", "f", false, "follow log output")
	f.BoolVarP(&timestamps, "timestamps", "t", false, "output the timestamps in the log")
	// -n is docker's short --tail (podman's -n is --names; docker's wins
	// here, the one scripts copy from docs more often).
	f.IntVarP(&tail, "tail", "n", -1, "output the specified number of lines at the end of logs")
	f.BoolVar(&names, "names", false, "output the container name in the log")
	f.BoolVar(&color, "color", false, "output the containers with different colors in the log")
	f.BoolVar(&details, "details", false, "show extra details provided to logs (the --log-opt labels=/env= attributes)")
	f.StringVar(&since, "since", "", "show logs since TIMESTAMP (RFC3339, unix time, or a duration like 10m)")
	f.StringVar(&until, "until", "", "show logs until TIMESTAMP")
	f.BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	return cmd
}

// parseTimeArg accepts what docker's --since/--until take: RFC3339 (with
// or without nanoseconds and zone), a date, unix seconds (with optional
// fraction), or a Go duration counted back from now.
func parseTimeArg(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if sec, frac, ok := strings.Cut(s, "."); ok || isDigits(s) {
		if isDigits(sec) && (frac == "" || isDigits(frac)) {
			n, _ := strconv.ParseInt(sec, 10, 64)
			ns := int64(0)
			if frac != "" {
				f := (frac + "000000000")[:9]
				ns, _ = strconv.ParseInt(f, 10, 64)
			}
			return time.Unix(n, ns), nil
		}
	}
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a timestamp or duration")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
