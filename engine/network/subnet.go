package network

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// Pools new subnets are taken from when none is given: /24s of
// 10.90.0.0/15 (podman uses 10.88.0.0/16 and 10.89.x.0/24, docker
// 172.17+), and /64s of fd90:b::/48 for --ipv6.
var (
	v4Pool = netip.MustParsePrefix("10.90.0.0/15")
	v6Pool = netip.MustParsePrefix("fd90:b::/48")
)

// validateSubnets checks the subnets, gateways and lease ranges a user
// gave and fills in missing gateways (the first address).
func validateSubnets(n *define.Network) error {
	seen4, seen6 := false, false
	for i := range n.Subnets {
		s := &n.Subnets[i]
		p, err := netip.ParsePrefix(s.Subnet)
		if err != nil {
			return fmt.Errorf("subnet %q invalid: %w", s.Subnet, define.ErrInvalidArg)
		}
		p = p.Masked()
		s.Subnet = p.String()
		if p.Addr().Is4() {
			seen4 = true
			if p.Bits() > 30 {
				return fmt.Errorf("subnet %s is too small: %w", s.Subnet, define.ErrInvalidArg)
			}
		} else {
			seen6 = true
			if p.Bits() > 126 {
				return fmt.Errorf("subnet %s is too small: %w", s.Subnet, define.ErrInvalidArg)
			}
		}
		if s.Gateway == "" {
			s.Gateway = p.Addr().Next().String()
		} else {
			gw, err := netip.ParseAddr(s.Gateway)
			if err != nil || !p.Contains(gw) || gw == p.Addr() || (gw.Is4() && gw == lastAddr(p)) {
				return fmt.Errorf("gateway %s is not a usable address of subnet %s: %w", s.Gateway, s.Subnet, define.ErrInvalidArg)
			}
		}
		if s.LeaseRange != nil {
			if err := checkRange(p, s.LeaseRange); err != nil {
				return err
			}
		}
		for _, o := range n.Subnets[:i] {
			op, _ := netip.ParsePrefix(o.Subnet)
			if op.Overlaps(p) {
				return fmt.Errorf("subnets %s and %s overlap: %w", o.Subnet, s.Subnet, define.ErrInvalidArg)
			}
		}
	}
	if seen6 {
		n.IPv6Enabled = true
	}
	_ = seen4
	return nil
}

func checkRange(p netip.Prefix, r *define.LeaseRange) error {
	for _, a := range []string{r.StartIP, r.EndIP} {
		if a == "" {
			continue
		}
		ip, err := netip.ParseAddr(a)
		if err != nil || !p.Contains(ip) {
			return fmt.Errorf("IP range %s-%s is not inside subnet %s: %w", r.StartIP, r.EndIP, p, define.ErrInvalidArg)
		}
	}
	return nil
}

// ParseIPRange turns --ip-range (CIDR, or START-END) into a lease range.
func ParseIPRange(s string) (*define.LeaseRange, error) {
	if a, b, ok := strings.Cut(s, "-"); ok {
		start, err1 := netip.ParseAddr(a)
		end, err2 := netip.ParseAddr(b)
		if err1 != nil || err2 != nil || end.Less(start) {
			return nil, fmt.Errorf("IP range %q invalid: %w", s, define.ErrInvalidArg)
		}
		return &define.LeaseRange{StartIP: start.String(), EndIP: end.String()}, nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return nil, fmt.Errorf("IP range %q invalid: must be a CIDR subnet or START-END: %w", s, define.ErrInvalidArg)
	}
	p = p.Masked()
	start, end := p.Addr(), lastAddr(p)
	if p.Addr().Is4() && p.Bits() < 31 {
		start, end = start.Next(), end.Prev()
	}
	return &define.LeaseRange{StartIP: start.String(), EndIP: end.String()}, nil
}

// lastAddr is the last address of p (the broadcast address for IPv4).
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// registryEntry is one network of some berth root in the host-wide
// registry. Owner is the definition file: an entry whose file is gone
// belongs to a deleted root (or a crashed network rm) and its bridge is
// reaped (reap.go); one whose file holds another ID is stale and dropped.
type registryEntry struct {
	Bridge  string   `json:"bridge"`
	Subnets []string `json:"subnets"`
	Owner   string   `json:"owner"`
	ID      string   `json:"id"`
	// Network is the definition as created, which the reaping teardown
	// needs once the file is gone (older entries lack it: see
	// registryEntry.network).
	Network *define.Network `json:"network,omitempty"`
}

