package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine"
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
			for _, c := range conditions {
				if _, err := define.ParseStatus(c); err != nil {
					return usageError("invalid --condition %q: %v", c, err)
				}
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if latest {
				ctrs, _, err := service.Resolve(rt, args, false, true)
				if err != nil {
					return err
				}
				args = []string{ctrs[0].ID()}
			}
			var codes []int32
			reports, err := service.Each(cmd.Context(), rt, args, false, func(ctx context.Context, c *engine.Container) error {
				code, err := waitFor(ctx, c, conditions)
				codes = append(codes, code)
				return err
			})
			if err != nil {
				return err
			}
			var last error
			i := 0
			for _, r := range reports {
				if r.Err != nil {
					if last != nil {
						fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", last)
					}
					last = r.Err
					if r.ID != "" {
						i++
					}
					continue
				}
				fmt.Fprintln(cmd.OutOrStdout(), codes[i])
				i++
			}
			return last
		},
	}
	cmd.Flags().StringSliceVar(&conditions, "condition", nil, "condition to wait on (stopped, exited, running, ...)")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	return cmd
}

// waitFor waits for the container's exit, or for one of the given
// statuses (--condition).
func waitFor(ctx context.Context, c *engine.Container, conditions []string) (int32, error) {
	onlyExit := len(conditions) == 0
	for _, s := range conditions {
		if s == "stopped" || s == "exited" {
			onlyExit = onlyExit || len(conditions) == 1
		}
	}
	if onlyExit {
		return c.Wait(ctx)
	}
	return c.WaitForStatus(ctx, statusesOf(conditions))
}

func statusesOf(conds []string) []define.ContainerStatus {
	var out []define.ContainerStatus
	for _, c := range conds {
		s, _ := define.ParseStatus(strings.TrimSpace(c))
		out = append(out, s)
	}
	return out
}
