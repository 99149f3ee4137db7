package cli

import (
	"fmt"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
	"net"
	"strconv"
)

func newPortCommand(d *Deps) *cobra.Command {
	var all, latest bool
	cmd := &cobra.Command{
		Use:   "port [options] CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short: "List port mappings or a specific mapping for the container",
		Args:  cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all && latest {
				return usageError("--all and --latest cannot be used together")
			}
			if (all || latest) && len(args) > 1 || !all && !latest && len(args) == 0 {
				return usageError("port needs one container (or --all / --latest) and optionally a port")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			name, filter := "", ""
			switch {
			case all || latest:
				if len(args) == 1 {
					filter = args[0]
				}
			default:
				name = args[0]
				if len(args) == 2 {
					filter = args[1]
				}
			}
			ports, err := service.Port(rt, name, service.PortOptions{All: all, Latest: latest, Filter: filter})
			out := cmd.OutOrStdout()
			for _, p := range ports {
				if all && len(p.Lines) > 0 {
					fmt.Fprintln(out, p.ID[:12])
				}
				for _, l := range p.Lines {
					hostPort := strconv.Itoa(int(l.HostPort))
					if filter != "" {
						fmt.Fprintln(out, net.JoinHostPort(l.HostIP, hostPort))
						continue
					}
					fmt.Fprintf(out, "%s -> %s\n", l.Private, net.JoinHostPort(l.HostIP, hostPort))
				}
				if filter != "" && len(p.Lines) == 0 && !all {
					return fmt.Errorf("failed to find published port %q", filter)
				}
			}
			if err != nil {
				return err
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "display port information for all containers")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	return cmd
}
