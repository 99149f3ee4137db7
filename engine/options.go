package engine

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/idgen"
)

// CtrOption changes a container's configuration before it is persisted.
// Options are plain functions over the record, so they can be unit-tested
// without a runtime.
type CtrOption func(*define.ContainerConfig) error

// WithID gives the container the ID spec/generate chose, so that the
// spec can name its cgroup and default hostname after it; without it
// NewContainer picks one.
func WithID(id string) CtrOption {
	return func(c *define.ContainerConfig) error {
		if !idgen.IsID(id) {
			return fmt.Errorf("container ID %q: must be 64 lowercase hex digits: %w", id, define.ErrInvalidArg)
		}
		c.ID = id
		return nil
	}
}

// WithName sets the container's name; an empty name keeps the generated one.
func WithName(name string) CtrOption {
	return func(c *define.ContainerConfig) error {
		if name == "" {
			return nil
		}
		if err := ValidateName(name); err != nil {
			return err
		}
		c.Name = name
		return nil
	}
}

// ValidateName checks a container name against docker's pattern
// [a-zA-Z0-9][a-zA-Z0-9_.-]*.
func ValidateName(name string) error {
	ok := len(name) > 0
	for i, r := range name {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || !strings.ContainsRune("_.-", r)) {
			ok = false
			break
		}
	}
	if !ok {
		return fmt.Errorf("container name %q: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: %w", name, define.ErrInvalidArg)
	}
	return nil
}

// WithImage records the image the container's rootfs comes from.
func WithImage(id, name string) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.ImageID, c.ImageName = id, name
		return nil
	}
}

// WithRootfs uses a host directory as the container's root.
func WithRootfs(dir string) CtrOption {
	return func(c *define.ContainerConfig) error { c.Rootfs = dir; return nil }
}

// WithLabels sets the container's labels.
func WithLabels(l map[string]string) CtrOption {
	return func(c *define.ContainerConfig) error { c.Labels = l; return nil }
}

// WithCommand records the entrypoint and cmd the container runs.
func WithCommand(entrypoint, cmd []string) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.Entrypoint, c.Cmd = entrypoint, cmd
		c.Command = append(append([]string{}, entrypoint...), cmd...)
		return nil
	}
}

// WithUser sets the user as given on the command line; the engine resolves
// it against the container's /etc/passwd when the rootfs is mounted.
func WithUser(u string) CtrOption {
	return func(c *define.ContainerConfig) error { c.User = u; return nil }
}

// WithStopSignal sets the signal `stop` sends first.
func WithStopSignal(sig uint) CtrOption {
	return func(c *define.ContainerConfig) error {
		if sig == 0 || sig > 64 {
			return fmt.Errorf("stop signal %d out of range: %w", sig, define.ErrInvalidArg)
		}
		c.StopSignal = sig
		return nil
	}
}

// WithStopTimeout sets the seconds `stop` waits before SIGKILL.
func WithStopTimeout(t uint) CtrOption {
	return func(c *define.ContainerConfig) error { c.StopTimeout = t; return nil }
}

// WithTerminal allocates a pty for the container.
func WithTerminal(tty, stdin bool) CtrOption {
	return func(c *define.ContainerConfig) error { c.Terminal, c.Stdin = tty, stdin; return nil }
}

// WithAutoRemove removes the container when it exits (--rm).
func WithAutoRemove() CtrOption {
	return func(c *define.ContainerConfig) error { c.AutoRemove = true; return nil }
}

// WithRestartPolicy sets the restart policy ("no", "always", "on-failure",
// "unless-stopped") and the retry limit for on-failure.
func WithRestartPolicy(policy string, max uint) CtrOption {
	return func(c *define.ContainerConfig) error {
		switch policy {
		case "", "no", "always", "on-failure", "unless-stopped":
		default:
			return fmt.Errorf("invalid restart policy %q: %w", policy, define.ErrInvalidArg)
		}
		if max > 0 && policy != "on-failure" {
			return fmt.Errorf("restart retries are only allowed with the on-failure policy: %w", define.ErrInvalidArg)
		}
		c.Restart, c.RestartMax = policy, max
		return nil
	}
}

