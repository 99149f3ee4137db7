package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/network"
	"github.com/berth-dev/berth/internal/rootless"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// userNetPIDFile is where the container's pasta or slirp4netns PID is kept.
func (c *Container) userNetPIDFile() string {
	return filepath.Join(c.runtime.cfg.tmpDir(), "usernet", c.config.ID+".pid")
}

// setupUserNetLocked gives a container with --network pasta or
// slirp4netns (a rootless container's default) a pinned namespace that
// the tool connects to the host, forwarding the published ports. Random
// host ports are picked by binding and releasing them just before the
// tool binds them itself. With post (a user namespace of its own, see
// setupNetworkLocked) the runtime makes the namespace and the tool starts
// in finish, after the create.
//
// Preconditions: c.lock is held.
func (c *Container) setupUserNetLocked(ctx context.Context, spec *specs.Spec, post bool) (_ []*os.File, finish func(pid int) error, retErr error) {
	if err := c.teardownNetworkLocked(ctx); err != nil {
		warnf("container %s: cleaning up stale networking: %v", c.config.Name, err)
	}
	files, ports, err := network.ReservePorts(c.config.Ports)
	network.CloseFiles(files)
	if err != nil {
		return nil, nil, fmt.Errorf("container %s: %w", c.config.Name, err)
	}
	path := c.netnsPath()
	start := func(pin func() error) (retErr error) {
		if err := pin(); err != nil {
			return fmt.Errorf("container %s: %w", c.config.Name, err)
		}
		defer func() {
			if retErr != nil {
				network.StopUserNet(c.userNetPIDFile())
				_ = network.RemoveNetNS(path)
			}
		}()
		err = network.StartUserNet(ctx, network.UserNetOptions{Mode: c.config.NetMode, NetNS: path, Ports: ports, PIDFile: c.userNetPIDFile()})
		if err != nil {
			return fmt.Errorf("container %s: %w", c.config.Name, err)
		}
		c.state.NetNS = path
		c.state.Ports = ports
		return nil
	}
	if !post {
		if err := start(func() error { return network.NewNetNS(path) }); err != nil {
			return nil, nil, err
		}
		setNetNSPath(spec, path)
		return nil, func(int) error { return nil }, nil
	}
	setNetNSPath(spec, "")
	var once *error
	finish = func(pid int) error {
		if once == nil {
			err := fmt.Errorf("container %s: the container was not created", c.config.Name)
			if pid > 0 {
				err = start(func() error { return network.PinNetNS(path, pid) })
			}
			once = &err
		}
		return *once
	}
	return nil, finish, nil
}

// checkRootlessNetwork refuses, for a rootless engine, what an
// unprivileged user cannot have: host ports below
// net.ipv4.ip_unprivileged_port_start. A container that names no network
// gets pasta, as in podman 5; one that names networks (or bridge) is put
// on them in the rootless network namespace.
//
// For root, pasta is refused as in podman: pasta started by real root
// changes to nobody and then cannot enter the container's namespace.
func (r *Runtime) checkRootlessNetwork(cfg *define.ContainerConfig) error {
	if !r.cfg.Rootless {
		if tool, _, ok := network.IsUserMode(cfg.NetMode); ok && tool == network.ModePasta && !rootless.InUserNS() {
			return fmt.Errorf("pasta networking is only supported for rootless mode or when inside a nested userns: %w", define.ErrInvalidArg)
		}
		return nil
	}
	if cfg.NetMode == "" && len(cfg.Networks) == 0 {
		cfg.NetMode = network.ModePasta
	}
	start := unprivilegedPortStart()
	for _, p := range cfg.Ports {
		if p.HostPort != 0 && int(p.HostPort) < start {
			return fmt.Errorf("rootless berth cannot publish host port %d: ports below %d need root (net.ipv4.ip_unprivileged_port_start): %w", p.HostPort, start, define.ErrInvalidArg)
		}
	}
	return nil
}

// forwarderPIDFile is where the PID of the forwarder of a rootless
// container's published ports on user networks is kept.
func (c *Container) forwarderPIDFile() string {
	return filepath.Join(c.runtime.cfg.tmpDir(), "usernet", c.config.ID+".fwd.pid")
}

// startForwarderLocked forwards a rootless container's published ports
// (bound in files) to its address on its first network, in the rootless
// network namespace. The files are closed.
//
// Preconditions: c.lock is held.
func (c *Container) startForwarderLocked(ctx context.Context, files []*os.File, ports []define.PortMapping, res map[string]define.NetworkResult) error {
	defer network.CloseFiles(files)
	if len(files) == 0 {
		return nil
	}
	target := ""
	names := slices.Clone(c.config.Networks)
	for name := range res {
		names = append(names, name)
	}
	sort.Strings(names[len(c.config.Networks):])
	for _, name := range names {
		for _, ip := range res[name].IPs {
			if a, _, ok := strings.Cut(ip, "/"); ok && !strings.Contains(a, ":") && target == "" {
				target = a
			}
		}
	}
	if target == "" {
		return fmt.Errorf("container %s: no IPv4 address to forward the published ports to", c.config.Name)
	}
	return network.StartForwarder(ctx, network.ForwardOptions{
		NetNS: c.runtime.net.RootlessNetNS(), Target: target, Ports: ports, Files: files, PIDFile: c.forwarderPIDFile(),
	})
}

// defaultRootlessSysctls gives a rootless container with a network
// namespace of its own podman's default net.ipv4.ping_group_range "0 0"
// (containers.conf default_sysctls): without CAP_NET_RAW, ping then works
// through ICMP datagram sockets. A --sysctl of the user's wins. A
// container with a user namespace of its own (keep-id, nomap, --uidmap)
// gets none: its root has no say over a namespace berth made.
func (c *Container) defaultRootlessSysctls(spec *specs.Spec) {
	if !c.runtime.cfg.Rootless || spec.Linux == nil {
		return
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.UserNamespace {
			return
		}
	}
	if spec.Linux.Sysctl == nil {
		spec.Linux.Sysctl = map[string]string{}
	}
	if _, ok := spec.Linux.Sysctl["net.ipv4.ping_group_range"]; !ok {
		spec.Linux.Sysctl["net.ipv4.ping_group_range"] = "0 0"
	}
}

// unprivilegedPortStart is the first host port an unprivileged process may
// bind (1024 when the sysctl cannot be read).
func unprivilegedPortStart() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	if err != nil {
		return 1024
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 1024
	}
	return n
}
