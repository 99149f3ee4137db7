package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/network"
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
// tool binds them itself.
//
// Preconditions: c.lock is held.
func (c *Container) setupUserNetLocked(ctx context.Context, spec *specs.Spec) (retErr error) {
	if err := c.teardownNetworkLocked(ctx); err != nil {
		warnf("container %s: cleaning up stale networking: %v", c.config.Name, err)
	}
	files, ports, err := network.ReservePorts(c.config.Ports)
	network.CloseFiles(files)
	if err != nil {
		return fmt.Errorf("container %s: %w", c.config.Name, err)
	}
	path := c.netnsPath()
	if err := network.NewNetNS(path); err != nil {
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
	setNetNSPath(spec, path)
	c.state.NetNS = path
	c.state.Ports = ports
	return nil
}

// checkRootlessNetwork refuses, for a rootless engine, what an
// unprivileged user cannot have: named (bridge) networks, and host ports
// below net.ipv4.ip_unprivileged_port_start. A container that names no
// network gets pasta.
func (r *Runtime) checkRootlessNetwork(cfg *define.ContainerConfig) error {
	if !r.cfg.Rootless {
		return nil
	}
	if cfg.NetMode == "" && len(cfg.Networks) == 0 {
		cfg.NetMode = network.ModePasta
	}
	if cfg.NetMode == "" || cfg.NetMode == "bridge" {
		return fmt.Errorf("rootless berth has no bridge networks yet: use --network pasta, slirp4netns, none, host or container:NAME: %w", define.ErrInvalidArg)
	}
	start := unprivilegedPortStart()
	for _, p := range cfg.Ports {
		if p.HostPort != 0 && int(p.HostPort) < start {
			return fmt.Errorf("rootless berth cannot publish host port %d: ports below %d need root (net.ipv4.ip_unprivileged_port_start): %w", p.HostPort, start, define.ErrInvalidArg)
		}
	}
	return nil
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