// WithCgroupParent places the container's cgroup under parent.
func WithCgroupParent(parent string) CtrOption {
	return func(c *define.ContainerConfig) error { c.CgroupParent = parent; return nil }
}

// WithCgroupsMode records podman's --cgroups mode ("split" or
// "disabled"; "" and "enabled" are the default).
func WithCgroupsMode(mode string) CtrOption {
	return func(c *define.ContainerConfig) error {
		switch mode {
		case "", "enabled", "no-conmon":
			c.CgroupsMode = ""
		case "split", "disabled":
			c.CgroupsMode = mode
		default:
			return fmt.Errorf("invalid cgroup mode %q: %w", mode, define.ErrInvalidArg)
		}
		return nil
	}
}

// WithShmSize sets the size of the private /dev/shm tmpfs in bytes.
func WithShmSize(n int64) CtrOption {
	return func(c *define.ContainerConfig) error { c.ShmSize = n; return nil }
}

// WithInit runs a bundled init (catatonit) as PID 1 in front of the command.
func WithInit(path string) CtrOption {
	return func(c *define.ContainerConfig) error { c.Init, c.InitPath = true, path; return nil }
}

// WithHostname records the container's hostname (also set in the spec).
func WithHostname(h string) CtrOption {
	return func(c *define.ContainerConfig) error { c.Hostname = h; return nil }
}

// WithDNS sets resolv.conf contents: servers, search domains and options.
func WithDNS(servers, search, options []string) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.DNSServers, c.DNSSearch, c.DNSOptions = servers, search, options
		return nil
	}
}

// WithHosts adds "name:ip" entries to /etc/hosts, or disables the generated
// /etc/hosts with noHosts.
func WithHosts(add []string, noHosts bool) CtrOption {
	return func(c *define.ContainerConfig) error { c.HostAdd, c.NoHosts = add, noHosts; return nil }
}

// WithNetMode sets the network mode ("", "bridge", "none", "host",
// "container:ID", "ns:PATH") and the named networks to join.
func WithNetMode(mode string, networks []string) CtrOption {
	return func(c *define.ContainerConfig) error { c.NetMode, c.Networks = mode, networks; return nil }
}

// WithPorts publishes ports.
func WithPorts(p []define.PortMapping) CtrOption {
	return func(c *define.ContainerConfig) error { c.Ports = p; return nil }
}

// WithExposed records the exposed ports ("80/tcp").
func WithExposed(e map[string]struct{}) CtrOption {
	return func(c *define.ContainerConfig) error { c.Exposed = e; return nil }
}

// WithSeccomp selects the seccomp profile: "" default, "unconfined", a path.
func WithSeccomp(profile string) CtrOption {
	return func(c *define.ContainerConfig) error { c.Seccomp = profile; return nil }
}

// WithPrivileged marks the container privileged.
func WithPrivileged() CtrOption {
	return func(c *define.ContainerConfig) error { c.Privileged = true; return nil }
}

// WithReadOnly mounts the rootfs read-only.
func WithReadOnly() CtrOption {
	return func(c *define.ContainerConfig) error { c.ReadOnly = true; return nil }
}

// WithOCIRuntime selects the OCI runtime by name or path.
func WithOCIRuntime(name string) CtrOption {
	return func(c *define.ContainerConfig) error { c.OCIRuntime = name; return nil }
}

