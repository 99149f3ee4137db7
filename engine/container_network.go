package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/network"
	"github.com/berth-dev/berth/internal/etcfiles"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// isBridgeMode reports whether the container gets its own namespace
// connected to berth networks (the default), as opposed to none, host,
// another container's or a given namespace.
func (c *Container) isBridgeMode() bool {
	return c.config.NetMode == "" || c.config.NetMode == "bridge"
}

// netnsPath is where the container's pinned namespace lives.
func (c *Container) netnsPath() string {
	return filepath.Join(c.runtime.cfg.netnsDir(), c.config.ID)
}

// setupNetworkLocked gives the container its network namespace before
// the runtime creates it. In bridge mode that is a pinned namespace
// connected to the container's networks by one netavark call, with the
// published host ports bound; the returned sockets hold those ports and
// are handed to conmon, which keeps them for the container's lifetime.
// With --network container:X the spec gets X's namespace. none (runc
// makes a namespace with loopback up), host and ns:PATH need nothing.
//
// A container with a user namespace of its own gets its network
// namespace from the runtime instead, inside that user namespace, and
// finish(pid) pins and connects it after the create (podman's order):
// runc 1.1 enters the user namespace first on exec, and then may not
// enter a network namespace owned by the parent one.
//
// Preconditions: c.lock is held.
func (c *Container) setupNetworkLocked(ctx context.Context, spec *specs.Spec) (_ []*os.File, finish func(pid int) error, retErr error) {
	done := func(int) error { return nil }
	nb := c.runtime.net
	if nb == nil {
		return nil, done, nil
	}
	if id := c.config.Namespaces["net"]; id != "" {
		path, err := c.runtime.joinableNetNS(id)
		if err != nil {
			return nil, nil, err
		}
		if path == "" {
			// The owner runs in the host's namespace: so does c, with
			// none of its own (/proc/1's may not be open to berth).
			dropNetNS(spec)
			return nil, done, nil
		}
		setNetNSPath(spec, path)
		return nil, done, nil
	}
	post := hasUserNS(spec)
	if _, _, ok := network.IsUserMode(c.config.NetMode); ok {
		c.defaultRootlessSysctls(spec)
		return c.setupUserNetLocked(ctx, spec, post)
	}
	if !c.isBridgeMode() {
		return nil, done, nil
	}
	c.defaultRootlessSysctls(spec)
	// Whatever a previous run (or a killed berth) left goes first.
	if err := c.teardownNetworkLocked(ctx); err != nil {
		warnf("container %s: cleaning up stale networking: %v", c.config.Name, err)
	}
	files, ports, err := network.ReservePorts(c.config.Ports)
	if err != nil {
		return nil, nil, fmt.Errorf("container %s: %w", c.config.Name, err)
	}
	defer func() {
		if retErr != nil {
			network.CloseFiles(files)
		}
	}()
	path := c.netnsPath()
	if post {
		setNetNSPath(spec, "")
	} else {
		if err := network.NewNetNS(path); err != nil {
			return nil, nil, fmt.Errorf("container %s: %w", c.config.Name, err)
		}
		setNetNSPath(spec, path)
	}
	// A rootless container's ports are not netavark's (it runs in the
	// rootless namespace, not on the host) but a forwarder's, which gets
	// the sockets instead of conmon.
	netavarkPorts, fwdFiles := ports, []*os.File(nil)
	if c.runtime.cfg.Rootless {
		netavarkPorts, fwdFiles, files = nil, files, nil
	}
	type result struct {
		res map[string]define.NetworkResult
		err error
	}
	opts := network.SetupOptions{
		ContainerID:   c.config.ID,
		ContainerName: c.config.Name,
		NetNS:         path,
		Networks:      c.networksWithAliases(c.state.Networks),
		Ports:         netavarkPorts,
		DNSServers:    c.config.DNSServers,
	}
	// netavark runs while the OCI runtime creates the container in the
	// same (pinned) namespace: the two do not depend on each other, and
	// overlapping them takes a runtime create off the bridge run path.
	ch := make(chan result, 1)
	if !post {
		go func() {
			res, err := nb.Setup(ctx, opts)
			ch <- result{res, err}
		}()
	}
	var once *result
	finish = func(pid int) error {
		if once == nil {
			var r result
			switch {
			case !post:
				r = <-ch
			case pid <= 0:
				r.err = errors.New("the container was not created")
			default:
				if r.err = network.PinNetNS(path, pid); r.err == nil {
					r.res, r.err = nb.Setup(ctx, opts)
				}
			}
			if r.err == nil && c.runtime.cfg.Rootless {
				r.err = c.startForwarderLocked(ctx, fwdFiles, ports, r.res)
				if r.err != nil {
					_ = nb.Teardown(context.WithoutCancel(ctx), c.config.ID, nil)
				}
			}
			network.CloseFiles(fwdFiles)
			once = &r
			if r.err == nil {
				c.state.NetNS = path
				c.state.NetworkStatus = r.res
				c.state.Ports = ports
			} else {
				_ = network.RemoveNetNS(path)
			}
		}
		if once.err != nil {
			return fmt.Errorf("container %s: %w", c.config.Name, once.err)
		}
		return nil
	}
	return files, finish, nil
}

