package generate

import (
	"fmt"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/idtools"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/rootless"
	"github.com/berth-dev/berth/spec"
)

// RootlessIDs describes a rootless engine's user namespace, which keep-id
// and nomap divide up: the user's own IDs on the host (ID 0 in the
// namespace) and how many IDs the namespace maps in all (0 and the
// subordinate ones, 1 up).
type RootlessIDs struct {
	UID, GID   uint32
	UIDs, GIDs uint32
	// User, Group and Gecos are the user's account names on the host,
	// which keep-id's /etc/passwd and /etc/group lines carry.
	User, Group, Gecos string
}

// userNamespace adds the user namespace of --userns and friends to the
// spec and records it: explicit maps (--uidmap, --subuidname) go into the
// spec now; auto (and private without maps, which is auto for root) gets
// its range when the engine creates the rootfs, which fills the spec's
// maps in; ns:PATH joins a namespace file; container:X the namespace and
// the maps of another container. A pod's infra container without an
// image has its maps reserved in storage; a member of a pod with a user
// namespace joins it (podMemberUserNS).
func userNamespace(g *specs.Spec, s *spec.ContainerSpec, host *Host, pod *PodPlacement, add func(...engine.CtrOption)) error {
	u, err := podMemberUserNS(s.UserNS, pod)
	if err != nil {
		return err
	}
	if !u.Enabled() {
		return nil
	}
	cfg := define.UserNSConfig{Mode: u.Mode, Reserve: pod != nil && pod.Infra && s.Image == ""}
	switch u.Mode {
	case spec.UserNSKeepID, spec.UserNSNoMap:
		if !host.Rootless || host.RootlessIDs == nil {
			return invalid("--userns %s: %s is only supported in rootless mode", u.Mode, u.Mode)
		}
		if len(u.UIDMap)+len(u.GIDMap) > 0 || u.SubUIDName != "" || u.SubGIDName != "" {
			return invalid("--userns %s: cannot be combined with --uidmap, --gidmap, --subuidname or --subgidname", u.Mode)
		}
		ids := *host.RootlessIDs
		if ids.UIDs < 2 || ids.GIDs < 2 {
			return invalid("--userns %s: the rootless user namespace maps no subordinate IDs", u.Mode)
		}
		if u.Mode == spec.UserNSNoMap {
			cfg.UIDMap = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: ids.UIDs - 1}}
			cfg.GIDMap = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: ids.GIDs - 1}}
		} else {
			uid, gid := keepIDUser(u, ids)
			cfg.UIDMap, cfg.GIDMap = keepIDMap(uid, ids.UIDs), keepIDMap(gid, ids.GIDs)
		}
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		g.Linux.UIDMappings, g.Linux.GIDMappings = slices.Clone(cfg.UIDMap), slices.Clone(cfg.GIDMap)
		add(engine.WithUserNS(cfg))
		return nil
	case spec.UserNSPath:
		// The maps are the namespace's (read from a process in it): the
		// rootfs is made with them and runc needs them in the spec.
		uids, gids, err := rootless.NSMaps(u.Path)
		if err != nil {
			return invalid("--userns ns:%s: %v", u.Path, err)
		}
		if len(u.UIDMap)+len(u.GIDMap) > 0 || u.SubUIDName != "" || u.SubGIDName != "" {
			return invalid("--userns ns:%s: cannot be combined with --uidmap, --gidmap, --subuidname or --subgidname", u.Path)
		}
		cfg.UIDMap, cfg.GIDMap = fromRootlessMaps(uids), fromRootlessMaps(gids)
		g.Linux.Namespaces = append(g.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: u.Path})
		g.Linux.UIDMappings, g.Linux.GIDMappings = slices.Clone(cfg.UIDMap), slices.Clone(cfg.GIDMap)
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
			if host.Rootless {
				// The container's maps are in IDs of berth's namespace.
				own, ownG, err := rootless.CurrentMaps()
				if err == nil {
					u.UIDMap, err = insideRootlessNS(u.UIDMap, own, "/etc/subuid")
				}
				if err == nil {
					u.GIDMap, err = insideRootlessNS(u.GIDMap, ownG, "/etc/subgid")
				}
				if err != nil {
					return invalid("--subuidname %s --subgidname %s: %v", u.SubUIDName, u.SubGIDName, err)
				}
			}
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
	if host.Rootless && host.RootlessIDs != nil {
		if err := checkRootlessRange("--uidmap", cfg.UIDMap, host.RootlessIDs.UIDs); err != nil {
			return err
		}
		if err := checkRootlessRange("--gidmap", cfg.GIDMap, host.RootlessIDs.GIDs); err != nil {
			return err
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

// podMemberUserNS is the user namespace of a container in pod: that of
// the pod's infra container (container:INFRA) when the pod has one. A
// member asking for its own is refused, with podman's message.
func podMemberUserNS(u spec.UserNS, pod *PodPlacement) (spec.UserNS, error) {
	if pod == nil || pod.Infra || pod.InfraUserNS == "" {
		return u, nil
	}
	if u.Mode != "" || len(u.UIDMap)+len(u.GIDMap) > 0 || u.SubUIDName != "" || u.SubGIDName != "" {
		return u, invalid("cannot set user namespace mode when joining pod with infra container")
	}
	return spec.UserNS{Mode: "container", Path: pod.InfraUserNS}, nil
}

// keepIDUser is the IDs keep-id gives the caller inside: uid= and gid=,
// else the user's own on the host.
func keepIDUser(u spec.UserNS, ids RootlessIDs) (uid, gid uint32) {
	uid, gid = ids.UID, ids.GID
	if u.UID != nil {
		uid = *u.UID
	}
	if u.GID != nil {
		gid = *u.GID
	}
	return uid, gid
}

// keepIDMap is podman's keep-id mapping, in the IDs of the rootless
// namespace (0: the user; 1 up: subordinate IDs): the user is id inside,
// the IDs below it are the first subordinate ones, and those above it
// (up to the namespace's last) map to themselves.
func keepIDMap(id, total uint32) []specs.LinuxIDMapping {
	last := total - 1
	var m []specs.LinuxIDMapping
	if id > 0 {
		m = append(m, specs.LinuxIDMapping{ContainerID: 0, HostID: 1, Size: min(id, last)})
	}
	m = append(m, specs.LinuxIDMapping{ContainerID: id, HostID: 0, Size: 1})
	if last > id {
		m = append(m, specs.LinuxIDMapping{ContainerID: id + 1, HostID: id + 1, Size: last - id})
	}
	return m
}

// keepIDProcessUser is the process user of a keep-id container without
// --user: the caller's IDs (as podman sets them, over the image's USER).
func keepIDProcessUser(s *spec.ContainerSpec, host *Host) string {
	if s.User != "" || s.UserNS.Mode != spec.UserNSKeepID || !host.Rootless || host.RootlessIDs == nil {
		return ""
	}
	uid, gid := keepIDUser(s.UserNS, *host.RootlessIDs)
	return fmt.Sprintf("%d:%d", uid, gid)
}

// keepIDEntries names the keep-id user in the container's /etc/passwd
// and /etc/group as on the host (podman adds the caller's account), unless
// the user gave entries of their own: "NAME:*:UID:GID:GECOS:WORKDIR:/bin/sh"
// and "GROUP:x:GID:NAME", added where the IDs have no line yet.
func keepIDEntries(s *spec.ContainerSpec, host *Host, add func(...engine.CtrOption)) {
	if keepIDProcessUser(s, host) == "" || host.RootlessIDs.User == "" {
		return
	}
	if s.PasswdEntry != "" || s.GroupEntry != "" || len(s.HostUsers) > 0 || s.NoPasswd {
		return
	}
	clean := strings.NewReplacer(":", " ", "\n", " ", "$", "")
	ids := host.RootlessIDs
	group := ids.Group
	if group == "" {
		group = ids.User
	}
	add(engine.WithUserEntries(
		fmt.Sprintf("%s:*:$UID:$GID:%s:$HOME:/bin/sh", clean.Replace(ids.User), clean.Replace(ids.Gecos)),
		fmt.Sprintf("%s:x:$GID:%s", clean.Replace(group), clean.Replace(ids.User)), nil, false))
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

// checkRootlessRange refuses, for a rootless engine, a map whose host IDs
// (IDs of berth's user namespace) go beyond the n it has: the user's own
// and its subordinate range. runc would fail with a broken pipe.
func checkRootlessRange(flag string, maps []specs.LinuxIDMapping, n uint32) error {
	for _, m := range maps {
		if uint64(m.HostID)+uint64(m.Size) > uint64(n) {
			return invalid("%s %d:%d:%d: IDs %d-%d are beyond the rootless user namespace's IDs 0-%d (the user's own ID and its subordinate range)",
				flag, m.ContainerID, m.HostID, m.Size, m.HostID, uint64(m.HostID)+uint64(m.Size)-1, n-1)
		}
	}
	return nil
}

// insideRootlessNS translates maps in host IDs (an /etc/subuid entry's)
// into IDs of the rootless user namespace berth runs in (own is its map),
// in which a rootless container's maps are given.
func insideRootlessNS(maps []spec.IDMap, own []rootless.IDMap, file string) ([]spec.IDMap, error) {
	out := make([]spec.IDMap, 0, len(maps))
	for _, m := range maps {
		found := false
		for _, o := range own {
			if uint64(m.HostID) >= uint64(o.HostID) && uint64(m.HostID)+uint64(m.Size) <= uint64(o.HostID)+uint64(o.Size) {
				out = append(out, spec.IDMap{ContainerID: m.ContainerID, HostID: uint32(o.ContainerID) + m.HostID - uint32(o.HostID), Size: m.Size})
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("host IDs %d-%d of %s are not in the rootless user namespace", m.HostID, uint64(m.HostID)+uint64(m.Size)-1, file)
		}
	}
	return out, nil
}

func overlap(a, an, b, bn uint32) bool {
	return uint64(a) < uint64(b)+uint64(bn) && uint64(b) < uint64(a)+uint64(an)
}

func fromRootlessMaps(m []rootless.IDMap) []specs.LinuxIDMapping {
	out := make([]specs.LinuxIDMapping, 0, len(m))
	for _, x := range m {
		out = append(out, specs.LinuxIDMapping{ContainerID: uint32(x.ContainerID), HostID: uint32(x.HostID), Size: uint32(x.Size)})
	}
	return out
}

func fromIDTools(m []idtools.IDMap) []spec.IDMap {
	out := make([]spec.IDMap, 0, len(m))
	for _, x := range m {
		out = append(out, spec.IDMap{ContainerID: uint32(x.ContainerID), HostID: uint32(x.HostID), Size: uint32(x.Size)})
	}
	return out
}

// usernsMounts adapts the default mounts to a user namespace: sysfs can
// only be mounted by a namespace that owns the network namespace. runc
// makes a container's own one inside its user namespace (none; bridge,
// pasta and slirp4netns, which the engine connects after the create); a
// joined one (host, container:, ns:, a pod's) is not the container's, so
// the host's /sys is bound read-only instead, as podman does.
//
// Likewise mqueue can only be mounted by the owner of the IPC namespace:
// a container that joins another's (--ipc container:X or host, a pod's
// members) goes without /dev/mqueue (mq_open(3) needs no mount).
func usernsMounts(g *specs.Spec, s *spec.ContainerSpec, p Placement) {
	podMember := p.Pod != nil && !p.Pod.Infra && p.Pod.InfraUserNS != ""
	if !s.UserNS.Enabled() && !podMember {
		return
	}
	// (A member joining the pod's user namespace goes without mqueue too,
	// as one with a namespace of its own must.)
	joinsIPC := strings.HasPrefix(s.IPC, "container:") || s.IPC == "host" ||
		(s.IPC == "" && p.Pod != nil && !p.Pod.Infra && p.Pod.HasInfra && p.Pod.SharesIPC)
	if joinsIPC {
		g.Mounts = slices.DeleteFunc(g.Mounts, func(m specs.Mount) bool { return m.Destination == "/dev/mqueue" && m.Type == "mqueue" })
	}
	mode, _, _ := NetworkMode(s.Network)
	ownNet := mode == "" || mode == "none" || mode == "bridge" || strings.HasPrefix(mode, "pasta") || strings.HasPrefix(mode, "slirp4netns")
	if ownNet && (p.Pod == nil || p.Pod.Infra || !p.Pod.HasInfra) {
		return
	}
	for i, m := range g.Mounts {
		if m.Destination == "/sys" && m.Type == "sysfs" {
			g.Mounts[i] = specs.Mount{Destination: "/sys", Type: "bind", Source: "/sys", Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}}
		}
	}
}
