package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Namespace kinds a container can share with another through
// WithSharedNamespace, as /proc/PID/ns names them; each maps to the OCI
// spec's namespace type.
var joinableKinds = map[string]specs.LinuxNamespaceType{
	"net":    specs.NetworkNamespace,
	"ipc":    specs.IPCNamespace,
	"uts":    specs.UTSNamespace,
	"pid":    specs.PIDNamespace,
	"cgroup": specs.CgroupNamespace,
	"user":   specs.UserNamespace,
}

// IPC modes (ContainerConfig.IpcMode). "" is IPCShareable, podman's
// default since 4.1.
const (
	// IPCShareable: a private IPC namespace whose /dev/shm is a tmpfs
	// mounted on the host, so that containers joining it share it too.
	IPCShareable = "shareable"
	// IPCPrivate: a private IPC namespace and /dev/shm that no other
	// container may join.
	IPCPrivate = "private"
	// IPCNone: a private IPC namespace without /dev/shm.
	IPCNone = "none"
	// IPCHost: the host's IPC namespace and /dev/shm.
	IPCHost = "host"
)

// joinNamespacesLocked points the spec at the namespaces the container
// shares with others (all but the network one, which setupNetworkLocked
// handles): the target's process's /proc/PID/ns/KIND. The targets were
// started first (they are dependencies), so a target that is not running
// now exited on its own and there is nothing to join.
//
// Preconditions: c.lock is held.
func (c *Container) joinNamespacesLocked(spec *specs.Spec) error {
	for kind, id := range c.config.Namespaces {
		if kind == "net" {
			continue
		}
		typ, ok := joinableKinds[kind]
		if !ok {
			return fmt.Errorf("container %s: cannot join a %q namespace: %w", c.config.Name, kind, define.ErrInvalidArg)
		}
		target, err := c.runtime.peekContainer(id, kind)
		if err != nil {
			return err
		}
		if !target.isLive() {
			return fmt.Errorf("container %s is not running, its %s namespace cannot be joined: %w", target.config.Name, kind, define.ErrCtrStateInvalid)
		}
		setNamespacePath(spec, typ, "/proc/"+strconv.Itoa(target.state.PID)+"/ns/"+kind)
	}
	return nil
}

// joinTargetsGone explains a failed runtime create of a container that
// joins others' namespaces: an owner that exited between the check and
// runc's open of its namespace is "not running", not a missing command.
func (c *Container) joinTargetsGone() error {
	for kind, id := range c.config.Namespaces {
		if kind == "net" {
			if _, err := c.runtime.joinableNetNS(id); err != nil {
				return err
			}
			continue
		}
		target, err := c.runtime.peekContainer(id, kind)
		if err != nil {
			return err
		}
		if !target.isLive() {
			return fmt.Errorf("container %s is not running, its %s namespace cannot be joined: %w", target.config.Name, kind, define.ErrCtrStateInvalid)
		}
	}
	return nil
}

// peekContainer reads container id's record without its lock, to look at
// a namespace owner: taking a sibling's lock while c's is held would break
// the lock order, and a stale view only makes the join fail.
func (r *Runtime) peekContainer(id, kind string) (*Container, error) {
	rec, err := r.state.Container(id)
	if err != nil {
		return nil, fmt.Errorf("container %s whose %s namespace is to be joined: %w", id, kind, err)
	}
	target := &Container{config: rec.Config, state: rec.State, runtime: r, valid: true}
	target.peekExit()
	return target, nil
}

// isLive reports whether the container's process exists, so that its
// namespaces can be joined (a Created container's process waits in the
// runtime with its namespaces made).
func (c *Container) isLive() bool {
	switch c.state.Status {
	case define.StatusRunning, define.StatusPaused, define.StatusCreated:
		return c.alive()
	}
	return false
}

func setNamespacePath(spec *specs.Spec, typ specs.LinuxNamespaceType, path string) {
	if spec.Linux == nil {
		spec.Linux = &specs.Linux{}
	}
	for i, ns := range spec.Linux.Namespaces {
		if ns.Type == typ {
			spec.Linux.Namespaces[i].Path = path
			return
		}
	}
	spec.Linux.Namespaces = append(spec.Linux.Namespaces, specs.LinuxNamespace{Type: typ, Path: path})
}

// checkIPCJoinable refuses, at create, to join the IPC namespace of a
// container that keeps it private, with podman's words.
func (r *Runtime) checkIPCJoinable(cfg *define.ContainerConfig) error {
	id := cfg.Namespaces["ipc"]
	if id == "" {
		return nil
	}
	rec, err := r.state.Container(id)
	if err != nil {
		return err
	}
	if rec.Config.IpcMode == IPCPrivate {
		return fmt.Errorf("joining IPC of container %s is not allowed: non-shareable IPC (hint: use IpcMode:shareable for the donor container): %w", id, define.ErrInvalidArg)
	}
	return nil
}

// shmDir is where a shareable container's /dev/shm is mounted on the
// host, for the containers that join its IPC namespace to bind too.
func (c *Container) shmDir() string { return filepath.Join(c.bundleDir(), "shm") }

// IsDefaultShm reports whether m is the /dev/shm tmpfs spec/generate
// gives every container (not one the user mounted there).
func IsDefaultShm(m specs.Mount) bool {
	return m.Destination == "/dev/shm" && m.Type == "tmpfs" && m.Source == "shm"
}

