package service

import (
	"context"
	"sort"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// NetworkEndpoint is one container attached to a network, for the API's
// network inspect.
type NetworkEndpoint struct {
	ContainerID string
	Name        string
	// Interface, IPs (CIDR form) and MAC are the container's on that
	// network; empty while it does not run.
	Interface  string
	IPs        []string
	MacAddress string
}

// NetworkFilterKeys are the filters of the API's network list; prune
// takes NetworkPruneFilterKeys.
var (
	NetworkFilterKeys      = []string{"name", "id", "driver", "label", "label!", "dangling"}
	NetworkPruneFilterKeys = []string{"label", "label!"}
)

// NetworkList is `network ls` with KEY=VALUE filters.
func (b *Backend) NetworkList(filters []string) ([]define.Network, error) {
	fs, err := ParseNetworkFilters(filters, NetworkFilterKeys...)
	if err != nil {
		return nil, err
	}
	return NetworkList(b.rt, fs)
}

// NetworkInspect returns a network ("bridge" is the default one) and the
// containers attached to it, by name.
func (b *Backend) NetworkInspect(name string) (define.Network, []NetworkEndpoint, error) {
	n, err := b.rt.Network(name)
	if err != nil {
		return n, nil, err
	}
	users, err := b.rt.NetworkUsers(n.Name)
	if err != nil {
		return n, nil, err
	}
	eps := make([]NetworkEndpoint, 0, len(users))
	for _, c := range users {
		st := c.CachedState()
		res := st.NetworkStatus[n.Name]
		eps = append(eps, NetworkEndpoint{
			ContainerID: c.ID(), Name: c.Name(),
			Interface: res.Interface, IPs: res.IPs, MacAddress: res.MacAddress,
		})
	}
	sort.Slice(eps, func(i, j int) bool { return eps[i].Name < eps[j].Name })
	return n, eps, nil
}

// NetworkCreate is `network create`.
func (b *Backend) NetworkCreate(opts NetworkCreateOptions) (define.Network, error) {
	return NetworkCreate(b.rt, opts)
}

// NetworkRemove is `network rm` of one network, not forced.
func (b *Backend) NetworkRemove(ctx context.Context, name string) error {
	_, err := b.rt.RemoveNetwork(ctx, name, engine.RemoveNetworkOptions{})
	return err
}

// NetworkConnect is `network connect`.
func (b *Backend) NetworkConnect(ctx context.Context, netName, ctr string, opts define.PerNetworkOptions) error {
	return NetworkConnect(ctx, b.rt, netName, ctr, opts)
}

// NetworkDisconnect is `network disconnect`.
func (b *Backend) NetworkDisconnect(ctx context.Context, netName, ctr string) error {
	return NetworkDisconnect(ctx, b.rt, netName, ctr)
}

// NetworkPrune is `network prune` with KEY=VALUE filters; it returns the
// names removed.
func (b *Backend) NetworkPrune(ctx context.Context, filters []string) ([]string, error) {
	fs, err := ParseNetworkFilters(filters, NetworkPruneFilterKeys...)
	if err != nil {
		return nil, err
	}
	return b.rt.PruneNetworks(ctx, func(n define.Network) bool {
		return !NetworkMatches(n, fs, false)
	})
}
