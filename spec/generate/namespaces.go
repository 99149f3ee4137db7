package generate

import (
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
			return "", nil, invalid("--network %q: rootless networking is not supported yet", v)
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

// namespaces sets the pid, ipc, uts, mount and network namespaces (and
// cgroup on cgroup v2, as podman does), and records networking intent.
// The network namespace has no path: the engine creates it and fills the
// path in, except for --network ns:PATH and host (no namespace at all).
func namespaces(g *specs.Spec, s *spec.ContainerSpec, host *Host, add func(...engine.CtrOption)) error {
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
	if len(s.Publish) > 0 && (mode == "none" || mode == "host" || strings.HasPrefix(mode, "container:")) {
		return invalid("--publish cannot be used with --network %s", mode)
	}
	add(engine.WithNetMode(mode, networks))
	if len(s.DNS) > 0 || len(s.DNSSearch) > 0 || len(s.DNSOption) > 0 {
		add(engine.WithDNS(s.DNS, s.DNSSearch, s.DNSOption))
	}
	if len(s.AddHost) > 0 || s.NoHosts {
		add(engine.WithHosts(s.AddHost, s.NoHosts))
	}

	g.Linux.Namespaces = []specs.LinuxNamespace{
		{Type: specs.PIDNamespace},
		{Type: specs.IPCNamespace},
		{Type: specs.UTSNamespace},
		{Type: specs.MountNamespace},
	}
	switch {
	case mode == "host":
	case strings.HasPrefix(mode, "ns:"):
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: strings.TrimPrefix(mode, "ns:")})
	default:
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace})
	}
	if host.CgroupV2 {
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	}
	return nil
}