// ownerState is what became of an entry's definition file.
type ownerState int

const (
	ownerLive  ownerState = iota // the file is there with this ID (or unreadable: kept to be safe)
	ownerGone                    // no such file
	ownerOther                   // the file holds another network
)

func (e registryEntry) owner() ownerState {
	data, err := os.ReadFile(e.Owner)
	if errors.Is(err, os.ErrNotExist) {
		return ownerGone
	}
	if err != nil {
		return ownerLive
	}
	var n define.Network
	if json.Unmarshal(data, &n) != nil || n.ID == e.ID {
		return ownerLive
	}
	return ownerOther
}

// readRegistry returns the registry's live entries and those whose owner
// definition file is gone.
func (m *Manager) readRegistry() (live, gone []registryEntry, err error) {
	data, err := os.ReadFile(m.cfg.RegistryPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var all []registryEntry
	if len(data) > 0 {
		if err := json.Unmarshal(data, &all); err != nil {
			return nil, nil, nil // a torn registry only costs us its hints
		}
	}
	for _, e := range all {
		switch e.owner() {
		case ownerLive:
			live = append(live, e)
		case ownerGone:
			gone = append(gone, e)
		}
	}
	return live, gone, nil
}

func (m *Manager) writeRegistry(entries []registryEntry) error {
	if entries == nil {
		entries = []registryEntry{}
	}
	data, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	return writeFileAtomic(m.cfg.RegistryPath, data)
}

func (m *Manager) registryLock() (func(), error) {
	if err := os.MkdirAll(filepath.Dir(m.cfg.RegistryPath), 0o755); err != nil {
		return nil, err
	}
	return flock(m.cfg.RegistryPath + ".lock")
}

// allocateHostResources picks the bridge name and missing subnets of a
// new network so that they collide with nothing on the host: not with
// its interfaces, addresses and routes, not with other berth roots (the
// registry), not with this root's networks. It records them in the
// registry, after persist has stored the definition: the registry lock is
// held until then, so no other root can take the entry for a stale one.
//
// Preconditions: the root's network lock is held.
func (m *Manager) allocateHostResources(n *define.Network, existing []define.Network, persist func() error) error {
	if !isBridge(*n) {
		return allocateVLAN(n, existing, persist)
	}
	unlock, err := m.registryLock()
	if err != nil {
		return err
	}
	defer unlock()
	reg, gone, err := m.readRegistry()
	if err != nil {
		return err
	}
	// Before anything is counted as used: a deleted root's bridge and
	// subnet are free once reaped.
	kept := m.reapLocked(context.Background(), reg, gone)
	used, err := hostPrefixes()
	if err != nil {
		return err
	}
	names := map[string]bool{}
	if ifs, err := net.Interfaces(); err == nil {
		for _, i := range ifs {
			names[i.Name] = true
		}
	}
	for _, e := range append(append([]registryEntry{}, reg...), kept...) {
		names[e.Bridge] = true
		for _, s := range e.Subnets {
			if p, err := netip.ParsePrefix(s); err == nil {
				used = append(used, p)
			}
		}
	}
	for _, o := range existing {
		names[o.NetworkInterface] = true
		for _, s := range o.Subnets {
			if p, err := netip.ParsePrefix(s.Subnet); err == nil {
				used = append(used, p)
			}
		}
	}
	for _, s := range n.Subnets {
		p, _ := netip.ParsePrefix(s.Subnet)
		for _, u := range used {
			if u.Overlaps(p) {
				return fmt.Errorf("subnet %s is already used on the host or by another network: %w", s.Subnet, define.ErrNetworkExists)
			}
		}
	}
	has4 := false
	for _, s := range n.Subnets {
		if p, _ := netip.ParsePrefix(s.Subnet); p.Addr().Is4() {
			has4 = true
		}
	}
	if !has4 && (len(n.Subnets) == 0 || !n.IPv6Enabled) {
		p, ok := freeSubnet(v4Pool, 24, used)
		if !ok {
			return fmt.Errorf("no free IPv4 subnet left in %s: %w", v4Pool, define.ErrNetworkExists)
		}
		used = append(used, p)
		n.Subnets = append(n.Subnets, define.Subnet{Subnet: p.String(), Gateway: p.Addr().Next().String()})
	}
	if n.IPv6Enabled {
		has6 := false
		for _, s := range n.Subnets {
			if p, _ := netip.ParsePrefix(s.Subnet); p.Addr().Is6() {
				has6 = true
			}
		}
		if !has6 {
			p, ok := freeSubnet(v6Pool, 64, used)
			if !ok {
				return fmt.Errorf("no free IPv6 subnet left in %s: %w", v6Pool, define.ErrNetworkExists)
			}
			n.Subnets = append(n.Subnets, define.Subnet{Subnet: p.String(), Gateway: p.Addr().Next().String()})
		}
	}
	if n.NetworkInterface != "" {
		if names[n.NetworkInterface] {
			return fmt.Errorf("interface %s is already used on the host or by another network: %w", n.NetworkInterface, define.ErrNetworkExists)
		}
	} else {
		start := 1
		if n.Name == define.DefaultNetwork {
			start = 0
		}
		for i := start; ; i++ {
			if name := "berth" + strconv.Itoa(i); !names[name] {
				n.NetworkInterface = name
				break
			}
		}
	}
	snapshot := *n
	e := registryEntry{Bridge: n.NetworkInterface, Owner: m.defPath(n.Name), ID: n.ID, Network: &snapshot}
	for _, s := range n.Subnets {
		e.Subnets = append(e.Subnets, s.Subnet)
	}
	if err := persist(); err != nil {
		return err
	}
	if err := m.writeRegistry(append(append(reg, kept...), e)); err != nil {
		_ = os.Remove(e.Owner)
		return err
	}
	return nil
}

// unregister drops a network from the host-wide registry, reaping what
// deleted roots left on the host on the way.
func (m *Manager) unregister(ctx context.Context, n define.Network) error {
	unlock, err := m.registryLock()
	if err != nil {
		return err
	}
	defer unlock()
	reg, gone, err := m.readRegistry()
	if err != nil {
		return err
	}
	out := reg[:0]
	for _, e := range reg {
		if e.ID != n.ID {
			out = append(out, e)
		}
	}
	var others []registryEntry
	for _, e := range gone {
		if e.ID != n.ID { // this network's own file is gone already
			others = append(others, e)
		}
	}
	return m.writeRegistry(append(out, m.reapLocked(ctx, out, others)...))
}

// freeSubnet returns the first /bits subnet of pool that overlaps none of
// used.
func freeSubnet(pool netip.Prefix, bits int, used []netip.Prefix) (netip.Prefix, bool) {
	p := netip.PrefixFrom(pool.Addr(), bits)
	for pool.Contains(p.Addr()) {
		free := true
		for _, u := range used {
			if u.Overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return p, true
		}
		next := lastAddr(p).Next()
		if !next.IsValid() {
			break
		}
		p = netip.PrefixFrom(next, bits)
	}
	return netip.Prefix{}, false
}

// hostPrefixes returns the host's routes (except default routes) and
// interface networks, IPv4 and IPv6.
func hostPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	if f, err := os.Open("/proc/net/route"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fl := strings.Fields(sc.Text())
			if len(fl) < 8 || fl[0] == "Iface" {
				continue
			}
			dst, err1 := hexLE4(fl[1])
			mask, err2 := hexLE4(fl[7])
			if err1 != nil || err2 != nil {
				continue
			}
			ones, _ := net.IPMask(mask.AsSlice()).Size()
			if ones == 0 {
				continue
			}
			out = append(out, netip.PrefixFrom(dst, ones).Masked())
		}
		f.Close()
	}
	if f, err := os.Open("/proc/net/ipv6_route"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fl := strings.Fields(sc.Text())
			if len(fl) < 2 {
				continue
			}
			b, err := hex.DecodeString(fl[0])
			bits, err2 := strconv.ParseInt(fl[1], 16, 32)
			if err != nil || err2 != nil || len(b) != 16 || bits == 0 {
				continue
			}
			a, _ := netip.AddrFromSlice(b)
			if a.IsLinkLocalUnicast() || a.IsMulticast() || a.IsLoopback() {
				continue
			}
			out = append(out, netip.PrefixFrom(a, int(bits)).Masked())
		}
		f.Close()
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return out, nil
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok {
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
				continue
			}
			ones, _ := ipn.Mask.Size()
			out = append(out, netip.PrefixFrom(ip.Unmap(), ones).Masked())
		}
	}
	return out, nil
}

// hexLE4 decodes an IPv4 address as /proc/net/route prints it (hex, host
// byte order on little-endian machines).
func hexLE4(s string) (netip.Addr, error) {
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return netip.Addr{}, err
	}
	return netip.AddrFrom4([4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}), nil
}
