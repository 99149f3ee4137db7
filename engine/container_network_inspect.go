package engine

import (
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// inspectNetwork is the NetworkSettings object of inspect, docker-shaped:
// the published ports in effect (exposed but unpublished ports map to
// null), the first network's address at the top level, and one entry per
// attached network.
func (c *Container) inspectNetwork(st *define.ContainerState) *define.InspectNetworkSettings {
	n := &define.InspectNetworkSettings{Ports: map[string][]define.InspectHostPort{}, SandboxKey: st.NetNS}
	if st.NetNS != "" {
		n.SandboxID = c.config.ID
	}
	for port := range c.config.Exposed {
		n.Ports[port] = nil
	}
	ports := c.config.Ports
	live := st.NetNS != "" && (st.Status == define.StatusRunning || st.Status == define.StatusPaused || st.Status == define.StatusCreated)
	if live && st.Ports != nil {
		ports = st.Ports
	}
	for _, p := range ports {
		for i := uint16(0); i < max(p.Range, 1); i++ {
			q := p
			q.ContainerPort += i
			if q.HostPort != 0 {
				q.HostPort += i
			}
			q.Range = 1
			key := portKey(q.ContainerPort, q.Protocol)
			n.Ports[key] = append(n.Ports[key], inspectHostPorts(q)...)
		}
	}
	names := make([]string, 0, len(st.Networks))
	for name := range st.Networks {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) > 0 {
		n.Networks = map[string]*define.InspectNetworkEntry{}
	}
	for _, name := range names {
		opts := st.Networks[name]
		e := &define.InspectNetworkEntry{NetworkID: name, Aliases: opts.Aliases}
		if e.Aliases == nil {
			e.Aliases = []string{}
		}
		if c.runtime.net != nil {
			if def, err := c.runtime.net.Inspect(name); err == nil {
				e.NetworkID = def.ID
			}
		}
		if r, ok := st.NetworkStatus[name]; ok && live {
			e.Gateway, e.MacAddress = r.Gateway, r.MacAddress
			e.EndpointID = c.config.ID[:12] + "-" + r.Interface
			if len(r.IPs) > 0 {
				ip, plen, _ := strings.Cut(r.IPs[0], "/")
				e.IPAddress = ip
				e.IPPrefixLen = atoi(plen)
			}
			if n.IPAddress == "" {
				n.IPAddress, n.IPPrefixLen, n.Gateway, n.MacAddress = e.IPAddress, e.IPPrefixLen, e.Gateway, e.MacAddress
				n.EndpointID = e.EndpointID
			}
		}
		n.Networks[name] = e
	}
	if live && len(names) > 0 {
		n.Bridge = ""
		if c.runtime.net != nil {
			if def, err := c.runtime.net.Inspect(names[0]); err == nil {
				n.Bridge = def.NetworkInterface
			}
		}
	}
	return n
}

// inspectHostPorts is a mapping's host side as inspect shows it (a random
// port that is not chosen yet is "").
func inspectHostPorts(p define.PortMapping) []define.InspectHostPort {
	hp := ""
	if p.HostPort != 0 {
		hp = itoa(int(p.HostPort))
	}
	return []define.InspectHostPort{{HostIP: p.HostIP, HostPort: hp}}
}
