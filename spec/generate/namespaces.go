package generate

import (
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/spec"
)

// NetworkMode parses the --network values into a mode and the named
// networks to join. Modes: "" (nothing given: the engine's default),
// "bridge", "none", "host", "container:X", "ns:PATH"; any other value
// names a network and implies "bridge". Only named networks (and
// "bridge") may be combined.
func NetworkMode(values []string) (mode string, networks []string, err error) {
	for _, v := range values {
		// podman accepts "name:options" for named networks; the options
		// come with the networking work, so only the name is kept.
		name := v
		switch {
		case v == "":
			return "", nil, invalid("--network %q: empty network name", v)
		case v == "none", v == "host", v == "private":
			if v == "private" {
				name = "bridge"
			}
			if len(values) > 1 {
				return "", nil, invalid("--network %q: cannot be combined with other networks", v)
			}
			return name, nil, nil
		case strings.HasPrefix(v, "container:"):
			if len(values) > 1 || v == "container:" {
				return "", nil, invalid("--network %q: needs one container and cannot be combined with other networks", v)
			}
			return v, nil, nil
		case strings.HasPrefix(v, "ns:"):
			if len(values) > 1 || !strings.HasPrefix(v, "ns:/") {
				return "", nil, invalid("--network %q: needs an absolute namespace path and cannot be combined with other networks", v)
			}
			return v, nil, nil
		case v == "bridge":
			mode = "bridge"
		case v == "slirp4netns", v == "pasta", strings.HasPrefix(v, "slirp4netns:"), strings.HasPrefix(v, "pasta:"):
			if len(values) > 1 {
				return "", nil, invalid("--network %q: cannot be combined with other networks", v)
			}
			return v, nil, nil
		default:
			if i := strings.IndexByte(v, ':'); i > 0 {
				name = v[:i]
			}
			mode = "bridge"
			networks = append(networks, name)
		}
	}
	return mode, networks, nil
}

// NamespaceMode is one parsed --pid, --ipc, --uts or --cgroupns value.
type NamespaceMode struct {
	// Mode is "private", "host", "container", "ns", or for IPC also
	// "shareable" and "none".
	Mode string
	// Value is the container for "container", the path for "ns".
	Value string
}

// ParseNamespace parses the value of namespace flag (pid, ipc, uts or
// cgroupns) with podman's rules and words. "" gives def.
func ParseNamespace(flag, value, def string) (NamespaceMode, error) {
	switch {
	case value == "":
		return NamespaceMode{Mode: def}, nil
	case value == "host", value == "private":
		return NamespaceMode{Mode: value}, nil
	case flag == "ipc" && (value == engine.IPCShareable || value == engine.IPCNone):
		return NamespaceMode{Mode: value}, nil
	case strings.HasPrefix(value, "container:"):
		ctr := strings.TrimPrefix(value, "container:")
		if ctr == "" {
			return NamespaceMode{}, invalid("--%s %q: must provide name or ID or a container when specifying \"container:\"", flag, value)
		}
		return NamespaceMode{Mode: "container", Value: ctr}, nil
	case strings.HasPrefix(value, "ns:"):
		p := strings.TrimPrefix(value, "ns:")
		if !strings.HasPrefix(p, "/") {
			return NamespaceMode{}, invalid("--%s %q: must provide an absolute path to a namespace when specifying \"ns:\"", flag, value)
		}
		return NamespaceMode{Mode: "ns", Value: path.Clean(p)}, nil
	}
	return NamespaceMode{}, invalid("--%s %q: unrecognized namespace mode %s passed", flag, value, value)
}

