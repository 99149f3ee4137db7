package cli

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// netCreateCompat are network create's podman IPAM/route flags and
// docker's swarm-era flags. berth networks are local bridge/macvlan/ipvlan
// networks with host-local IPAM, so most are accepted only in the value
// that describes that, and refused in one line otherwise.
type netCreateCompat struct {
	ipamDriver                 string
	routes, auxAddrs, ipamOpts []string
	attachable, ipv4, ingress  bool
	configOnly                 bool
	scope, configFrom          string
}

func bindNetCreateCompat(f *pflag.FlagSet, x *netCreateCompat) {
	f.StringVar(&x.ipamDriver, "ipam-driver", "", "IP address management driver (berth: host-local only)")
	f.StringArrayVar(&x.routes, "route", nil, "static route for the network's containers (not supported by berth)")
	f.BoolVar(&x.attachable, "attachable", false, "enable manual container attachment (docker; every berth network is)")
	f.StringArrayVar(&x.auxAddrs, "aux-address", nil, "auxiliary addresses used by the network driver (docker; not supported by berth)")
	f.StringArrayVar(&x.ipamOpts, "ipam-opt", nil, "IPAM driver specific options (docker; not supported by berth)")
	f.BoolVar(&x.ipv4, "ipv4", true, "enable or disable IPv4 address assignment (docker; berth networks always have IPv4)")
	f.StringVar(&x.scope, "scope", "", "control the network's scope (docker; berth: local only)")
	f.StringVar(&x.configFrom, "config-from", "", "the network from which to copy the configuration (docker; not supported by berth)")
	f.BoolVar(&x.configOnly, "config-only", false, "create a configuration only network (docker; not supported by berth)")
	f.BoolVar(&x.ingress, "ingress", false, "create swarm routing-mesh network (docker swarm; not supported by berth)")
}

// check refuses what berth cannot do, before anything is created.
func (x *netCreateCompat) check(cmd *cobra.Command) error {
	switch {
	case x.ipamDriver != "" && x.ipamDriver != "host-local":
		return usageError("--ipam-driver %s is not supported by berth: networks use host-local IPAM", x.ipamDriver)
	case len(x.routes) > 0:
		return usageError("--route is not supported by berth: the network backend cannot add static routes")
	case len(x.auxAddrs) > 0:
		return usageError("--aux-address is not supported by berth")
	case len(x.ipamOpts) > 0:
		return usageError("--ipam-opt is not supported by berth: host-local IPAM takes no options")
	case !x.ipv4:
		return usageError("--ipv4=false is not supported by berth: networks always have IPv4")
	case x.scope != "" && x.scope != "local":
		return usageError("--scope %s is not supported by berth: networks are local (no swarm mode)", x.scope)
	case x.configFrom != "" || x.configOnly:
		return usageError("--config-from and --config-only are not supported by berth")
	case x.ingress:
		return usageError("--ingress is not supported by berth: there is no swarm mode")
	}
	return nil
}
