package generate

import (
	"os"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/idtools"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// rootless reports whether berth runs as an unprivileged user; keep-id
// and nomap exist only there, as in podman.
var rootless = func() bool { return os.Geteuid() != 0 }

// userNamespace adds the user namespace of --userns and friends to the
// spec and records it: explicit maps (--uidmap, --subuidname) go into the
// spec now; auto (and private without maps, which is auto for root) gets
// its range when the engine creates the rootfs, which fills the spec's
// maps in; ns:PATH joins a namespace file; container:X the namespace and
// the maps of another container.
func userNamespace(g *specs.Spec, s *spec.ContainerSpec, add func(...engine.CtrOption)) error {
	u := s.UserNS
	if !u.Enabled() {
		return nil
	}
	cfg := define.UserNSConfig{Mode: u.Mode}
	switch u.Mode {
	case spec.UserNSKeepID, spec.UserNSNoMap:
		if !rootless() {
			return invalid("--userns %s: %s is only supported in rootless mode", u.Mode, u.Mode)
		}
		return invalid("--userns %s: rootless user namespaces are not supported yet", u.Mode)
	case spec.UserNSPath:
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: u.Path})
		add(engine.WithUserNS(cfg))
		return nil
	case "container":
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		add(engine.WithSharedNamespace("user", u.Path), engine.WithUserNS(cfg))
		return nil
	case spec.UserNSPrivate:
		if u.SubUIDName != "" {
			m, err := idtools.NewIDMappings(u.SubUIDName, u.SubGIDName)
			if err != nil {
				return invalid("--subuidname %s --subgidname %s: %v", u.SubUIDName, u.SubGIDName, err)
			}
			u.UIDMap, u.GIDMap = fromIDTools(m.UIDs()), fromIDTools(m.GIDs())
		}
		if len(u.UIDMap) == 0 {
			cfg.Mode = spec.UserNSAuto
		}
	case spec.UserNSAuto:
		cfg.AutoSize = u.Size
	}
	for _, c := range []struct {
		flag string
		maps []spec.IDMap
		dst  *[]specs.LinuxIDMapping
	}{{"--uidmap", u.UIDMap, &cfg.UIDMap}, {"--gidmap", u.GIDMap, &cfg.GIDMap}} {
		if err := checkIDMaps(c.flag, c.maps); err != nil {
			return err
		}
		for _, m := range c.maps {
			*c.dst = append(*c.dst, specs.LinuxIDMapping{ContainerID: m.ContainerID, HostID: m.HostID, Size: m.Size})
		}
	}
	// auto takes either map alone (mappings its range must include).
	if cfg.Mode != spec.UserNSAuto && (len(cfg.UIDMap) == 0 || len(cfg.GIDMap) == 0) {
		return invalid("--uidmap and --gidmap: a user namespace needs both a UID and a GID map")
	}
	g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
	if cfg.Mode != spec.UserNSAuto {
		g.Linux.UIDMappings = slices.Clone(cfg.UIDMap)
		g.Linux.GIDMappings = slices.Clone(cfg.GIDMap)
	}
	add(engine.WithUserNS(cfg))
	return nil
}

// checkIDMaps refuses maps whose container or host ranges overlap: the
// kernel would refuse them at start (EINVAL writing uid_map), after
// create had already succeeded.
func checkIDMaps(flag string, maps []spec.IDMap) error {
	for i, a := range maps {
		for _, b := range maps[i+1:] {
			if overlap(a.ContainerID, a.Size, b.ContainerID, b.Size) {
				return invalid("%s: container IDs %d-%d and %d-%d overlap", flag, a.ContainerID, a.ContainerID+a.Size-1, b.ContainerID, b.ContainerID+b.Size-1)
			}
			if overlap(a.HostID, a.Size, b.HostID, b.Size) {
				return invalid("%s: host IDs %d-%d and %d-%d overlap", flag, a.HostID, a.HostID+a.Size-1, b.HostID, b.HostID+b.Size-1)
			}
		}
	}
	return nil
}

func overlap(a, an, b, bn uint32) bool {
	return uint64(a) < uint64(b)+uint64(bn) && uint64(b) < uint64(a)+uint64(an)
}

func fromIDTools(m []idtools.IDMap) []spec.IDMap {
	out := make([]spec.IDMap, 0, len(m))
	for _, x := range m {
		out = append(out, spec.IDMap{ContainerID: uint32(x.ContainerID), HostID: uint32(x.HostID), Size: uint32(x.Size)})
	}
	return out
}

// usernsMounts adapts the default mounts to a user namespace: sysfs can
// only be mounted by a namespace that owns the network namespace, which
// holds only for --network none (runc makes that one inside the user
// namespace); the engine makes the others (or they are the host's or
// another container's), so the host's /sys is bound read-only instead,
// as podman does.
func usernsMounts(g *specs.Spec, s *spec.ContainerSpec) {
	if !s.UserNS.Enabled() {
		return
	}
	if mode, _, _ := NetworkMode(s.Network); mode == "none" {
		return
	}
	for i, m := range g.Mounts {
		if m.Destination == "/sys" && m.Type == "sysfs" {
			g.Mounts[i] = specs.Mount{Destination: "/sys", Type: "bind", Source: "/sys", Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}}
		}
	}
}
