package cli

import (
	"net"
	"net/netip"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newNetworkConnectCommand(d *Deps) *cobra.Command {
	var ip, ip6, mac string
	var aliases []string
	cmd := &cobra.Command{
		Use:   "connect [options] NETWORK CONTAINER",
		Short: "Add a container to a network",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var o define.PerNetworkOptions
			for flag, v := range map[string]string{"ip": ip, "ip6": ip6} {
				if v == "" {
					continue
				}
				a, err := netip.ParseAddr(v)
				if err != nil {
					return usageError("invalid --%s %q: not an IP address", flag, v)
				}
				o.StaticIPs = append(o.StaticIPs, a.String())
			}
			if mac != "" {
				hw, err := net.ParseMAC(mac)
				if err != nil {
					return usageError("invalid --mac-address %q: not a MAC address", mac)
				}
				o.StaticMAC = hw.String()
			}
			o.Aliases = aliases
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return service.NetworkConnect(cmd.Context(), rt, args[0], args[1], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&ip, "ip", "", "set a static IPv4 address for this container on this network")
	f.StringVar(&ip6, "ip6", "", "set a static IPv6 address for this container on this network")
	f.StringVar(&mac, "mac-address", "", "set a static MAC address for this container on this network")
	f.StringArrayVar(&aliases, "alias", nil, "network scoped alias for the container")
	return cmd
}

func newNetworkDisconnectCommand(d *Deps) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "disconnect [options] NETWORK CONTAINER",
		Short: "Disconnect a container from a network",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return service.NetworkDisconnect(cmd.Context(), rt, args[0], args[1])
		},
	}
	// docker's -f only matters for its cluster stores; a local disconnect
	// always completes, so it is accepted and means the same.
	cmd.Flags().BoolVarP(&force, "force", "f", false, "force the container to disconnect from a network")
	return cmd
}
