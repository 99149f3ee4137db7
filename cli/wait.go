package cli

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newWaitCommand(d *Deps) *cobra.Command {
	var conditions []string
	var latest bool
	cmd := &cobra.Command{
		Use:   "wait [options] CONTAINER [CONTAINER...]",
		Short: "Block on one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
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
			reports, err := e.Wait(cmd.Context(), args, service.WaitOptions{Latest: latest, Conditions: statusesOf(statuses), Health: health})
			if err != nil {
				return err
			}
			var last error
			for _, r := range reports {
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
	return cmd
}

func statusesOf(conds []string) []define.ContainerStatus {
	var out []define.ContainerStatus
	for _, c := range conds {
		s, _ := define.ParseStatus(strings.TrimSpace(c))
		out = append(out, s)
	}
	return out
}
