package network

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// netavarkOptions is netavark's NetworkOptions: what `netavark setup` and
// `teardown` read on stdin. Both maps are keyed by network name.
type netavarkOptions struct {
	ContainerID   string                              `json:"container_id"`
	ContainerName string                              `json:"container_name"`
	Networks      map[string]define.PerNetworkOptions `json:"networks"`
	NetworkInfo   map[string]define.Network           `json:"network_info"`
	PortMappings  []portMapping                       `json:"port_mappings,omitempty"`
	DNSServers    []string                            `json:"dns_servers,omitempty"`
}

// portMapping is netavark's PortMapping (range is 1-based: 1 = one port).
type portMapping struct {
	HostIP        string `json:"host_ip"`
	ContainerPort uint16 `json:"container_port"`
	HostPort      uint16 `json:"host_port"`
	Range         uint16 `json:"range"`
	Protocol      string `json:"protocol"`
}

// statusBlock is netavark's per-network setup result.
type statusBlock struct {
	DNSSearchDomains []string `json:"dns_search_domains"`
	DNSServerIPs     []string `json:"dns_server_ips"`
	Interfaces       map[string]struct {
		MacAddress string `json:"mac_address"`
		Subnets    []struct {
			Gateway string `json:"gateway"`
			IPNet   string `json:"ipnet"`
		} `json:"subnets"`
	} `json:"interfaces"`
}

func toPortMappings(ports []define.PortMapping) []portMapping {
	var out []portMapping
	for _, p := range ports {
		r := p.Range
		if r == 0 {
			r = 1
		}
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		out = append(out, portMapping{HostIP: p.HostIP, ContainerPort: p.ContainerPort, HostPort: p.HostPort, Range: r, Protocol: proto})
	}
	return out
}

// subset returns o restricted to the named networks.
func (o netavarkOptions) subset(names []string) netavarkOptions {
	s := o
	s.Networks = map[string]define.PerNetworkOptions{}
	s.NetworkInfo = map[string]define.Network{}
	for _, n := range names {
		if v, ok := o.Networks[n]; ok {
			s.Networks[n] = v
			s.NetworkInfo[n] = o.NetworkInfo[n]
		}
	}
	return s
}

func (o netavarkOptions) names() []string {
	var out []string
	for n := range o.Networks {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// run executes `netavark <verb> NETNS` with opts on stdin and returns its
// standard output.
func (m *Manager) run(ctx context.Context, verb, netns string, opts netavarkOptions) ([]byte, error) {
	if err := os.MkdirAll(m.cfg.RunDir, 0o700); err != nil {
		return nil, err
	}
	in, err := json.Marshal(opts)
	if err != nil {
		return nil, err
	}
	// netavark edits host-wide firewall chains (NETAVARK_FORWARD, the
	// isolation chains, per-network chains named after the network) without
	// locking them; two at once, from different berth roots, delete chains
	// under each other. One at a time on the whole host, as podman does.
	unlock, err := flock(m.cfg.RegistryPath + ".netavark.lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	// A rootless netavark (and the aardvark-dns it starts) runs in the
	// rootless network namespace (rootlessns.go).
	if m.rootless() && !isNetNS(m.cfg.RootlessNetNS) {
		return nil, fmt.Errorf("netavark %s: %w", verb, errNoRootlessNetNS)
	}
	cmd := exec.CommandContext(ctx, m.cfg.NetavarkPath, "--config", m.cfg.RunDir, "--rootless="+strconv.FormatBool(m.rootless()),
		"--aardvark-binary", m.cfg.AardvarkPath, verb, netns)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = startInNetNS(m.cfg.RootlessNetNS, cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		msg := netavarkError(stdout.Bytes(), stderr.Bytes())
		if msg == "" {
			msg = err.Error()
		}
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			msg = "netavark not found at " + m.cfg.NetavarkPath
		}
		return nil, fmt.Errorf("netavark %s: %s: %w", verb, msg, define.ErrNetworkSetup)
	}
	return stdout.Bytes(), nil
}

// netavarkError extracts the {"error": "..."} message netavark prints,
// else its last stderr line that is not syslog noise.
func netavarkError(stdout, stderr []byte) string {
	for _, b := range [][]byte{stdout, stderr} {
		var e struct {
			Error string `json:"error"`
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if json.Unmarshal(bytes.TrimSpace(line), &e) == nil && e.Error != "" {
				return strings.ReplaceAll(e.Error, "\n\t", "; ")
			}
		}
	}
	lines := strings.Split(strings.TrimSpace(string(stderr)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" && !strings.Contains(l, "syslog") {
			return l
		}
	}
	return ""
}

// parseStatus turns netavark's setup output into results per network.
func parseStatus(out []byte, opts netavarkOptions) (map[string]define.NetworkResult, error) {
	var blocks map[string]statusBlock
	if err := json.Unmarshal(out, &blocks); err != nil {
		return nil, fmt.Errorf("decoding netavark output %q: %v: %w", out, err, define.ErrNetworkSetup)
	}
	res := map[string]define.NetworkResult{}
	for name, b := range blocks {
		r := define.NetworkResult{
			Aliases:    opts.Networks[name].Aliases,
			DNSServers: b.DNSServerIPs,
			DNSSearch:  b.DNSSearchDomains,
		}
		for ifname, ifc := range b.Interfaces {
			r.Interface = ifname
			r.MacAddress = ifc.MacAddress
			for _, s := range ifc.Subnets {
				r.IPs = append(r.IPs, s.IPNet)
				if s.Gateway == "" {
					continue
				}
				gw, err := netip.ParseAddr(s.Gateway)
				if r.Gateway == "" || (err == nil && gw.Is4()) {
					if old, err := netip.ParseAddr(r.Gateway); r.Gateway == "" || err != nil || !old.Is4() {
						r.Gateway = s.Gateway
					}
				}
			}
		}
		sortIPv4First(r.IPs)
		res[name] = r
	}
	return res, nil
}

// sortIPv4First orders CIDR addresses IPv4 before IPv6, keeping order
// otherwise.
func sortIPv4First(ips []string) {
	sort.SliceStable(ips, func(i, j int) bool {
		return !strings.Contains(ips[i], ":") && strings.Contains(ips[j], ":")
	})
}
