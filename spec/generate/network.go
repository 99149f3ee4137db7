package generate

import (
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// networking turns the port and per-network flags into engine options:
// -p/--publish, -P/--publish-all, --expose (plus the image's EXPOSE),
// --network NAME:ip=..,mac=..,alias=.., --ip, --mac-address and
// --network-alias. The network mode itself is handled by namespaces.
func networking(s *spec.ContainerSpec, imgCfg v1.ImageConfig, add func(...engine.CtrOption)) error {
	mode, networks, err := NetworkMode(s.Network)
	if err != nil {
		return err
	}
	bridge := mode == "" || mode == "bridge"

	exposed := map[string]struct{}{}
	for p := range imgCfg.ExposedPorts {
		// An image's EXPOSE keys have --expose's form; a bad one is not
		// the user's fault and is skipped.
		e, err := specflag.Expose(p)
		if err != nil {
			continue
		}
		for i := range max(e.Range, 1) {
			exposed[strconv.Itoa(int(e.Port+i))+"/"+e.Protocol] = struct{}{}
		}
	}
	for _, e := range s.Expose {
		proto, err := protocol(e.Protocol)
		if err != nil {
			return err
		}
		if e.Port == 0 || uint32(e.Port)+uint32(max(e.Range, 1))-1 > 65535 {
			return invalid("exposed port %d (range %d): out of range", e.Port, e.Range)
		}
		for i := range max(e.Range, 1) {
			exposed[strconv.Itoa(int(e.Port+i))+"/"+proto] = struct{}{}
		}
	}
	if len(exposed) > 0 {
		add(engine.WithExposed(exposed))
	}

	ports, err := portMappings(s.Ports)
	if err != nil {
		return err
	}
	if s.PublishAll {
		if !bridge {
			return invalid("--publish-all cannot be used with --network %s", mode)
		}
		published := map[string]bool{}
		for _, p := range ports {
			for i := uint16(0); i < max(p.Range, 1); i++ {
				published[strconv.Itoa(int(p.ContainerPort+i))+"/"+p.Protocol] = true
			}
		}
		keys := make([]string, 0, len(exposed))
		for k := range exposed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if published[k] {
				continue
			}
			num, proto, _ := strings.Cut(k, "/")
			n, _ := strconv.Atoi(num)
			ports = append(ports, define.PortMapping{ContainerPort: uint16(n), Protocol: proto})
		}
	}
	if len(ports) > 0 {
		add(engine.WithPorts(ports))
	}

	opts, err := perNetworkOptions(s, mode, networks)
	if err != nil {
		return err
	}
	if len(opts) > 0 {
		add(engine.WithNetworkOptions(opts))
	}
	return nil
}

