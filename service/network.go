package service

import (
	"context"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/network"
)

// NetworkCreateOptions is what `network create` asks for. Gateways and IP
// ranges pair with the subnets by position.
type NetworkCreateOptions struct {
	Name       string
	Driver     string
	Subnets    []string
	Gateways   []string
	IPRanges   []string
	Internal   bool
	IPv6       bool
	DisableDNS bool
	Interface  string
	Options    map[string]string
	Labels     map[string]string
	// Ignore returns an existing network of that name instead of failing.
	Ignore bool
	// DNSServers are the network's own resolvers (--dns).
	DNSServers []string
}

// NetworkCreate validates the request and creates the network. A missing
// name becomes the first free "berthN".
func NetworkCreate(rt *engine.Runtime, o NetworkCreateOptions) (define.Network, error) {
	if len(o.Gateways) > len(o.Subnets) || len(o.IPRanges) > len(o.Subnets) {
		return define.Network{}, fmt.Errorf("every --gateway and --ip-range needs its own --subnet: %w", define.ErrInvalidArg)
	}
	n := define.Network{
		Name:              o.Name,
		Driver:            o.Driver,
		Internal:          o.Internal,
		IPv6Enabled:       o.IPv6,
		DNSEnabled:        !o.DisableDNS,
		NetworkInterface:  o.Interface,
		Options:           o.Options,
		Labels:            o.Labels,
		NetworkDNSServers: o.DNSServers,
	}
	for i, s := range o.Subnets {
		sub := define.Subnet{Subnet: s}
		if _, err := netip.ParsePrefix(s); err != nil {
			return n, fmt.Errorf("--subnet %q: not a CIDR subnet: %w", s, define.ErrInvalidArg)
		}
		if i < len(o.Gateways) {
			sub.Gateway = o.Gateways[i]
		}
		if i < len(o.IPRanges) {
			r, err := network.ParseIPRange(o.IPRanges[i])
			if err != nil {
				return n, err
			}
			sub.LeaseRange = r
		}
		n.Subnets = append(n.Subnets, sub)
	}
	if n.Name == "" {
		all, err := rt.Networks()
		if err != nil {
			return n, err
		}
		used := map[string]bool{}
		for _, x := range all {
			used[x.Name] = true
		}
		for i := 1; ; i++ {
			if name := fmt.Sprintf("berth%d", i); !used[name] {
				n.Name = name
				break
			}
		}
	}
	if n.Name == "none" || n.Name == "host" || network.IsDefaultName(n.Name) {
		return n, fmt.Errorf("network name %s is reserved: %w", n.Name, define.ErrInvalidArg)
	}
	return rt.CreateNetwork(n, o.Ignore)
}

// NetworkUpdateOptions is what `network update` changes.
type NetworkUpdateOptions = network.UpdateOptions

// NetworkUpdate changes a network's DNS servers and returns its name.
func NetworkUpdate(ctx context.Context, rt *engine.Runtime, nameOrID string, o NetworkUpdateOptions) (string, error) {
	n, err := rt.UpdateNetwork(ctx, nameOrID, o)
	return n.Name, err
}

// NetworkFilter is one parsed --filter of `network ls`/`prune`.
type NetworkFilter struct{ Key, Value string }

// ParseNetworkFilters checks KEY=VALUE filters against the keys allowed.
func ParseNetworkFilters(raw []string, allowed ...string) ([]NetworkFilter, error) {
	var out []NetworkFilter
	for _, f := range raw {
		k, v, err := splitFilter(f, allowed)
		if err != nil {
			return nil, err
		}
		if k == "name" {
			if _, err := regexp.Compile(v); err != nil {
				return nil, fmt.Errorf("invalid filter name=%q: %v: %w", v, err, define.ErrInvalidArg)
			}
		}
		out = append(out, NetworkFilter{k, v})
	}
	return out, nil
}

// splitFilter splits a --filter KEY=VALUE and refuses a key not in
// allowed (a filter silently ignored would list too much).
func splitFilter(f string, allowed []string) (key, value string, err error) {
	k, v, ok := strings.Cut(f, "=")
	if !ok || k == "" {
		return "", "", fmt.Errorf("invalid filter %q: must be KEY=VALUE: %w", f, define.ErrInvalidArg)
	}
	if !slices.Contains(allowed, k) {
		return "", "", fmt.Errorf("invalid filter %q: supported keys are %s: %w", k, strings.Join(allowed, ", "), define.ErrInvalidArg)
	}
	return k, v, nil
}