// hasUserNS reports whether spec puts the container in a user namespace
// other than berth's own, made by the runtime or joined.
func hasUserNS(spec *specs.Spec) bool {
	if spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.UserNamespace {
			return true
		}
	}
	return false
}

// networksWithAliases adds the short ID to every network's aliases, as
// docker does, so other containers can resolve it too.
func (c *Container) networksWithAliases(in map[string]define.PerNetworkOptions) map[string]define.PerNetworkOptions {
	out := map[string]define.PerNetworkOptions{}
	short := c.config.ID[:12]
	for name, o := range in {
		o.Aliases = append(slices.Clone(o.Aliases), short)
		out[name] = o
	}
	return out
}

// dropNetNS leaves the network namespace out of the spec: the host's.
func dropNetNS(spec *specs.Spec) {
	if spec.Linux != nil {
		spec.Linux.Namespaces = slices.DeleteFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.NetworkNamespace })
	}
}

func setNetNSPath(spec *specs.Spec, path string) {
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	for i, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace {
			spec.Linux.Namespaces[i].Path = path
			return
		}
	}
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: path})
}

// joinableNetNS returns the namespace of container id for another
// container to join: its pinned namespace, else its process's; "" when
// it is the host's (the joiner then has none of its own).
func (r *Runtime) joinableNetNS(id string) (string, error) {
	rec, err := r.state.Container(id)
	if err != nil {
		return "", fmt.Errorf("container %s whose network namespace is to be joined: %w", id, err)
	}
	target := &Container{config: rec.Config, state: rec.State, runtime: r, valid: true}
	target.peekExit()
	if id := target.config.Namespaces["net"]; id != "" {
		return r.joinableNetNS(id)
	}
	if target.config.NetMode == "host" {
		return "", nil
	}
	if p := target.state.NetNS; p != "" {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if strings.HasPrefix(target.config.NetMode, "ns:") {
		return strings.TrimPrefix(target.config.NetMode, "ns:"), nil
	}
	switch target.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusCreated:
		if target.alive() {
			return "/proc/" + strconv.Itoa(target.state.PID) + "/ns/net", nil
		}
	}
	return "", fmt.Errorf("container %s is not running, its network namespace cannot be joined: %w", target.config.Name, define.ErrCtrStateInvalid)
}

// teardownNetworkLocked undoes setupNetworkLocked: netavark teardown from
// the backend's record, then the pinned namespace. It is idempotent and
// cheap when there is nothing to undo (two stats), and works from the
// container's ID alone, so it also cleans up after a berth that was
// killed half-way through a setup.
//
// Preconditions: c.lock is held.
func (c *Container) teardownNetworkLocked(ctx context.Context) error {
	return c.startNetworkTeardownLocked(ctx)()
}

