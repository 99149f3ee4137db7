// Package network is berth's network backend: network definitions (JSON
// files under the graph root), subnet and address allocation, host port
// reservation, named network namespaces, and container setup/teardown
// through netavark's JSON interface (with aardvark-dns for name
// resolution on user networks).
//
// Every change to this root's definitions and allocations happens under
// one flock (Manager.lock). Host-wide resources (bridge names, subnets)
// are coordinated across roots through a small registry on /run, since
// two berth roots on one host share the host's interfaces and routes.
package network

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/idgen"
	"go.podman.io/storage/pkg/ioutils"
	"golang.org/x/sys/unix"
)

// Config locates the backend's files and binaries.
type Config struct {
	// DefinitionsDir holds one NAME.json per network (graph root: the
	// definitions survive reboots).
	DefinitionsDir string
	// StateDir holds one record per container with networking, which
	// is what teardown (and address allocation) works from. It is on the
	// graph root so that a run root wiped under live firewall rules can
	// still be cleaned up.
	StateDir string
	// RunDir is netavark's --config directory (aardvark-dns files).
	RunDir string
	// NetavarkPath and AardvarkPath are the binaries; "" finds them.
	NetavarkPath string
	AardvarkPath string
	// RegistryPath is the host-wide registry of bridges and subnets;
	// "" means DefaultRegistryPath.
	RegistryPath string
	// RootlessNetNS, for a rootless user, is where the rootless network
	// namespace is pinned (rootlessns.go); "" for root.
	RootlessNetNS string
	// Warnf reports what went wrong without failing the operation
	// (nil: dropped).
	Warnf func(format string, args ...any)
}

// DefaultRegistryPath is where every berth root of the host records the
// bridges and subnets it uses (a tmpfs: it starts empty after a reboot).
const DefaultRegistryPath = "/run/berth-networks.json"

// Candidate locations of the binaries (Debian's packages use the first).
var (
	netavarkCandidates = []string{"/usr/lib/podman/netavark", "/usr/libexec/podman/netavark", "/usr/local/libexec/podman/netavark"}
	aardvarkCandidates = []string{"/usr/lib/podman/aardvark-dns", "/usr/libexec/podman/aardvark-dns", "/usr/local/libexec/podman/aardvark-dns"}
)

// Manager is the network backend of one berth root.
type Manager struct {
	cfg Config
}

// New returns the backend for cfg. Nothing is touched until first use.
func New(cfg Config) *Manager {
	if cfg.RegistryPath == "" {
		cfg.RegistryPath = DefaultRegistryPath
	}
	if cfg.NetavarkPath == "" {
		cfg.NetavarkPath = firstExisting(netavarkCandidates)
	}
	if cfg.AardvarkPath == "" {
		cfg.AardvarkPath = firstExisting(aardvarkCandidates)
	}
	if cfg.Warnf == nil {
		cfg.Warnf = func(string, ...any) {}
	}
	return &Manager{cfg: cfg}
}

func firstExisting(paths []string) string {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return paths[0]
}

// NetavarkPath returns the netavark binary the backend runs.
func (m *Manager) NetavarkPath() string { return m.cfg.NetavarkPath }

// lock takes the root-wide network lock and returns its release.
func (m *Manager) lock() (func(), error) {
	if err := os.MkdirAll(m.cfg.StateDir, 0o700); err != nil {
		return nil, err
	}
	return flock(filepath.Join(m.cfg.StateDir, "lock"))
}

func flock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil
}

// IsDefaultName reports whether name means the default network.
func IsDefaultName(name string) bool { return name == define.DefaultNetwork || name == "bridge" }

// ValidateName checks a network name (docker's container name pattern).
func ValidateName(name string) error {
	ok := len(name) > 0 && len(name) <= 200
	for i, r := range name {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("_.-", r)) {
			ok = false
			break
		}
	}
	if !ok {
		return fmt.Errorf("network name %q invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: %w", name, define.ErrInvalidArg)
	}
	return nil
}

func (m *Manager) defPath(name string) string {
	return filepath.Join(m.cfg.DefinitionsDir, name+".json")
}

