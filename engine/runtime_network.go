package engine

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/network"
)

// Where networking keeps its files: definitions and per-container
// records on the graph root (they must outlive a wiped run root), the
// pinned namespaces and netavark's aardvark-dns files on the run root.
func (c *Config) networkConfig() network.Config {
	defs := c.NetworkConfigDir
	if defs == "" {
		defs = filepath.Join(c.GraphRoot, "berth", "networks")
	}
	return network.Config{
		DefinitionsDir: defs,
		StateDir:       filepath.Join(c.GraphRoot, "berth", "netstate"),
		RunDir:         filepath.Join(c.tmpDir(), "netavark"),
		Warnf:          warnf,
		RegistryPath:   c.registryPath(),
		RootlessNetNS:  c.rootlessNetNS(),
	}
}

// rootlessNetNS is where a rootless user's network namespace is pinned
// (engine/network/rootlessns.go); "" for root.
func (c *Config) rootlessNetNS() string {
	if !c.Rootless {
		return ""
	}
	return filepath.Join(c.tmpDir(), "rootless-netns", "netns")
}

// registryPath is the host-wide registry of bridges for root; a rootless
// user, who cannot write /run, keeps one of their own.
func (c *Config) registryPath() string {
	if c.Rootless {
		return filepath.Join(c.tmpDir(), "networks.json")
	}
	return ""
}

func (c *Config) netnsDir() string { return filepath.Join(c.tmpDir(), "netns") }

// errNoNetworking is returned by network verbs of a runtime without a
// network backend (unit tests).
var errNoNetworking = fmt.Errorf("networking is not available: %w", define.ErrNotImplemented)

func (r *Runtime) netBackend() (*network.Manager, error) {
	if r.net == nil {
		return nil, errNoNetworking
	}
	return r.net, nil
}

// Networks returns every network, sorted by name. The default network is
// created first if it does not exist yet, so that it is always listed.
func (r *Runtime) Networks() ([]define.Network, error) {
	n, err := r.netBackend()
	if err != nil {
		return nil, err
	}
	if _, err := n.Default(); err != nil {
		return nil, err
	}
	return n.List()
}

// Network finds a network by name, ID or unique ID prefix ("bridge" is
// the default network, created on first use).
func (r *Runtime) Network(nameOrID string) (define.Network, error) {
	n, err := r.netBackend()
	if err != nil {
		return define.Network{}, err
	}
	if network.IsDefaultName(nameOrID) {
		return n.Default()
	}
	return n.Inspect(nameOrID)
}

// UpdateNetwork changes a network's DNS servers (`network update`).
func (r *Runtime) UpdateNetwork(ctx context.Context, nameOrID string, o network.UpdateOptions) (define.Network, error) {
	n, err := r.netBackend()
	if err != nil {
		return define.Network{}, err
	}
	return n.Update(ctx, nameOrID, o)
}

// CreateNetwork stores a new network (see network.Manager.Create).
func (r *Runtime) CreateNetwork(def define.Network, ignoreExisting bool) (define.Network, error) {
	n, err := r.netBackend()
	if err != nil {
		return def, err
	}
	created, err := n.Create(def, network.CreateOptions{IgnoreExisting: ignoreExisting})
	if err != nil {
		return created, err
	}
	r.event(define.Event{Type: "network", Status: "create", ID: created.ID, Name: created.Name, Time: time.Now()})
	return created, nil
}

// NetworkUsers returns the containers attached to the network, from a
// snapshot.
func (r *Runtime) NetworkUsers(name string) ([]*Container, error) {
	ctrs, err := r.Containers()
	if err != nil {
		return nil, err
	}
	var out []*Container
	for _, c := range ctrs {
		if _, ok := c.state.Networks[name]; ok && c.isBridgeMode() {
			out = append(out, c)
		}
	}
	return out, nil
}

// RemoveNetworkOptions tune RemoveNetwork.
type RemoveNetworkOptions struct {
	// Force removes the containers using the network first.
	Force bool
	// Timeout is the stop timeout for running users removed by Force.
	Timeout *uint
}

// RemoveNetwork deletes a network. One in use is refused unless Force,
// which removes its containers first; the default network cannot be
// removed.
func (r *Runtime) RemoveNetwork(ctx context.Context, nameOrID string, opts RemoveNetworkOptions) (define.Network, error) {
	nb, err := r.netBackend()
	if err != nil {
		return define.Network{}, err
	}
	n, err := nb.Inspect(nameOrID)
	if err != nil {
		return n, err
	}
	if n.Name == define.DefaultNetwork {
		return n, fmt.Errorf("default network %s cannot be removed: %w", n.Name, define.ErrInvalidArg)
	}
	users, err := r.NetworkUsers(n.Name)
	if err != nil {
		return n, err
	}
	if len(users) > 0 && !opts.Force {
		return n, fmt.Errorf("network %s is being used by container %s: %w", n.Name, users[0].Name(), define.ErrNetworkInUse)
	}
	for _, c := range users {
		if err := r.RemoveContainer(ctx, c, RemoveOptions{Force: true, Timeout: opts.Timeout}); err != nil && !errors.Is(err, define.ErrCtrRemoved) && !errors.Is(err, define.ErrNoSuchCtr) {
			return n, fmt.Errorf("removing container %s that uses network %s: %w", c.Name(), n.Name, err)
		}
	}
	if err := nb.Remove(ctx, n.Name); err != nil {
		return n, err
	}
	r.event(define.Event{Type: "network", Status: "remove", ID: n.ID, Name: n.Name, Time: time.Now()})
	return n, nil
}