// startNetworkTeardownLocked starts what teardownNetworkLocked does (netavark,
// ~10 ms, then the namespace) and returns the function that waits for it and
// records the result in the state. The --rm removal overlaps it with the
// removal of the rootfs. The lock must stay held until wait returns.
func (c *Container) startNetworkTeardownLocked(ctx context.Context) (wait func() error) {
	nb := c.runtime.net
	if nb == nil {
		return func() error { return nil }
	}
	id, path := c.config.ID, c.netnsPath()
	done := make(chan error, 1)
	go func() {
		var errs []error
		network.StopUserNet(c.userNetPIDFile())
		network.StopForwarder(c.forwarderPIDFile())
		if nb.HasRecord(id) {
			if err := nb.Teardown(context.WithoutCancel(ctx), id, nil); err != nil {
				errs = append(errs, err)
			}
		}
		if _, err := os.Lstat(path); err == nil {
			if err := network.RemoveNetNS(path); err != nil {
				errs = append(errs, err)
			}
		}
		done <- errors.Join(errs...)
	}()
	return func() error {
		err := <-done
		c.state.NetNS = ""
		c.state.NetworkStatus = nil
		c.state.Ports = nil
		return err
	}
}

// hasLiveNetworkLocked reports whether the container's networking is set
// up now (it runs, or is created).
func (c *Container) hasLiveNetworkLocked() bool {
	return c.state.NetNS != "" && (c.state.Status == define.StatusRunning || c.state.Status == define.StatusPaused || c.state.Status == define.StatusCreated)
}

// Connect attaches the container to a network. A running container gets
// the new interface at once; a stopped one on its next start.
func (c *Container) Connect(ctx context.Context, netName string, opts define.PerNetworkOptions) error {
	n, err := c.runtime.Network(netName)
	if err != nil {
		return err
	}
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if !c.isBridgeMode() {
		return fmt.Errorf("container %s uses network mode %s and cannot be connected to networks: %w", c.config.Name, c.config.NetMode, define.ErrInvalidArg)
	}
	if _, ok := c.state.Networks[n.Name]; ok {
		return fmt.Errorf("container %s is already connected to network %s: %w", c.config.Name, n.Name, define.ErrNetworkExists)
	}
	if c.state.Status == define.StatusRemoving {
		return c.stateError("connect")
	}
	if c.hasLiveNetworkLocked() {
		opts.InterfaceName = ""
		res, err := c.runtime.net.Connect(ctx, c.config.ID, c.networksWithAliases(map[string]define.PerNetworkOptions{n.Name: opts}))
		if err != nil {
			return fmt.Errorf("container %s: %w", c.config.Name, err)
		}
		if c.state.NetworkStatus == nil {
			c.state.NetworkStatus = map[string]define.NetworkResult{}
		}
		for k, v := range res {
			c.state.NetworkStatus[k] = v
			opts.InterfaceName = v.Interface
		}
	}
	if c.state.Networks == nil {
		c.state.Networks = map[string]define.PerNetworkOptions{}
	}
	if opts.InterfaceName == "" {
		opts.InterfaceName = nextInterface(c.state.Networks)
	}
	c.state.Networks[n.Name] = opts
	if err := c.saveLocked(); err != nil {
		return err
	}
	c.refreshEtcFilesLocked()
	c.runtime.event(define.Event{Type: "network", Status: "connect", ID: n.ID, Name: n.Name, Time: time.Now(), Attributes: map[string]string{"container": c.config.ID}})
	return nil
}

// Disconnect detaches the container from a network, at once if it runs.
func (c *Container) Disconnect(ctx context.Context, netName string) error {
	n, err := c.runtime.Network(netName)
	if err != nil {
		return err
	}
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if _, ok := c.state.Networks[n.Name]; !ok || !c.isBridgeMode() {
		return fmt.Errorf("container %s is not connected to network %s: %w", c.config.Name, n.Name, define.ErrInvalidArg)
	}
	if c.hasLiveNetworkLocked() {
		if err := c.runtime.net.Teardown(ctx, c.config.ID, []string{n.Name}); err != nil {
			return fmt.Errorf("container %s: %w", c.config.Name, err)
		}
		delete(c.state.NetworkStatus, n.Name)
	}
	delete(c.state.Networks, n.Name)
	if err := c.saveLocked(); err != nil {
		return err
	}
	c.refreshEtcFilesLocked()
	c.runtime.event(define.Event{Type: "network", Status: "disconnect", ID: n.ID, Name: n.Name, Time: time.Now(), Attributes: map[string]string{"container": c.config.ID}})
	return nil
}

