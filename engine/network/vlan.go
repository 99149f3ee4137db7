package network

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// isBridge reports whether n is a bridge network (the default driver):
// only bridges are berth's own links, with a keep-alive, a host-wide
// registry entry and an interface name of their own. A macvlan or ipvlan
// network's interface is its parent, a host link berth never touches.
func isBridge(n define.Network) bool { return n.Driver == "" || n.Driver == "bridge" }

// vlanModes are the modes netavark accepts per driver.
var vlanModes = map[string][]string{
	"macvlan": {"bridge", "private", "vepa", "passthru"},
	"ipvlan":  {"l2", "l3", "l3s"},
}

// normalizeVLAN checks a macvlan or ipvlan definition as podman does:
// the parent (-o parent= or --interface-name; the default route's
// interface if neither) must exist, mode is the driver's, DNS is off
// (aardvark-dns serves bridges only), and a subnet is needed (without
// one podman asks netavark's DHCP proxy, which berth does not run).
func normalizeVLAN(n *define.Network) error {
	for k, v := range n.Options {
		switch k {
		case "parent":
			n.NetworkInterface = v
			delete(n.Options, k)
		case "mode":
			ok := false
			for _, m := range vlanModes[n.Driver] {
				ok = ok || m == v
			}
			if !ok {
				return fmt.Errorf("unknown %s mode %q: %w", n.Driver, v, define.ErrInvalidArg)
			}
		case "mtu", "metric":
			if !isDigits(v) {
				return fmt.Errorf("network option %s=%s: must be a number: %w", k, v, define.ErrInvalidArg)
			}
		case "no_default_route":
			if v != "true" && v != "false" && v != "1" && v != "0" {
				return fmt.Errorf("network option no_default_route=%s: must be true or false: %w", v, define.ErrInvalidArg)
			}
		default:
			return fmt.Errorf("unsupported %s network option %s: %w", n.Driver, k, define.ErrInvalidArg)
		}
	}
	if n.NetworkInterface == "" {
		dev, err := defaultRouteInterface()
		if err != nil {
			return err
		}
		n.NetworkInterface = dev
	}
	if _, err := net.InterfaceByName(n.NetworkInterface); err != nil {
		return fmt.Errorf("parent interface %s does not exist: %w", n.NetworkInterface, define.ErrInvalidArg)
	}
	if len(n.Subnets) == 0 {
		return fmt.Errorf("%s network %s needs a --subnet: berth has no DHCP proxy for it: %w", n.Driver, n.Name, define.ErrInvalidArg)
	}
	n.DNSEnabled = false
	return nil
}

// defaultRouteInterface is the interface of the host's IPv4 default route.
func defaultRouteInterface() (string, error) {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) > 2 && fl[1] == "00000000" && fl[0] != "Iface" {
			return fl[0], nil
		}
	}
	return "", fmt.Errorf("no default route interface found: name a parent with -o parent=DEV: %w", define.ErrInvalidArg)
}

// allocateVLAN checks a macvlan or ipvlan network's subnets against the
// other networks of this root only: they are usually the parent's own
// LAN, which the host's routes cover, and no bridge of berth's is made
// for them (nothing goes into the host-wide registry).
func allocateVLAN(n *define.Network, existing []define.Network, persist func() error) error {
	for _, s := range n.Subnets {
		p, _ := netip.ParsePrefix(s.Subnet)
		for _, o := range existing {
			for _, os := range o.Subnets {
				if op, err := netip.ParsePrefix(os.Subnet); err == nil && op.Overlaps(p) {
					return fmt.Errorf("subnet %s is already used by network %s: %w", s.Subnet, o.Name, define.ErrNetworkExists)
				}
			}
		}
	}
	return persist()
}
