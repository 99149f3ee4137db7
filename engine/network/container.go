package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// record is what the backend keeps per container with networking: the
// namespace and the exact options netavark was given. It is written before
// netavark runs, so a berth killed at any point leaves enough behind for
// Teardown to undo what netavark did; the addresses in it are the
// container's allocations.
type record struct {
	BootID  string          `json:"boot_id"`
	NetNS   string          `json:"netns"`
	Options netavarkOptions `json:"options"`
}

func (m *Manager) recordPath(ctrID string) string {
	return filepath.Join(m.cfg.StateDir, ctrID+".json")
}

func (m *Manager) readRecord(ctrID string) (*record, error) {
	data, err := os.ReadFile(m.recordPath(ctrID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		// A torn record cannot be torn down; dropping it is all we can do.
		_ = os.Remove(m.recordPath(ctrID))
		return nil, nil
	}
	return &r, nil
}

func (m *Manager) writeRecord(ctrID string, r *record) error {
	if err := os.MkdirAll(m.cfg.StateDir, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return writeFileAtomic(m.recordPath(ctrID), data)
}

// records returns every live record of this root (this boot's) by
// container ID.
func (m *Manager) records() (map[string]*record, error) {
	ents, err := os.ReadDir(m.cfg.StateDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	boot := bootID()
	out := map[string]*record{}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		r, err := m.readRecord(id)
		if err != nil {
			return nil, err
		}
		if r != nil && r.BootID == boot {
			out[id] = r
		}
	}
	return out, nil
}

// usersLocked returns the IDs of containers whose networking on network
// name is set up.
//
// Preconditions: the root's network lock is held.
func (m *Manager) usersLocked(name string) ([]string, error) {
	recs, err := m.records()
	if err != nil {
		return nil, err
	}
	var ids []string
	for id, r := range recs {
		if _, ok := r.Options.Networks[name]; ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func bootID() string {
	b, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(b))
}

// SetupOptions describe a container's networking.
type SetupOptions struct {
	ContainerID   string
	ContainerName string
	// NetNS is the pinned namespace (NewNetNS) to configure.
	NetNS string
	// Networks are the networks to join with their options; a missing
	// interface name gets the next free ethN.
	Networks map[string]define.PerNetworkOptions
	// Ports are the published ports, host ports already chosen.
	Ports []define.PortMapping
	// DNSServers are the container's --dns servers, which aardvark-dns
	// then asks for names it does not know.
	DNSServers []string
}

// Setup connects a container's namespace to its networks in one netavark
// call and returns what each network assigned. On failure everything is
// undone. A container that has a record already must be torn down first.
func (m *Manager) Setup(ctx context.Context, o SetupOptions) (map[string]define.NetworkResult, error) {
	rec := &record{
		BootID: bootID(),
		NetNS:  o.NetNS,
		Options: netavarkOptions{
			ContainerID:   o.ContainerID,
			ContainerName: o.ContainerName,
			Networks:      map[string]define.PerNetworkOptions{},
			NetworkInfo:   map[string]define.Network{},
			PortMappings:  toPortMappings(o.Ports),
			DNSServers:    o.DNSServers,
		},
	}
	return m.attach(ctx, rec, o.Networks, true)
}

// Connect joins a container that is set up already to more networks.
func (m *Manager) Connect(ctx context.Context, ctrID string, networks map[string]define.PerNetworkOptions) (map[string]define.NetworkResult, error) {
	rec, err := m.readRecord(ctrID)
	if err != nil {
		return nil, err
	}
	if rec == nil || !isNetNS(rec.NetNS) {
		return nil, fmt.Errorf("container %s has no network namespace set up: %w", ctrID, define.ErrCtrStateInvalid)
	}
	return m.attach(ctx, rec, networks, false)
}

// attach allocates addresses for add, records them, and runs netavark
// setup for those networks only. The root's network lock is held
// throughout: netavark calls of one root must not overlap, or two
// teardowns on one bridge each see the other's interface and neither
// removes the bridge and its firewall rules (podman serializes them the
// same way).
func (m *Manager) attach(ctx context.Context, rec *record, add map[string]define.PerNetworkOptions, fresh bool) (_ map[string]define.NetworkResult, retErr error) {
	id := rec.Options.ContainerID
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	var names []string
	err = func() error {
		if fresh && m.rootless() {
			if err := m.ensureRootlessNetNSLocked(ctx); err != nil {
				return err
			}
		}
		if fresh {
			if old, err := m.readRecord(id); err != nil {
				return err
			} else if old != nil && old.BootID == rec.BootID {
				return fmt.Errorf("container %s: networking is set up already: %w", id, define.ErrCtrStateInvalid)
			}
		}
		recs, err := m.records()
		if err != nil {
			return err
		}
		for name, opts := range add {
			if _, ok := rec.Options.Networks[name]; ok {
				return fmt.Errorf("container %s is already connected to network %s: %w", id, name, define.ErrNetworkExists)
			}
			n, err := m.read(name)
			if err != nil {
				return err
			}
			if opts.InterfaceName == "" {
				opts.InterfaceName = freeInterfaceName(rec.Options.Networks, add)
			}
			last := m.readLast(name)
			if opts.StaticIPs, err = allocateIPs(n, opts.StaticIPs, recs, id, last); err != nil {
				return err
			}
			// Losing the cursor only restarts the round from the start.
			if data, err := json.Marshal(last); err == nil {
				_ = writeFileAtomic(m.lastFile(name), data)
			}
			rec.Options.Networks[name] = opts
			rec.Options.NetworkInfo[name] = n
			names = append(names, name)
		}
		return m.writeRecord(id, rec)
	}()
	if err != nil {
		if fresh {
			_ = os.Remove(m.recordPath(id))
			m.releaseIfRootlessLocked()
		}
		return nil, err
	}
	opts := rec.Options.subset(names)
	if len(names) == 0 {
		return map[string]define.NetworkResult{}, nil
	}
	out, err := m.run(ctx, "setup", rec.NetNS, opts)
	var res map[string]define.NetworkResult
	if err == nil {
		res, err = parseStatus(out, opts)
	}
	if err == nil {
		err = addLinkLocalIPs(rec.NetNS, opts.Networks)
	}
	if err != nil {
		// netavark leaves half of a failed setup behind.
		bg := context.WithoutCancel(ctx)
		_, _ = m.run(bg, "teardown", rec.NetNS, opts)
		repairIsolation(bg, opts.NetworkInfo)
		m.forgetLocked(id, names, fresh)
		if fresh {
			m.releaseIfRootlessLocked()
		}
		return nil, err
	}
	if m.rootless() {
		// Keep-alive links and the isolation jump are about the
		// host's firewall and bridges; the rootless namespace goes
		// whole with its last container.
		return res, nil
	}
	ensureIsolation(ctx, opts.NetworkInfo)
	for _, n := range opts.NetworkInfo {
		if err := ensureKeepAlive(n); err != nil {
			m.cfg.Warnf("network %s: keep-alive link for bridge %s: %v", n.Name, n.NetworkInterface, err)
		}
	}
	return res, nil
}

// forgetLocked drops networks from a container's record (the whole
// record for a failed first setup).
//
// Preconditions: the root's network lock is held.
func (m *Manager) forgetLocked(id string, names []string, all bool) {
	if all {
		_ = os.Remove(m.recordPath(id))
		return
	}
	rec, _ := m.readRecord(id)
	if rec == nil {
		return
	}
	for _, n := range names {
		delete(rec.Options.Networks, n)
		delete(rec.Options.NetworkInfo, n)
	}
	_ = m.writeRecord(id, rec)
}

// freeInterfaceName returns the first ethN that neither the container's
// networks nor the ones being added use.
func freeInterfaceName(have, adding map[string]define.PerNetworkOptions) string {
	used := map[string]bool{}
	for _, o := range have {
		used[o.InterfaceName] = true
	}
	for _, o := range adding {
		used[o.InterfaceName] = true
	}
	for i := 0; ; i++ {
		name := fmt.Sprintf("eth%d", i)
		if !used[name] {
			return name
		}
	}
}

// allocateIPs returns the container's addresses on n: the requested ones
// (each checked to be inside a subnet and free) plus one free address of
// every subnet that got none. Free addresses are taken round the lease
// range after the one last handed out in that subnet (last, which is
// updated), as podman and docker do, rather than the lowest free one: a
// container whose namespace was dropped (onlyVeth) still answers for its
// address until the kernel has deleted its veth, so the address must not go
// straight to the next container.
func allocateIPs(n define.Network, want []string, recs map[string]*record, self string, last map[string]string) ([]string, error) {
	used := map[netip.Addr]string{}
	for id, r := range recs {
		if id == self {
			continue
		}
		if o, ok := r.Options.Networks[n.Name]; ok {
			for _, s := range o.StaticIPs {
				if a, err := netip.ParseAddr(s); err == nil {
					used[a] = id
				}
			}
		}
	}
	// netavark pairs static_ips with the subnets by position: the
	// addresses go out in the order of the subnets they belong to.
	bySubnet := make([][]string, len(n.Subnets))
	covered := make([]bool, len(n.Subnets))
	for _, w := range want {
		a, err := netip.ParseAddr(w)
		if err != nil {
			return nil, fmt.Errorf("IP address %q invalid: %w", w, define.ErrInvalidArg)
		}
		idx := -1
		for i, s := range n.Subnets {
			if p, err := netip.ParsePrefix(s.Subnet); err == nil && p.Contains(a) {
				idx = i
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("requested static IP %s is not in any subnet of network %s: %w", w, n.Name, define.ErrInvalidArg)
		}
		s := n.Subnets[idx]
		p, _ := netip.ParsePrefix(s.Subnet)
		if a == p.Addr() || a.String() == s.Gateway || (a.Is4() && a == lastAddr(p)) {
			return nil, fmt.Errorf("requested static IP %s is reserved in network %s: %w", w, n.Name, define.ErrInvalidArg)
		}
		if owner, ok := used[a]; ok {
			return nil, fmt.Errorf("IP address %s on network %s is already allocated to container %.12s: %w", w, n.Name, owner, define.ErrIPInUse)
		}
		covered[idx] = true
		bySubnet[idx] = append(bySubnet[idx], a.String())
	}
	for i, s := range n.Subnets {
		if covered[i] {
			continue
		}
		after, _ := netip.ParseAddr(last[s.Subnet])
		a, err := freeIP(s, used, after)
		if err != nil {
			return nil, fmt.Errorf("network %s: %w", n.Name, err)
		}
		last[s.Subnet] = a.String()
		bySubnet[i] = append(bySubnet[i], a.String())
	}
	var out []string
	for _, ips := range bySubnet {
		out = append(out, ips...)
	}
	return out, nil
}

// freeIP returns the first address of s's lease range (the whole subnet
// without network, gateway and broadcast addresses by default) after
// after (when valid and in the range; wrapping round to the start) that
// is not in used.
func freeIP(s define.Subnet, used map[netip.Addr]string, after netip.Addr) (netip.Addr, error) {
	p, err := netip.ParsePrefix(s.Subnet)
	if err != nil {
		return netip.Addr{}, err
	}
	first, last := p.Addr().Next(), lastAddr(p)
	if p.Addr().Is4() {
		last = last.Prev()
	}
	if r := s.LeaseRange; r != nil {
		if a, err := netip.ParseAddr(r.StartIP); err == nil && first.Less(a) {
			first = a
		}
		if a, err := netip.ParseAddr(r.EndIP); err == nil && a.Less(last) {
			last = a
		}
	}
	gw, _ := netip.ParseAddr(s.Gateway)
	scan := func(from, to netip.Addr) (netip.Addr, bool) {
		// Bounded: a huge IPv6 subnet is not scanned to its end.
		for a, i := from, 0; a.IsValid() && !to.Less(a) && i < 1<<20; a, i = a.Next(), i+1 {
			if a != gw {
				if _, ok := used[a]; !ok {
					return a, true
				}
			}
		}
		return netip.Addr{}, false
	}
	if after.IsValid() && !after.Less(first) && after.Less(last) {
		if a, ok := scan(after.Next(), last); ok {
			return a, nil
		}
		last = after
	}
	if a, ok := scan(first, last); ok {
		return a, nil
	}
	return netip.Addr{}, fmt.Errorf("no free IP address left in subnet %s: %w", s.Subnet, define.ErrIPInUse)
}

// lastFile keeps, per network of this root, the address last handed out in
// each of its subnets (see allocateIPs).
func (m *Manager) lastFile(name string) string {
	return filepath.Join(m.cfg.StateDir, name+".last-ip")
}

// readLast returns network name's last handed-out addresses by subnet.
//
// Preconditions: the root's network lock is held.
func (m *Manager) readLast(name string) map[string]string {
	last := map[string]string{}
	if data, err := os.ReadFile(m.lastFile(name)); err == nil {
		_ = json.Unmarshal(data, &last)
	}
	return last
}

// Teardown undoes Setup (and every Connect): it runs netavark teardown on
// the recorded options and drops the record. With networks given, only
// those are torn down (disconnect) and the record keeps the rest. A
// container without a record has nothing to tear down. When the pinned
// namespace is gone (the run root was wiped under live firewall rules),
// a scratch namespace with stand-in interfaces lets netavark finish its
// work on the host side.
func (m *Manager) Teardown(ctx context.Context, ctrID string, networks []string) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	rec, err := m.readRecord(ctrID)
	if err != nil || rec == nil {
		return err
	}
	all := networks == nil
	if all {
		networks = rec.Options.names()
	}
	var runErr error
	if rec.BootID == bootID() && len(networks) > 0 {
		opts := rec.Options.subset(networks)
		// netavark leaves a kept-alive bridge alone, so this holds after it.
		kept, pinned := !m.rootless() && allKeptAlive(opts.NetworkInfo), isNetNS(rec.NetNS)
		// A rootless namespace that is gone took the container's
		// bridges, rules and aardvark-dns entries with it.
		gone := m.rootless() && !isNetNS(m.cfg.RootlessNetNS)
		if gone {
			runErr = nil
		} else if all && kept && onlyVeth(opts) && pinned && soleNetNS(rec.NetNS) {
			// netavark would only delete the veth, synchronously (RCU
			// grace periods: ~15 ms here); dropping the namespace has the
			// kernel delete the pair in the background instead. Its
			// addresses go first, so that nothing answers for them even if
			// something this side cannot see (a pin in another mount
			// namespace, an open fd) keeps the namespace alive.
			runErr = errors.Join(inNetNS(rec.NetNS, flushAddrs), RemoveNetNS(rec.NetNS))
		} else if pinned {
			_, runErr = m.run(ctx, "teardown", rec.NetNS, opts)
		} else {
			// Best effort: with the namespace gone, netavark also misses
			// the aardvark files of the wiped run root and says so.
			_ = m.withScratchNetNS(opts, func(path string) error {
				_, err := m.run(ctx, "teardown", path, opts)
				return err
			})
		}
		if !kept && !m.rootless() {
			repairIsolation(ctx, opts.NetworkInfo)
		}
	}
	// The record goes even when netavark failed: kept, it would hold the
	// addresses forever, and netavark's errors here are mostly about
	// things that are gone already.
	if all {
		if err := os.Remove(m.recordPath(ctrID)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return errors.Join(runErr, err)
		}
		m.releaseIfRootlessLocked()
		return runErr
	}
	for _, n := range networks {
		delete(rec.Options.Networks, n)
		delete(rec.Options.NetworkInfo, n)
	}
	return errors.Join(runErr, m.writeRecord(ctrID, rec))
}

// withScratchNetNS runs fn with a throwaway namespace holding stand-in links
// named like the container's interfaces, so netavark's teardown finds
// what it wants to delete and goes on to the bridge and firewall.
func (m *Manager) withScratchNetNS(opts netavarkOptions, fn func(path string) error) error {
	path := filepath.Join(m.cfg.RunDir, "scratch-"+opts.ContainerID)
	_ = RemoveNetNS(path)
	if err := NewNetNS(path); err != nil {
		return err
	}
	defer RemoveNetNS(path)
	err := inNetNS(path, func() error {
		i := 0
		for _, o := range opts.Networks {
			if err := addStandInLink(o.InterfaceName, fmt.Sprintf("standin%d", i)); err != nil {
				return fmt.Errorf("stand-in interface %s: %w", o.InterfaceName, err)
			}
			i++
		}
		return nil
	})
	if err != nil {
		return err
	}
	return fn(path)
}

// Reload re-applies a running container's networking (its firewall rules
// after a flush): teardown, then setup with the same addresses.
func (m *Manager) Reload(ctx context.Context, ctrID string) (map[string]define.NetworkResult, error) {
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	rec, err := m.readRecord(ctrID)
	if err != nil || rec == nil || !isNetNS(rec.NetNS) || len(rec.Options.Networks) == 0 {
		return nil, err
	}
	_, _ = m.run(ctx, "teardown", rec.NetNS, rec.Options)
	if !m.rootless() {
		repairIsolation(ctx, rec.Options.NetworkInfo)
	}
	out, err := m.run(ctx, "setup", rec.NetNS, rec.Options)
	if err != nil {
		return nil, err
	}
	return parseStatus(out, rec.Options)
}

// HasRecord reports whether the container has networking set up (or
// left behind).
func (m *Manager) HasRecord(ctrID string) bool {
	_, err := os.Stat(m.recordPath(ctrID))
	return err == nil
}