// WithLogDriver sets the log driver ("k8s-file", "journald", "syslog",
// "passthrough", "none") and optional path. syslog's options are checked
// by WithLogOptions.
func WithLogDriver(driver, path string) CtrOption {
	return func(c *define.ContainerConfig) error {
		switch driver {
		case "", "k8s-file", "none", "passthrough":
		case "syslog":
			if c.Terminal {
				return errSyslogTerminal
			}
		case "journald":
			if err := journalAvailable(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unsupported log driver %q: %w", driver, define.ErrInvalidArg)
		}
		c.LogDriver, c.LogPath = driver, path
		return nil
	}
}

// WithUserVolumes records the destinations of user-requested mounts.
func WithUserVolumes(dests []string) CtrOption {
	return func(c *define.ContainerConfig) error { c.UserVolumes = dests; return nil }
}

// WithVolumes sets the named and anonymous (Name "") volumes the
// container mounts; NewContainer creates the anonymous ones and the named
// ones that do not exist yet.
func WithVolumes(vols []define.VolumeMount) CtrOption {
	return func(c *define.ContainerConfig) error { c.Volumes = vols; return nil }
}

// WithImageMounts mounts images' root filesystems (--mount type=image);
// NewContainer resolves each image.
func WithImageMounts(ms []define.ImageMount) CtrOption {
	return func(c *define.ContainerConfig) error { c.ImageMounts = ms; return nil }
}

// WithVolumesFrom mounts the volumes and bind mounts of other containers
// (CTR[:ro|rw], docker's --volumes-from), resolved by NewContainer.
func WithVolumesFrom(refs []string) CtrOption {
	return func(c *define.ContainerConfig) error { c.VolumesFrom = refs; return nil }
}

// WithRequires adds containers (names or IDs) that must start before
// this one (--requires); they become its dependencies.
func WithRequires(refs []string) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.Dependencies = append(c.Dependencies, refs...)
		return nil
	}
}

// WithIPCMode sets how the container's IPC namespace and /dev/shm are
// made: IPCShareable (the default), IPCPrivate, IPCNone or IPCHost. The
// spec's namespaces and mounts must agree (spec/generate makes both).
func WithIPCMode(mode string) CtrOption {
	return func(c *define.ContainerConfig) error {
		switch mode {
		case "", IPCShareable, IPCPrivate, IPCNone, IPCHost:
			c.IpcMode = mode
			return nil
		}
		return fmt.Errorf("unknown IPC mode %q: %w", mode, define.ErrInvalidArg)
	}
}

// WithCreateCommand records the command line that created the container.
func WithCreateCommand(argv []string) CtrOption {
	return func(c *define.ContainerConfig) error { c.CreateCommand = argv; return nil }
}

// WithSharedNamespace joins namespace kind ("net", "ipc", "uts", "pid" or
// "cgroup") of another container (name or ID), which becomes a dependency:
// it is started first, and at init the spec gets its process's namespace
// (net: its pinned one). Joining "ipc" also shares its /dev/shm. This is
// the one way to join a container's namespace, for --pid container:X as
// for the containers of a pod.
func WithSharedNamespace(kind, ctrID string) CtrOption {
	return func(c *define.ContainerConfig) error {
		if _, ok := joinableKinds[kind]; !ok {
			return fmt.Errorf("cannot join a %q namespace: %w", kind, define.ErrInvalidArg)
		}
		if ctrID == "" {
			return fmt.Errorf("joining a %s namespace needs a container: %w", kind, define.ErrInvalidArg)
		}
		if c.Namespaces == nil {
			c.Namespaces = map[string]string{}
		}
		c.Namespaces[kind] = ctrID
		return nil
	}
}

// WithPod makes the container a member of a pod (name or ID): it joins
// the namespaces the pod shares and lives in the pod's cgroup.
func WithPod(nameOrID string) CtrOption {
	return func(c *define.ContainerConfig) error { c.Pod = nameOrID; return nil }
}

// WithHealth gives the container a healthcheck (nil: none). The settings
// come complete from spec/generate (defaults applied); the engine checks
// only what it relies on.
func WithHealth(h *define.HealthSettings) CtrOption {
	return func(c *define.ContainerConfig) error {
		if h == nil || h.Check.Disabled() {
			c.Health = nil
			return nil
		}
		if err := define.ValidHealthOnFailure(h.OnFailure); err != nil {
			return err
		}
		if h.Check.Interval < 0 || h.Check.Timeout < 0 || h.Check.StartPeriod < 0 || h.Check.Retries < 0 {
			return fmt.Errorf("healthcheck durations and retries must not be negative: %w", define.ErrInvalidArg)
		}
		if h.LogDestination != "" && h.LogDestination != define.HealthLogLocal &&
			h.LogDestination != define.HealthLogEvents && !filepath.IsAbs(h.LogDestination) {
			return fmt.Errorf("healthcheck log destination %q must be local, events_logger or an absolute directory: %w", h.LogDestination, define.ErrInvalidArg)
		}
		c.Health = h
		return nil
	}
}