// List returns every network of this root, sorted by name.
func (m *Manager) List() ([]define.Network, error) {
	ents, err := os.ReadDir(m.cfg.DefinitionsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []define.Network
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		n, err := m.read(name)
		if err != nil {
			if errors.Is(err, define.ErrNoSuchNetwork) {
				continue // removed meanwhile
			}
			return nil, err
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (m *Manager) read(name string) (define.Network, error) {
	var n define.Network
	data, err := os.ReadFile(m.defPath(name))
	if errors.Is(err, os.ErrNotExist) {
		return n, fmt.Errorf("unable to find network with name or ID %s: %w", name, define.ErrNoSuchNetwork)
	}
	if err != nil {
		return n, err
	}
	if err := json.Unmarshal(data, &n); err != nil {
		return n, fmt.Errorf("network %s: decoding %s: %w", name, m.defPath(name), err)
	}
	return n, nil
}

// Inspect finds a network by name, full ID or unique ID prefix. "bridge"
// names the default network.
func (m *Manager) Inspect(nameOrID string) (define.Network, error) {
	if nameOrID == "bridge" {
		nameOrID = define.DefaultNetwork
	}
	if ValidateName(nameOrID) == nil {
		if n, err := m.read(nameOrID); err == nil || !errors.Is(err, define.ErrNoSuchNetwork) {
			return n, err
		}
	}
	all, err := m.List()
	if err != nil {
		return define.Network{}, err
	}
	var found []define.Network
	for _, n := range all {
		if strings.HasPrefix(n.ID, nameOrID) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return define.Network{}, fmt.Errorf("unable to find network with name or ID %s: %w", nameOrID, define.ErrNoSuchNetwork)
	}
	return define.Network{}, fmt.Errorf("more than one network matches %s: %w", nameOrID, define.ErrAmbiguous)
}

// Default returns the default network, creating it on first use.
func (m *Manager) Default() (define.Network, error) {
	if n, err := m.read(define.DefaultNetwork); err == nil || !errors.Is(err, define.ErrNoSuchNetwork) {
		return n, err
	}
	n, err := m.Create(define.Network{Name: define.DefaultNetwork}, CreateOptions{})
	if errors.Is(err, define.ErrNetworkExists) {
		return m.read(define.DefaultNetwork) // another process won the race
	}
	return n, err
}

// CreateOptions tune Create.
type CreateOptions struct {
	// IgnoreExisting returns the existing network of that name instead of
	// an error (`network create --ignore`).
	IgnoreExisting bool
}

// Create validates and completes n (ID, bridge name, subnets, gateways,
// options) and stores it. The default network gets the "berth0" bridge
// if it is free and no DNS; other networks get the next free "berthN"
// and DNS. Every network is isolated from the others (docker's default).
func (m *Manager) Create(n define.Network, opts CreateOptions) (define.Network, error) {
	if IsDefaultName(n.Name) {
		n.Name = define.DefaultNetwork
	}
	if err := ValidateName(n.Name); err != nil {
		return n, err
	}
	if err := normalize(&n, m.cfg.AardvarkPath); err != nil {
		return n, err
	}
	unlock, err := m.lock()
	if err != nil {
		return n, err
	}
	defer unlock()
	if old, err := m.read(n.Name); err == nil {
		if opts.IgnoreExisting {
			return old, nil
		}
		return n, fmt.Errorf("network name %s already used: %w", n.Name, define.ErrNetworkExists)
	} else if !errors.Is(err, define.ErrNoSuchNetwork) {
		return n, err
	}
	existing, err := m.List()
	if err != nil {
		return n, err
	}
	persist := func() error {
		if err := os.MkdirAll(m.cfg.DefinitionsDir, 0o700); err != nil {
			return err
		}
		data, err := json.MarshalIndent(n, "", "     ")
		if err != nil {
			return err
		}
		return writeFileAtomic(m.defPath(n.Name), data)
	}
	if err := m.allocateHostResources(&n, existing, persist); err != nil {
		return n, err
	}
	return n, nil
}

// normalize fills the defaults of a new definition that need no
// knowledge of other networks, and rejects what netavark would.
func normalize(n *define.Network, aardvark string) error {
	if n.Driver == "" {
		n.Driver = "bridge"
	}
	if n.Driver != "bridge" && n.Driver != "macvlan" && n.Driver != "ipvlan" {
		return fmt.Errorf("unsupported driver %s: %w", n.Driver, define.ErrInvalidArg)
	}
	n.ID = idgen.NewID()
	n.Created = time.Now()
	if n.Options == nil {
		n.Options = map[string]string{}
	}
	if n.IPAMOptions == nil {
		n.IPAMOptions = map[string]string{}
	}
	if !isBridge(*n) {
		if err := normalizeVLAN(n); err != nil {
			return err
		}
		if d := n.IPAMOptions["driver"]; d != "" && d != "host-local" {
			return fmt.Errorf("unsupported IPAM driver %s: %w", d, define.ErrInvalidArg)
		}
		n.IPAMOptions["driver"] = "host-local"
		if err := checkDNSServers(n); err != nil {
			return err
		}
		return validateSubnets(n)
	}
	mapDockerBridgeOptions(n)
	for k, v := range n.Options {
		switch k {
		case "mtu", "metric":
			if !isDigits(v) {
				return fmt.Errorf("network option %s=%s: must be a number: %w", k, v, define.ErrInvalidArg)
			}
		case "isolate":
			if v != "true" && v != "false" {
				return fmt.Errorf("network option isolate=%s: must be true or false: %w", v, define.ErrInvalidArg)
			}
		default:
			return fmt.Errorf("unsupported bridge network option %s: %w", k, define.ErrInvalidArg)
		}
	}
	if _, ok := n.Options["isolate"]; !ok {
		n.Options["isolate"] = "true"
	}
	if d := n.IPAMOptions["driver"]; d != "" && d != "host-local" {
		return fmt.Errorf("unsupported IPAM driver %s: %w", d, define.ErrInvalidArg)
	}
	n.IPAMOptions["driver"] = "host-local"
	if n.Name == define.DefaultNetwork {
		n.DNSEnabled = false // docker's default bridge has no DNS either
	} else if n.DNSEnabled {
		if _, err := os.Stat(aardvark); err != nil {
			n.DNSEnabled = false // as podman: no aardvark-dns, no DNS
		}
	}
	if err := checkDNSServers(n); err != nil {
		return err
	}
	if n.NetworkInterface != "" {
		if len(n.NetworkInterface) > 15 || strings.ContainsAny(n.NetworkInterface, "/: \t") {
			return fmt.Errorf("interface name %q invalid: %w", n.NetworkInterface, define.ErrInvalidArg)
		}
	}
	return validateSubnets(n)
}

// checkDNSServers validates --dns: addresses, on a network with DNS.
func checkDNSServers(n *define.Network) error {
	for _, s := range n.NetworkDNSServers {
		if _, err := netip.ParseAddr(s); err != nil {
			return fmt.Errorf("unable to parse ip %s specified in --dns: %w", s, define.ErrInvalidArg)
		}
	}
	if len(n.NetworkDNSServers) > 0 && !n.DNSEnabled {
		return fmt.Errorf("cannot set NetworkDNSServers if DNS is not enabled for the network: %w", define.ErrInvalidArg)
	}
	return nil
}

// mapDockerBridgeOptions turns docker's names of the bridge options into
// podman's, as podman does: the MTU and the bridge's name. Docker's other
// com.docker.network.* options stay and are refused as unsupported, as
// podman refuses them.
func mapDockerBridgeOptions(n *define.Network) {
	if v, ok := n.Options["com.docker.network.driver.mtu"]; ok {
		n.Options["mtu"] = v
		delete(n.Options, "com.docker.network.driver.mtu")
	}
	if v, ok := n.Options["com.docker.network.bridge.name"]; ok {
		n.NetworkInterface = v
		delete(n.Options, "com.docker.network.bridge.name")
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Remove deletes a network's definition and releases its host
// resources. The caller has disconnected every container first.
func (m *Manager) Remove(ctx context.Context, name string) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	n, err := m.read(name)
	if err != nil {
		return err
	}
	users, err := m.usersLocked(n.Name)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return fmt.Errorf("network %s is in use by %d container(s): %w", n.Name, len(users), define.ErrNetworkInUse)
	}
	// The bridge and its firewall rules outlive the containers until now
	// (keepalive.go); a bridge left by a crash goes with the network too.
	// Both go while the definition still exists: until it is removed, the
	// host-wide registry keeps other roots off the bridge's name.
	if isBridge(n) && !m.rootless() {
		if err := m.releaseBridge(ctx, n); err != nil {
			m.cfg.Warnf("%v", err)
		}
		_ = deleteLink(n.NetworkInterface)
	}
	if err := os.Remove(m.defPath(n.Name)); err != nil {
		return err
	}
	_ = os.Remove(m.lastFile(n.Name))
	return m.unregister(ctx, n)
}

func writeFileAtomic(path string, data []byte) error {
	return ioutils.AtomicWriteFile(path, data, 0o600)
}