// NetworkMatches applies filters podman's way: values of one key are
// OR-ed, different keys AND-ed. inUse tells whether containers use n
// (for dangling).
func NetworkMatches(n define.Network, filters []NetworkFilter, inUse bool) bool {
	byKey := map[string][]string{}
	for _, f := range filters {
		byKey[f.Key] = append(byKey[f.Key], f.Value)
	}
	for k, vals := range byKey {
		ok := false
		for _, v := range vals {
			switch k {
			case "name":
				ok = ok || regexp.MustCompile(v).MatchString(n.Name)
			case "id":
				ok = ok || strings.HasPrefix(n.ID, v)
			case "driver":
				ok = ok || n.Driver == v
			case "label":
				ok = ok || matchLabel(v, n.Labels)
			case "label!":
				ok = ok || !matchLabel(v, n.Labels)
			case "dangling":
				ok = ok || (v == "true" || v == "1") == !inUse
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// NetworkList returns the networks that match the filters.
func NetworkList(rt *engine.Runtime, filters []NetworkFilter) ([]define.Network, error) {
	all, err := rt.Networks()
	if err != nil {
		return nil, err
	}
	var out []define.Network
	for _, n := range all {
		inUse := false
		if needsUsers(filters) {
			users, err := rt.NetworkUsers(n.Name)
			if err != nil {
				return nil, err
			}
			inUse = len(users) > 0
		}
		if NetworkMatches(n, filters, inUse) {
			out = append(out, n)
		}
	}
	return out, nil
}

func needsUsers(filters []NetworkFilter) bool {
	for _, f := range filters {
		if f.Key == "dangling" {
			return true
		}
	}
	return false
}

// NetworkRemove removes networks one by one and reports each.
func NetworkRemove(ctx context.Context, rt *engine.Runtime, names []string, opts engine.RemoveNetworkOptions) []Report {
	var reports []Report
	for _, name := range names {
		n, err := rt.RemoveNetwork(ctx, name, opts)
		reports = append(reports, Report{RawInput: name, ID: n.ID, Err: err})
	}
	return reports
}

// NetworkConnect attaches a container to a network.
func NetworkConnect(ctx context.Context, rt *engine.Runtime, netName, ctr string, opts define.PerNetworkOptions) error {
	c, err := rt.LookupContainer(ctr)
	if err != nil {
		return err
	}
	return c.Connect(ctx, netName, opts)
}

// NetworkDisconnect detaches a container from a network.
func NetworkDisconnect(ctx context.Context, rt *engine.Runtime, netName, ctr string) error {
	c, err := rt.LookupContainer(ctr)
	if err != nil {
		return err
	}
	return c.Disconnect(ctx, netName)
}

// NetworkReload re-applies the networking of the named containers (all
// with all) and returns reports for the ones reloaded.
func NetworkReload(ctx context.Context, rt *engine.Runtime, names []string, all bool) ([]Report, error) {
	ctrs, reports, err := Resolve(rt, names, all, false)
	if err != nil {
		return nil, err
	}
	for _, c := range ctrs {
		ok, err := c.ReloadNetwork(ctx)
		if err != nil {
			reports = append(reports, Report{RawInput: c.ID(), ID: c.ID(), Err: err})
			continue
		}
		if ok || !all {
			reports = append(reports, Report{RawInput: c.ID(), ID: c.ID()})
		}
	}
	return reports, nil
}

// NetworkInspect returns the definitions of the named networks, with an
// error per missing one.
func NetworkInspect(rt *engine.Runtime, names []string) ([]define.Network, []error) {
	var out []define.Network
	var errs []error
	for _, name := range names {
		n, err := rt.Network(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, n)
	}
	return out, errs
}

// PortLine is one line of `port`: "80/tcp -> 0.0.0.0:8080".
type PortLine struct {
	Private  string // "80/tcp"
	HostIP   string
	HostPort uint16
}

// Ports lists a container's published ports, expanded per port, sorted by
// container port. With filter ("80" or "80/udp") only that port's.
func Ports(c *engine.Container, filter string) ([]PortLine, error) {
	maps, err := c.PortMappings()
	if err != nil {
		return nil, err
	}
	var out []PortLine
	for _, m := range maps {
		for i := uint16(0); i < max(m.Range, 1); i++ {
			hp := m.HostPort
			if hp != 0 {
				hp += i
			}
			ip := m.HostIP
			if ip == "" {
				ip = "0.0.0.0"
			}
			out = append(out, PortLine{Private: fmt.Sprintf("%d/%s", m.ContainerPort+i, m.Protocol), HostIP: ip, HostPort: hp})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, proti, _ := strings.Cut(out[i].Private, "/")
		pj, protj, _ := strings.Cut(out[j].Private, "/")
		if len(pi) != len(pj) {
			return len(pi) < len(pj)
		}
		if pi != pj {
			return pi < pj
		}
		return proti < protj
	})
	if filter == "" {
		return out, nil
	}
	if !strings.Contains(filter, "/") {
		filter += "/tcp"
	}
	var sel []PortLine
	for _, l := range out {
		if l.Private == filter {
			sel = append(sel, l)
		}
	}
	return sel, nil
}

// effectivePorts are the ports ps shows: those in effect while the
// container runs (random host ports chosen), else the configured ones.
func effectivePorts(cfg define.ContainerConfig, st define.ContainerState) []define.PortMapping {
	if st.Ports != nil && st.NetNS != "" && (st.Status == define.StatusRunning || st.Status == define.StatusPaused) {
		return st.Ports
	}
	return cfg.Ports
}

// attachedNetworks are the networks a container is attached to now, in
// the order they were given at create time, connected ones after.
func attachedNetworks(cfg define.ContainerConfig, st define.ContainerState) []string {
	var out []string
	for _, n := range cfg.Networks {
		if _, ok := st.Networks[n]; ok {
			out = append(out, n)
		}
	}
	var extra []string
	for n := range st.Networks {
		if !slices.Contains(out, n) {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}
