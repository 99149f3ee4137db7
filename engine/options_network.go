package engine

import "github.com/berth-dev/berth/engine/define"

// WithNetworkOptions sets per-network options (static IPs and MAC,
// aliases, interface name) by network name; the names are resolved when
// the container is created.
func WithNetworkOptions(opts map[string]define.PerNetworkOptions) CtrOption {
	return func(c *define.ContainerConfig) error { c.NetworkOptions = opts; return nil }
}