func nextInterface(have map[string]define.PerNetworkOptions) string {
	used := map[string]bool{}
	for _, o := range have {
		used[o.InterfaceName] = true
	}
	for i := 0; ; i++ {
		if name := fmt.Sprintf("eth%d", i); !used[name] {
			return name
		}
	}
}

// refreshEtcFilesLocked rewrites the generated /etc/hosts and
// /etc/resolv.conf of a running container after its networks changed.
// The files are rewritten in place, so the bind mounts see the change.
func (c *Container) refreshEtcFilesLocked() {
	if c.state.RunDir == "" || !c.hasLiveNetworkLocked() {
		return
	}
	c.rewriteEtcFilesLocked(c.state.RunDir, c.hostsSeed(c.state.Mountpoint))
}

// rewriteEtcFilesLocked regenerates the hosts and resolv.conf files that
// exist in runDir from the current network status; hostsSeed is the
// container's own /etc/hosts (see hostsSeed).
func (c *Container) rewriteEtcFilesLocked(runDir string, hostsSeed []byte) {
	if c.config.Namespaces["net"] != "" {
		return // the network's owner's files, copied at init (writeEtcFilesLocked)
	}
	hosts := filepath.Join(runDir, "hosts")
	if _, err := os.Stat(hosts); err == nil && !c.config.NoHosts && c.config.NetMode != "host" {
		hostAdd, _ := c.hostEntriesLocked()
		_ = os.WriteFile(hosts, etcfiles.Hosts(c.config.Hostname, c.containerIPs(), hostAdd, hostsSeed), 0o644)
	}
	resolv := filepath.Join(runDir, "resolv.conf")
	if _, err := os.Stat(resolv); err == nil {
		host, _ := os.ReadFile(etcfiles.HostResolvPath())
		_ = os.WriteFile(resolv, c.resolvConfLocked(host), 0o644)
	}
}

// resolvConfLocked renders the container's /etc/resolv.conf: on networks
// with DNS the name servers are aardvark-dns (which forwards what it does
// not know to --dns or the host's servers) with the networks' search
// domains; otherwise --dns or the host's servers.
func (c *Container) resolvConfLocked(hostResolv []byte) []byte {
	servers, search := c.config.DNSServers, c.config.DNSSearch
	var netServers, netSearch []string
	names := make([]string, 0, len(c.state.NetworkStatus))
	for name := range c.state.NetworkStatus {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		st := c.state.NetworkStatus[name]
		for _, s := range st.DNSServers {
			if !slices.Contains(netServers, s) {
				netServers = append(netServers, s)
			}
		}
		for _, s := range st.DNSSearch {
			if !slices.Contains(netSearch, s) {
				netSearch = append(netSearch, s)
			}
		}
	}
	if len(netServers) > 0 {
		servers = netServers
		if len(search) == 0 {
			search = netSearch
		}
	}
	return etcfiles.ResolvConf(hostResolv, servers, search, c.config.DNSOptions)
}

// ReloadNetwork re-applies a running container's networking (its
// firewall rules after a flush). It reports whether there was anything
// to reload.
func (c *Container) ReloadNetwork(ctx context.Context) (bool, error) {
	if err := c.lockSync(); err != nil {
		return false, err
	}
	defer c.lock.Unlock()
	if c.runtime.net == nil || !c.hasLiveNetworkLocked() || len(c.state.Networks) == 0 {
		return false, nil
	}
	res, err := c.runtime.net.Reload(ctx, c.config.ID)
	if err != nil {
		return false, err
	}
	if res != nil {
		c.state.NetworkStatus = res
		if err := c.saveLocked(); err != nil {
			return true, err
		}
	}
	return true, nil
}

// PortMappings returns the container's published ports: those in effect
// (random host ports resolved) while it runs, else the configured ones.
func (c *Container) PortMappings() ([]define.PortMapping, error) {
	if err := c.lockSync(); err != nil {
		return nil, err
	}
	defer c.lock.Unlock()
	return c.portMappingsLocked(), nil
}

func (c *Container) portMappingsLocked() []define.PortMapping {
	if c.hasLiveNetworkLocked() && c.state.Ports != nil {
		return c.state.Ports
	}
	return c.config.Ports
}

// Networks returns the names of the networks the container is attached
// to, sorted.
func (c *Container) Networks() []string {
	var out []string
	for n := range c.state.Networks {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
