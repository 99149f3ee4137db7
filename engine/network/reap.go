package network

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// A root deleted with `rm -rf` (after its containers stopped) takes its
// network definitions with it, but its bridges, their keep-alive links and
// netavark's firewall rules stay on the host: nothing of that root will run
// again to remove them. The host-wide registry still names them, with the
// definition file that owned each. Whenever the registry is rewritten
// (a network is created, including a fresh root's default network on its
// first container, or removed: network rm, prune, system reset), the
// entries whose file is gone are reaped first.
//
// That is off the hot path on purpose: a `run --rm` on a root whose
// networks exist never rewrites the registry, so it pays nothing; the
// rewrite already holds the registry lock that keeps other roots off the
// names and subnets being released.

// reapAction is what becomes of a registry entry whose owner is gone.
type reapAction int

const (
	reapDrop      reapAction = iota // forget it, touch nothing on the host
	reapKeep                        // still in use: keep the entry for later
	reapKeepAlive                   // only an unattached keep-alive link is left: delete it
	reapRelease                     // tear down the bridge, keep-alive and firewall rules
)

// planReap decides about one gone entry from the host's links. It touches
// only what is provably that entry's: a bridge no live network claims,
// with berth's keep-alive link enslaved to it (podman, docker and other
// tools make no "<bridge>-k" veth). A bridge that still has other ports
// serves containers that outlived their root: it is kept until they go.
func planReap(e registryEntry, claimed map[string]bool, links []link) reapAction {
	if e.Bridge == "" || claimed[e.Bridge] {
		return reapDrop
	}
	ka, _ := keepAliveNames(e.Bridge)
	br, k := findLink(links, e.Bridge), findLink(links, ka)
	switch {
	case br == nil && k != nil && k.master == 0:
		return reapKeepAlive
	case br == nil, k == nil, k.master != br.index:
		return reapDrop
	}
	for _, l := range links {
		if l.master == br.index && l.index != k.index {
			return reapKeep
		}
	}
	return reapRelease
}

// reapLocked reaps the gone entries and returns those to keep in the
// registry. live are the entries that stay.
//
// Preconditions: the registry lock is held.
func (m *Manager) reapLocked(ctx context.Context, live, gone []registryEntry) []registryEntry {
	if len(gone) == 0 {
		return nil
	}
	links, err := listLinks()
	if err != nil {
		m.cfg.Warnf("reaping the networks of deleted roots: %v", err)
		return gone
	}
	claimed := map[string]bool{}
	for _, e := range live {
		claimed[e.Bridge] = true
	}
	var kept []registryEntry
	for _, e := range gone {
		switch planReap(e, claimed, links) {
		case reapKeep:
			kept = append(kept, e)
		case reapKeepAlive:
			ka, _ := keepAliveNames(e.Bridge)
			if err := deleteLink(ka); err != nil {
				m.cfg.Warnf("removing keep-alive link %s of a deleted root's network: %v", ka, err)
			}
		case reapRelease:
			// The owner's root lock went with its root: no process of
			// it can be working on this network.
			if err := m.releaseBridge(ctx, e.network()); err != nil {
				m.cfg.Warnf("removing the bridge of a deleted root's network (%s): %v", e.Owner, err)
			}
		}
	}
	return kept
}

// network is the definition netavark's teardown needs: the snapshot the
// entry carries, or (entries of older berth versions) one rebuilt from it
// with berth's defaults. DNS is off either way: the deleted root's
// aardvark-dns configuration is not ours to edit.
func (e registryEntry) network() define.Network {
	if e.Network != nil {
		n := *e.Network
		n.DNSEnabled = false
		return n
	}
	n := define.Network{
		Name:             strings.TrimSuffix(filepath.Base(e.Owner), ".json"),
		ID:               e.ID,
		Driver:           "bridge",
		NetworkInterface: e.Bridge,
		Options:          map[string]string{"isolate": "true"},
		IPAMOptions:      map[string]string{"driver": "host-local"},
	}
	for _, s := range e.Subnets {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			continue
		}
		n.Subnets = append(n.Subnets, define.Subnet{Subnet: p.String(), Gateway: p.Addr().Next().String()})
		n.IPv6Enabled = n.IPv6Enabled || p.Addr().Is6()
	}
	return n
}

// Orphan is a bridge (or only its keep-alive link) on the host whose
// owning network definition is gone, for system check.
type Orphan struct {
	Bridge, Owner string
}

// Orphans lists the bridges, keep-alive links and firewall rules of this
// root's networks whose definition file is gone (a crashed network rm);
// with reap it reaps them now, with those of deleted roots (which any
// registry rewrite reaps: they are not reported, so that one root's check
// does not depend on what other roots left). A bridge that still serves
// containers is neither reported nor touched.
func (m *Manager) Orphans(ctx context.Context, reap bool) ([]Orphan, error) {
	unlock, err := m.registryLock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	live, gone, err := m.readRegistry()
	if err != nil || len(gone) == 0 {
		return nil, err
	}
	links, err := listLinks()
	if err != nil {
		return nil, err
	}
	claimed := map[string]bool{}
	for _, e := range live {
		claimed[e.Bridge] = true
	}
	var out []Orphan
	for _, e := range gone {
		if filepath.Dir(e.Owner) != m.cfg.DefinitionsDir {
			continue // a deleted root's: any registry rewrite reaps it
		}
		if a := planReap(e, claimed, links); a == reapRelease || a == reapKeepAlive {
			out = append(out, Orphan{Bridge: e.Bridge, Owner: e.Owner})
		}
	}
	if !reap {
		return out, nil
	}
	return out, m.writeRegistry(append(live, m.reapLocked(ctx, live, gone)...))
}
