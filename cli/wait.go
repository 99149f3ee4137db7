package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newWaitCommand(d *Deps) *cobra.Command {
	var conditions []string
	var latest, ignore bool
	var interval string
	cmd := &cobra.Command{
		Use:   "wait [options] CONTAINER [CONTAINER...]",
		Short: "Block on one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			every, err := parseInterval(interval)
			if err != nil {
				return usageError("invalid --interval %q: %v", interval, err)
			}
			var statuses, health []string
			for _, c := range conditions {
				c = strings.TrimSpace(c)
				if c == define.HealthHealthy || c == define.HealthUnhealthy {
					health = append(health, c)
					continue
				}
				if _, err := define.ParseStatus(c); err != nil {
					return usageError("invalid --condition %q: %v", c, err)
				}
				statuses = append(statuses, c)
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			reports, err := e.Wait(cmd.Context(), args, service.WaitOptions{Latest: latest, Conditions: statusesOf(statuses), Health: health, Interval: every})
			if err != nil {
				return err
			}
			var last error
			for _, r := range reports {
				if r.Err != nil && ignore && isNotFound(r.Err) {
					// podman's --ignore: a missing container waits for
					// nothing and reports -1.
					fmt.Fprintln(cmd.OutOrStdout(), -1)
					continue
				}
				if r.Err != nil {
					if last != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", last)
					}
					last = r.Err
					continue
				}
				fmt.Fprintln(cmd.OutOrStdout(), r.ExitCode)
			}
			return last
		},
	}
	cmd.Flags().StringSliceVar(&conditions, "condition", nil, "condition to wait on (stopped, exited, running, healthy, unhealthy, ...)")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	cmd.Flags().BoolVar(&ignore, "ignore", false, "ignore if a container does not exist (prints -1)")
	// A plain wait is woken by the exit itself; waits for --condition
	// look at the container every interval, as podman polls.
	cmd.Flags().StringVarP(&interval, "interval", "i", "250ms", "time interval to wait before polling for completion")
	return cmd
}

// parseInterval reads podman's --interval: a duration, or milliseconds
// when it has no unit.
func parseInterval(v string) (time.Duration, error) {
	if isDigits(v) {
		n, err := strconv.Atoi(v)
		return time.Duration(n) * time.Millisecond, err
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		return 0, fmt.Errorf("must not be negative")
	}
	return d, err
}

func statusesOf(conds []string) []define.ContainerStatus {
	var out []define.ContainerStatus
	for _, c := range conds {
		s, _ := define.ParseStatus(strings.TrimSpace(c))
		out = append(out, s)
	}
	return out
}
