package cli

import (
	"fmt"

	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

func newNetworkCreateCommand(d *Deps) *cobra.Command {
	var o service.NetworkCreateOptions
	var opts, labels []string
	var compat netCreateCompat
	cmd := &cobra.Command{
		Use:   "create [options] [NAME]",
		Short: "Create a network",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := compat.check(cmd); err != nil {
				return err
			}
			var err error
			if o.Options, err = parseKeyValues("opt", opts); err != nil {
				return err
			}
			if o.Labels, err = parseKeyValues("label", labels); err != nil {
				return err
			}
			if len(args) == 1 {
				o.Name = args[0]
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			n, err := e.NetworkCreate(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), n.Name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Driver, "driver", "d", "bridge", "driver to manage the network")
	f.StringArrayVar(&o.Subnets, "subnet", nil, "subnets in CIDR format")
	f.StringArrayVar(&o.Gateways, "gateway", nil, "IPv4 or IPv6 gateway for the subnet")
	f.StringArrayVar(&o.IPRanges, "ip-range", nil, "allocate container IP from range")
	f.BoolVar(&o.Internal, "internal", false, "restrict external access from this network")
	f.BoolVar(&o.IPv6, "ipv6", false, "enable IPv6 networking")
	f.BoolVar(&o.DisableDNS, "disable-dns", false, "disable dns plugin")
	f.BoolVar(&o.Ignore, "ignore", false, "don't fail if network already exists")
	f.StringVar(&o.Interface, "interface-name", "", "interface name which is used by the driver")
	f.StringArrayVarP(&opts, "opt", "o", nil, "set driver specific options (mtu, metric, isolate; docker's com.docker.network.driver.mtu and com.docker.network.bridge.name)")
	f.StringArrayVar(&labels, "label", nil, "set metadata on a network")
	f.StringSliceVar(&o.DNSServers, "dns", nil, "DNS servers this network will use")
	bindNetCreateCompat(f, &compat)
	return cmd
}
