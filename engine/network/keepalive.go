package network

import (
	"context"
	"fmt"
	"hash/crc32"
	"net"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"golang.org/x/sys/unix"
)

// A bridge network keeps its bridge and its firewall rules from the first
// container it serves until the network is removed, as docker keeps
// docker0. netavark removes both with the last container attached to the
// bridge and adds them again with the next one, and every rule it adds or
// deletes is an nftables commit that waits for an RCU grace period: about
// 200 ms of each short-lived container's run on this kind of host. A
// keep-alive veth enslaved to the bridge (down, carrying no traffic) makes
// netavark see a bridge still in use, so a container's teardown only
// removes what is the container's own: its veth, its port forwards, its
// DNS entry. Remove (network rm, system reset) takes the keep-alive away
// and lets netavark tear the rest down.

// keepAliveNames returns the names of a bridge's keep-alive veth pair:
// "<bridge>-k"/"<bridge>-p", or a hash of the bridge name when that
// would not fit in an interface name.
func keepAliveNames(bridge string) (link, peer string) {
	if len(bridge)+2 < unix.IFNAMSIZ {
		return bridge + "-k", bridge + "-p"
	}
	h := crc32.ChecksumIEEE([]byte(bridge))
	return fmt.Sprintf("bk%08x", h), fmt.Sprintf("bp%08x", h)
}

// keepsAlive reports whether n is a network whose bridge berth keeps.
func keepsAlive(n define.Network) bool {
	return (n.Driver == "" || n.Driver == "bridge") && n.NetworkInterface != ""
}

// ensureKeepAlive attaches the keep-alive link to the bridge of n, which
// netavark has just set up. A keep-alive left unattached (the bridge was
// deleted by hand and made again) is attached again.
func ensureKeepAlive(n define.Network) error {
	if !keepsAlive(n) {
		return nil
	}
	name, peer := keepAliveNames(n.NetworkInterface)
	links, err := listLinks()
	if err != nil {
		return err
	}
	br, ka := findLink(links, n.NetworkInterface), findLink(links, name)
	switch {
	case br == nil:
		return fmt.Errorf("bridge %s not found", n.NetworkInterface)
	case ka == nil:
		return addVeth(name, peer, br.index)
	case ka.master != br.index:
		return setMaster(ka.index, br.index)
	}
	return nil
}

// findLink returns the link called name, or nil.
func findLink(links []link, name string) *link {
	for i := range links {
		if links[i].name == name {
			return &links[i]
		}
	}
	return nil
}

// allKeptAlive reports whether every network of nets keeps its bridge:
// netavark then removed only a container's own rules, never the shared
// isolation jump, and there is nothing to repair.
func allKeptAlive(nets map[string]define.Network) bool {
	links, err := listLinks()
	if err != nil {
		return false
	}
	for _, n := range nets {
		name, _ := keepAliveNames(n.NetworkInterface)
		if !keepsAlive(n) || findLink(links, name) == nil {
			return false
		}
	}
	return true
}

// onlyVeth reports whether, on bridges that stay (allKeptAlive), a
// container's teardown would undo nothing but its veth: no published ports,
// no DNS entries. Such a teardown drops the namespace instead of running
// netavark; round-robin allocation (allocateIPs) keeps the address of the
// dying veth from the next container.
func onlyVeth(opts netavarkOptions) bool {
	if len(opts.PortMappings) > 0 {
		return false
	}
	for _, n := range opts.NetworkInfo {
		if n.DNSEnabled {
			return false
		}
	}
	return true
}

// bridgePorts returns the interfaces enslaved to bridge.
func bridgePorts(bridge string) []string {
	links, _ := listLinks()
	br := findLink(links, bridge)
	if br == nil {
		return nil
	}
	var out []string
	for _, l := range links {
		if l.master == br.index {
			out = append(out, l.name)
		}
	}
	return out
}

// releaseBridge undoes what a network's first container set up on the
// host: the keep-alive goes, and when no container is left on the bridge
// netavark tears down the bridge and the network's firewall rules, here
// for a stand-in container in a scratch namespace.
//
// Preconditions: the root's network lock is held.
func (m *Manager) releaseBridge(ctx context.Context, n define.Network) error {
	if !keepsAlive(n) {
		return nil
	}
	link, _ := keepAliveNames(n.NetworkInterface)
	if err := deleteLink(link); err != nil {
		return fmt.Errorf("network %s: removing keep-alive link %s: %w", n.Name, link, err)
	}
	if _, err := net.InterfaceByName(n.NetworkInterface); err != nil {
		return nil
	}
	// No container uses the network any more (Remove checked), but the
	// veths of the last ones may still be on the bridge: the kernel deletes
	// them with their namespaces, in the background (onlyVeth). One whose
	// namespace something else keeps alive stays, and so does an interface
	// another tool put on the bridge: neither is berth's to delete.
	for deadline := time.Now().Add(5 * time.Second); len(bridgePorts(n.NetworkInterface)) > 0; {
		if time.Now().After(deadline) {
			return fmt.Errorf("network %s: bridge %s still has interfaces %v attached: its firewall rules are left behind", n.Name, n.NetworkInterface, bridgePorts(n.NetworkInterface))
		}
		time.Sleep(10 * time.Millisecond)
	}
	opts := netavarkOptions{
		ContainerID:   n.ID,
		ContainerName: "berth-release-" + n.Name,
		Networks:      map[string]define.PerNetworkOptions{n.Name: {InterfaceName: "eth0"}},
		NetworkInfo:   map[string]define.Network{n.Name: n},
	}
	err := m.withScratchNetNS(opts, func(path string) error {
		_, err := m.run(ctx, "teardown", path, opts)
		return err
	})
	repairIsolation(ctx, opts.NetworkInfo)
	if _, statErr := net.InterfaceByName(n.NetworkInterface); statErr == nil {
		return fmt.Errorf("network %s: bridge %s still present after teardown: %v", n.Name, n.NetworkInterface, err)
	}
	return nil
}