// perNetworkOptions collects the options of each network: those written
// after its name (NAME:ip=..,mac=..,alias=..,interface_name=..) and the
// --ip, --mac-address and --network-alias flags, which apply to the one
// network joined.
func perNetworkOptions(s *spec.ContainerSpec, mode string, networks []string) (map[string]define.PerNetworkOptions, error) {
	bridge := mode == "" || mode == "bridge"
	if !bridge && (s.IP != "" || s.IP6 != "" || s.MacAddress != "" || len(s.NetworkAlias) > 0 || len(s.LinkLocalIP) > 0) {
		return nil, invalid("--ip, --ip6, --link-local-ip, --mac-address and --network-alias cannot be used with --network %s", mode)
	}
	out := map[string]define.PerNetworkOptions{}
	for _, v := range s.Network {
		name, rest, ok := strings.Cut(v, ":")
		if !ok || name == "container" || name == "ns" || name == "slirp4netns" || name == "pasta" {
			continue
		}
		var o define.PerNetworkOptions
		for _, kv := range strings.Split(rest, ",") {
			k, val, _ := strings.Cut(kv, "=")
			switch k {
			case "ip", "ip6":
				a, err := netip.ParseAddr(val)
				if err != nil {
					return nil, invalid("--network %q: %s=%q is not an IP address", v, k, val)
				}
				o.StaticIPs = append(o.StaticIPs, a.String())
			case "mac":
				hw, err := net.ParseMAC(val)
				if err != nil {
					return nil, invalid("--network %q: mac=%q is not a MAC address", v, val)
				}
				o.StaticMAC = hw.String()
			case "alias":
				if val == "" {
					return nil, invalid("--network %q: empty alias", v)
				}
				o.Aliases = append(o.Aliases, val)
			case "interface_name":
				o.InterfaceName = val
			default:
				return nil, invalid("--network %q: unknown option %q (ip, ip6, mac, alias, interface_name)", v, k)
			}
		}
		out[name] = o
	}
	if s.IP == "" && s.IP6 == "" && s.MacAddress == "" && len(s.NetworkAlias) == 0 && len(s.LinkLocalIP) == 0 {
		return out, nil
	}
	target := define.DefaultNetwork
	switch len(networks) {
	case 0:
		if len(s.NetworkAlias) > 0 {
			return nil, invalid("--network-alias: the default network has no DNS; aliases need a user-defined network")
		}
	case 1:
		target = networks[0]
	default:
		return nil, invalid("--ip, --ip6, --link-local-ip, --mac-address and --network-alias need exactly one network; use --network NAME:ip=...,ip6=...,mac=...,alias=... for several")
	}
	o := out[target]
	if s.IP != "" {
		a, err := netip.ParseAddr(s.IP)
		if err != nil {
			return nil, invalid("--ip %q: not an IP address", s.IP)
		}
		o.StaticIPs = append(o.StaticIPs, a.String())
	}
	if s.IP6 != "" {
		a, err := netip.ParseAddr(s.IP6)
		if err != nil || !a.Is6() || a.Is4In6() {
			return nil, invalid("--ip6 %q: not an IPv6 address", s.IP6)
		}
		o.StaticIPs = append(o.StaticIPs, a.String())
	}
	for _, v := range s.LinkLocalIP {
		a, err := netip.ParseAddr(v)
		if err != nil || !a.IsLinkLocalUnicast() || a.Is4In6() {
			return nil, invalid("--link-local-ip %q: not a link-local address (169.254.0.0/16 or fe80::/10)", v)
		}
		o.LinkLocalIPs = append(o.LinkLocalIPs, a.String())
	}
	if s.MacAddress != "" {
		hw, err := net.ParseMAC(s.MacAddress)
		if err != nil {
			return nil, invalid("--mac-address %q: not a MAC address", s.MacAddress)
		}
		o.StaticMAC = hw.String()
	}
	o.Aliases = append(o.Aliases, s.NetworkAlias...)
	out[target] = o
	return out, nil
}

// protocol checks a port's protocol ("" is tcp).
func protocol(p string) (string, error) {
	switch p = strings.ToLower(p); p {
	case "":
		return "tcp", nil
	case "tcp", "udp", "sctp":
		return p, nil
	}
	return "", invalid("port protocol %q: must be tcp, udp or sctp", p)
}

// portMappings checks the published ports and gives them to the engine:
// a mapping without a host port becomes one per container port, since
// random host ports are picked one by one at each start.
func portMappings(ps []spec.PortMapping) ([]define.PortMapping, error) {
	var out []define.PortMapping
	for _, p := range ps {
		proto, err := protocol(p.Protocol)
		if err != nil {
			return nil, err
		}
		n := max(p.Range, 1)
		if p.ContainerPort == 0 || uint32(p.ContainerPort)+uint32(n)-1 > 65535 || uint32(p.HostPort)+uint32(n)-1 > 65535 {
			return nil, invalid("port mapping %d:%d (range %d): port out of range", p.HostPort, p.ContainerPort, n)
		}
		hostIP := p.HostIP
		if hostIP != "" {
			a, err := netip.ParseAddr(strings.Trim(hostIP, "[]"))
			if err != nil {
				return nil, invalid("port mapping host IP %q is not an IP address", p.HostIP)
			}
			hostIP = a.String()
			if a.IsUnspecified() && a.Is4() {
				hostIP = ""
			}
		}
		if p.HostPort == 0 {
			for i := range n {
				out = append(out, define.PortMapping{HostIP: hostIP, ContainerPort: p.ContainerPort + i, Protocol: proto})
			}
			continue
		}
		m := define.PortMapping{HostIP: hostIP, HostPort: p.HostPort, ContainerPort: p.ContainerPort, Protocol: proto}
		if n > 1 {
			m.Range = n
		}
		out = append(out, m)
	}
	return out, nil
}