// namespaces sets the container's namespaces from --pid, --ipc, --uts,
// --cgroupns and --network (mount: always its own), and records
// networking intent. A namespace of another container is joined through
// engine.WithSharedNamespace, which fills the path in at init; "host"
// leaves the namespace out of the spec; ns:PATH sets the path. The network
// namespace has no path: the engine creates it and fills the path in,
// except for --network ns:PATH and host (no namespace at all). The cgroup
// namespace is podman's default: private on cgroup v2, host on v1.
func namespaces(g *specs.Spec, s *spec.ContainerSpec, host *Host, add func(...engine.CtrOption)) error {
	cgroupDefault := "host"
	if host.CgroupV2 {
		cgroupDefault = "private"
	}
	flags := []struct {
		flag, kind, value, def string
		typ                    specs.LinuxNamespaceType
	}{
		{"pid", "pid", s.Pid, "private", specs.PIDNamespace},
		{"ipc", "ipc", s.IPC, engine.IPCShareable, specs.IPCNamespace},
		{"uts", "uts", s.UTS, "private", specs.UTSNamespace},
		{"cgroupns", "cgroup", s.CgroupNS, cgroupDefault, specs.CgroupNamespace},
	}
	modes := map[string]NamespaceMode{}
	for _, f := range flags {
		m, err := ParseNamespace(f.flag, f.value, f.def)
		if err != nil {
			return err
		}
		modes[f.kind] = m
	}
	if s.Hostname != "" && modes["uts"].Mode != "private" {
		return invalid("cannot set hostname when running in the host UTS namespace")
	}
	if err := networkIntent(s, add); err != nil {
		return err
	}
	mode, _, _ := NetworkMode(s.Network) // checked by network

	g.Linux.Namespaces = nil
	for _, f := range flags {
		m := modes[f.kind]
		switch m.Mode {
		case "host":
			continue
		case "container":
			add(engine.WithSharedNamespace(f.kind, m.Value))
			g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: f.typ})
		case "ns":
			g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: f.typ, Path: m.Value})
		default:
			g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: f.typ})
		}
	}
	g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.MountNamespace})
	switch {
	case mode == "host":
	case strings.HasPrefix(mode, "ns:"):
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: strings.TrimPrefix(mode, "ns:")})
	default:
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace})
	}
	switch ipc := modes["ipc"]; ipc.Mode {
	case engine.IPCPrivate, engine.IPCNone, engine.IPCHost:
		add(engine.WithIPCMode(ipc.Mode))
	case "ns":
		// Not the container's own namespace: nothing to share.
		add(engine.WithIPCMode(engine.IPCPrivate))
	}
	return nil
}

// shmMount makes /dev/shm follow --ipc, after mounts placed the default
// tmpfs (unless the user mounted something there): none has no /dev/shm,
// host binds the host's; the engine turns the tmpfs into a bind of a host
// mount for the default shareable mode and for container:X.
func shmMount(g *specs.Spec, ipc string) {
	for i, m := range g.Mounts {
		if !engine.IsDefaultShm(m) {
			continue
		}
		switch ipc {
		case engine.IPCNone:
			g.Mounts = append(g.Mounts[:i], g.Mounts[i+1:]...)
		case engine.IPCHost:
			g.Mounts[i] = specs.Mount{Destination: "/dev/shm", Type: "bind", Source: "/dev/shm", Options: []string{"rbind", "nosuid", "noexec", "nodev"}}
		}
		return
	}
}

// networkIntent checks the networking flags and records them.
func networkIntent(s *spec.ContainerSpec, add func(...engine.CtrOption)) error {
	mode, networks, err := NetworkMode(s.Network)
	if err != nil {
		return err
	}
	for _, h := range s.AddHost {
		if err := spec.ValidateAddHost(h); err != nil {
			return err
		}
	}
	if s.NoHosts && len(s.AddHost) > 0 {
		return invalid("--no-hosts and --add-host cannot be used together")
	}
	if mode == "none" || strings.HasPrefix(mode, "container:") {
		if len(s.DNS) > 0 || len(s.DNSSearch) > 0 || len(s.DNSOption) > 0 {
			return invalid("--dns* options cannot be used with --network %s", mode)
		}
	}
	if len(s.Ports) > 0 && (mode == "none" || mode == "host" || strings.HasPrefix(mode, "container:")) {
		return invalid("--publish cannot be used with --network %s", mode)
	}
	add(engine.WithNetMode(mode, networks))
	if len(s.DNS) > 0 || len(s.DNSSearch) > 0 || len(s.DNSOption) > 0 {
		add(engine.WithDNS(s.DNS, s.DNSSearch, s.DNSOption))
	}
	if len(s.AddHost) > 0 || s.NoHosts {
		add(engine.WithHosts(s.AddHost, s.NoHosts))
	}

	return nil
}