// setupShmLocked gives the container its /dev/shm. A shareable container
// (the default) gets a tmpfs mounted on the host under its bundle and
// bound into it; a container joining another's IPC namespace binds that
// one's (or has none if the owner has none). A private container keeps
// the tmpfs the runtime mounts inside it. The returned undo unmounts what
// was mounted here.
//
// Preconditions: c.lock is held; the bundle directory exists.
func (c *Container) setupShmLocked(spec *specs.Spec) (undo func(), err error) {
	undo = func() {}
	i := -1
	for j, m := range spec.Mounts {
		if IsDefaultShm(m) {
			i = j
			break
		}
	}
	if i < 0 {
		return undo, nil
	}
	if id := c.config.Namespaces["ipc"]; id != "" {
		src, err := c.runtime.shmSource(id)
		if err != nil {
			return undo, err
		}
		if src == "" {
			spec.Mounts = append(spec.Mounts[:i], spec.Mounts[i+1:]...)
			return undo, nil
		}
		spec.Mounts[i] = shmBind(src)
		return undo, nil
	}
	if mode := c.config.IpcMode; mode != "" && mode != IPCShareable {
		return undo, nil
	}
	dir := c.shmDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return undo, err
	}
	c.unmountShm() // what a killed berth may have left
	opts := "mode=1777,size=" + strconv.FormatInt(shmSize(c.config.ShmSize), 10)
	if err := unix.Mount("shm", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC|unix.MS_NODEV, opts); err != nil {
		return undo, fmt.Errorf("container %s: mounting /dev/shm: %w", c.config.Name, err)
	}
	spec.Mounts[i] = shmBind(dir)
	return c.unmountShm, nil
}

// shmSource returns the host directory holding the /dev/shm of container
// id, whose IPC namespace is joined: its own shm mount, the host's
// /dev/shm, or, through a chain of joins, the first owner's. "" means the
// owner has no /dev/shm to share.
func (r *Runtime) shmSource(id string) (string, error) {
	for range 16 {
		rec, err := r.state.Container(id)
		if err != nil {
			return "", fmt.Errorf("container %s whose ipc namespace is to be joined: %w", id, err)
		}
		if next := rec.Config.Namespaces["ipc"]; next != "" {
			id = next
			continue
		}
		switch rec.Config.IpcMode {
		case IPCHost:
			return "/dev/shm", nil
		case "", IPCShareable:
			dir := filepath.Join(r.cfg.bundleRoot(), rec.Config.ID, "shm")
			if st, err := os.Stat(dir); err == nil && st.IsDir() {
				return dir, nil
			}
		}
		return "", nil
	}
	return "", fmt.Errorf("container %s: ipc namespace chain too long: %w", id, define.ErrInvalidArg)
}

func shmBind(src string) specs.Mount {
	return specs.Mount{Destination: "/dev/shm", Type: "bind", Source: src, Options: []string{"rbind", "nosuid", "noexec", "nodev"}}
}

// shmSize is the /dev/shm size: --shm-size, else podman's 64m.
func shmSize(n int64) int64 {
	if n > 0 {
		return n
	}
	return 64 << 20
}

// unmountShm detaches the host mount of the container's /dev/shm, if
// there is one. Containers that bound it keep theirs until they exit.
func (c *Container) unmountShm() {
	err := unix.Unmount(c.shmDir(), unix.MNT_DETACH)
	if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		warnf("container %s: unmounting /dev/shm: %v", c.config.Name, err)
	}
}

// hasOwnUTS reports whether the spec makes a new UTS namespace, the only
// case where the runtime may set a hostname.
func hasOwnUTS(spec *specs.Spec) bool {
	if spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.UTSNamespace {
			return ns.Path == ""
		}
	}
	return false
}

// utsHostname gives a container that joins another's UTS namespace that
// container's hostname (for /etc/hostname, /etc/hosts and $HOSTNAME), as
// podman does; one in the host's gets the host's. The spec sets none: the
// runtime cannot set a hostname in a namespace it does not make.
func (r *Runtime) utsHostname(cfg *define.ContainerConfig, spec *specs.Spec) error {
	id := cfg.Namespaces["uts"]
	if id == "" {
		if !hasOwnUTS(spec) && cfg.Hostname == "" && spec.Hostname == "" {
			cfg.Hostname, _ = os.Hostname()
		}
		return nil
	}
	if spec.Hostname != "" {
		return fmt.Errorf("cannot set hostname when running in the host UTS namespace: %w", define.ErrInvalidArg)
	}
	rec, err := r.state.Container(id)
	if err != nil {
		return err
	}
	cfg.Hostname = rec.Config.Hostname
	if cfg.Hostname == "" {
		// The owner set none: its namespace kept the host's name.
		cfg.Hostname, _ = os.Hostname()
	}
	if spec.Process != nil && !hasEnv(spec.Process.Env, "HOSTNAME") {
		spec.Process.Env = append(spec.Process.Env, "HOSTNAME="+cfg.Hostname)
	}
	return nil
}

// namespaceMode is what inspect shows as HostConfig.PidMode, IpcMode,
// UTSMode and CgroupMode, in podman's words: "container:ID" for a shared
// namespace, "host" when the spec makes none, "ns:PATH" for a given one,
// else "private" (for IPC: the IPC mode, "shareable" by default).
func namespaceMode(cfg *define.ContainerConfig, spec *specs.Spec, kind string) string {
	if id := cfg.Namespaces[kind]; id != "" {
		return "container:" + id
	}
	if spec.Linux == nil {
		return "host"
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type != joinableKinds[kind] {
			continue
		}
		if ns.Path != "" {
			return "ns:" + ns.Path
		}
		if kind == "ipc" {
			if cfg.IpcMode == "" {
				return IPCShareable
			}
			return cfg.IpcMode
		}
		return "private"
	}
	if kind == "ipc" && cfg.IpcMode == IPCHost {
		return IPCHost
	}
	return "host"
}