// PruneNetworks removes every network no container uses, except the
// default one, for which keep returns true. It returns the removed names.
func (r *Runtime) PruneNetworks(ctx context.Context, keep func(define.Network) bool) ([]string, error) {
	all, err := r.Networks()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, n := range all {
		if n.Name == define.DefaultNetwork || (keep != nil && keep(n)) {
			continue
		}
		if users, err := r.NetworkUsers(n.Name); err != nil || len(users) > 0 {
			continue
		}
		if _, err := r.RemoveNetwork(ctx, n.Name, RemoveNetworkOptions{}); err != nil {
			if !errors.Is(err, define.ErrNetworkInUse) && !errors.Is(err, define.ErrNoSuchNetwork) {
				errs = append(errs, err)
			}
			continue
		}
		removed = append(removed, n.Name)
	}
	return removed, errors.Join(errs...)
}

// prepareNetworkConfig completes a new container's networking intent: a
// container to join is resolved to its ID, bridge mode gets the default
// network when no network was named, named networks must exist (and are
// recorded under their canonical names), published host ports must not
// collide with each other.
func (r *Runtime) prepareNetworkConfig(cfg *define.ContainerConfig) error {
	if err := checkPortConflicts(cfg.Ports); err != nil {
		return err
	}
	if err := r.checkRootlessNetwork(cfg); err != nil {
		return err
	}
	if r.net == nil {
		return nil
	}
	mode := cfg.NetMode
	switch {
	case strings.HasPrefix(mode, "container:"):
		target := strings.TrimPrefix(mode, "container:")
		id, err := r.state.LookupContainer(target)
		if err != nil {
			return fmt.Errorf("--network container:%s: %w", target, err)
		}
		cfg.NetMode = "container:" + id
		if cfg.Namespaces == nil {
			cfg.Namespaces = map[string]string{}
		}
		cfg.Namespaces["net"] = id
		return nil
	case mode != "" && mode != "bridge":
		return nil
	}
	opts := map[string]define.PerNetworkOptions{}
	names := cfg.Networks
	if len(names) == 0 {
		names = []string{define.DefaultNetwork}
	}
	var canonical []string
	for _, name := range names {
		n, err := r.Network(name)
		if err != nil {
			return err
		}
		o := cfg.NetworkOptions[name]
		if _, dup := opts[n.Name]; dup {
			return fmt.Errorf("network %s given more than once: %w", n.Name, define.ErrInvalidArg)
		}
		o.InterfaceName = fmt.Sprintf("eth%d", len(canonical))
		opts[n.Name] = o
		canonical = append(canonical, n.Name)
	}
	cfg.Networks = canonical
	cfg.NetworkOptions = opts
	return nil
}

// checkPortConflicts refuses two mappings of one container that claim the
// same host port (on the same address, or one of them on every address).
func checkPortConflicts(ports []define.PortMapping) error {
	type key struct {
		proto string
		port  uint16
	}
	seen := map[key][]string{}
	for _, p := range ports {
		if p.HostPort == 0 {
			continue
		}
		for i := uint16(0); i < max(p.Range, 1); i++ {
			k := key{p.Protocol, p.HostPort + i}
			for _, ip := range seen[k] {
				if ip == p.HostIP || ip == "" || p.HostIP == "" {
					return fmt.Errorf("host port %d/%s is published twice: %w", k.port, k.proto, define.ErrInvalidArg)
				}
			}
			seen[k] = append(seen[k], p.HostIP)
		}
	}
	return nil
}

// ReloadNetworks re-applies the networking (firewall rules included) of
// every running container, after a firewall flush. It returns the IDs of
// the containers it reloaded.
func (r *Runtime) ReloadNetworks(ctx context.Context, ctrs []*Container) ([]string, error) {
	var done []string
	var errs []error
	for _, c := range ctrs {
		ok, err := c.ReloadNetwork(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("container %s: %w", c.Name(), err))
			continue
		}
		if ok {
			done = append(done, c.ID())
		}
	}
	return done, errors.Join(errs...)
}

// RunInRootlessNetNS runs cmd in a rootless engine's network namespace
// (see network.Manager.RunInRootlessNetNS).
func (r *Runtime) RunInRootlessNetNS(ctx context.Context, cmd *exec.Cmd) error {
	if r.net == nil {
		return fmt.Errorf("networking is not available (netavark not found): %w", define.ErrInvalidArg)
	}
	return r.net.RunInRootlessNetNS(ctx, cmd)
}
