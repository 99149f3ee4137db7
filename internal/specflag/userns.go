package specflag

import (
	"math"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/spec"
)

// UserNS parses --userns, --uidmap, --gidmap, --subuidname and
// --subgidname with podman 5's rules: --userns takes host, private,
// auto[:size=N,uidmapping=C:H:N,gidmapping=C:H:N], keep-id[:uid=N,gid=N],
// nomap, ns:PATH or container:X; the map and sub-ID flags imply private
// and go with no other --userns. A --uidmap without --gidmap maps the
// GIDs the same way, as in podman.
func UserNS(mode string, uidmaps, gidmaps []string, subuid, subgid string) (spec.UserNS, error) {
	var u spec.UserNS
	explicit := len(uidmaps) > 0 || len(gidmaps) > 0 || subuid != "" || subgid != ""
	if explicit && mode != "" && mode != spec.UserNSPrivate {
		return u, invalid("--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive")
	}
	if (len(uidmaps) > 0 || len(gidmaps) > 0) && (subuid != "" || subgid != "") {
		return u, invalid("--uidmap/--gidmap and --subuidname/--subgidname are mutually exclusive")
	}
	kind, opts, _ := strings.Cut(mode, ":")
	switch kind {
	case "", spec.UserNSHost:
		if opts != "" {
			return u, invalid("--userns %q: unrecognized namespace mode %s passed", mode, mode)
		}
		if explicit {
			u.Mode = spec.UserNSPrivate
		}
	case spec.UserNSPrivate:
		if opts != "" {
			return u, invalid("--userns %q: unrecognized namespace mode %s passed", mode, mode)
		}
		u.Mode = spec.UserNSPrivate
	case spec.UserNSNoMap:
		if opts != "" {
			return u, invalid("--userns %q: nomap takes no options", mode)
		}
		u.Mode = kind
	case spec.UserNSAuto:
		u.Mode = kind
		if err := autoOptions(&u, mode, opts); err != nil {
			return u, err
		}
	case spec.UserNSKeepID:
		u.Mode = kind
		if err := keepIDOptions(&u, mode, opts); err != nil {
			return u, err
		}
	case spec.UserNSPath:
		if !strings.HasPrefix(opts, "/") {
			return u, invalid("--userns %q: must provide an absolute path to a namespace when specifying \"ns:\"", mode)
		}
		u.Mode, u.Path = kind, opts
	case "container":
		if opts == "" {
			return u, invalid("--userns %q: must provide name or ID or a container when specifying \"container:\"", mode)
		}
		u.Mode, u.Path = kind, opts
	default:
		return u, invalid("--userns %q: unrecognized namespace mode %s passed", mode, mode)
	}
	var err error
	for _, m := range uidmaps {
		if u.UIDMap, err = appendIDMap(u.UIDMap, "--uidmap", m); err != nil {
			return u, err
		}
	}
	for _, m := range gidmaps {
		if u.GIDMap, err = appendIDMap(u.GIDMap, "--gidmap", m); err != nil {
			return u, err
		}
	}
	if u.Mode == spec.UserNSPrivate {
		if len(u.GIDMap) == 0 && len(u.UIDMap) > 0 {
			u.GIDMap = append([]spec.IDMap(nil), u.UIDMap...)
		}
		if len(u.UIDMap) == 0 && len(u.GIDMap) > 0 {
			u.UIDMap = append([]spec.IDMap(nil), u.GIDMap...)
		}
	}
	u.SubUIDName, u.SubGIDName = subuid, subgid
	// One name alone is used for both, as in podman.
	if u.SubUIDName == "" {
		u.SubUIDName = subgid
	}
	if u.SubGIDName == "" {
		u.SubGIDName = subuid
	}
	return u, nil
}

// autoOptions reads auto's size=, uidmapping= and gidmapping=.
func autoOptions(u *spec.UserNS, mode, opts string) error {
	if opts == "" {
		return nil
	}
	for _, o := range strings.Split(opts, ",") {
		k, v, _ := strings.Cut(o, "=")
		var err error
		switch k {
		case "size":
			n, perr := strconv.ParseUint(v, 10, 32)
			if perr != nil || n == 0 {
				return invalid("--userns %q: size must be a positive number", mode)
			}
			u.Size = uint32(n)
		case "uidmapping":
			u.UIDMap, err = appendIDMap(u.UIDMap, "--userns "+strconv.Quote(mode)+": uidmapping", v)
		case "gidmapping":
			u.GIDMap, err = appendIDMap(u.GIDMap, "--userns "+strconv.Quote(mode)+": gidmapping", v)
		default:
			return invalid("--userns %q: unknown option %q", mode, o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// keepIDOptions reads keep-id's uid= and gid=.
func keepIDOptions(u *spec.UserNS, mode, opts string) error {
	if opts == "" {
		return nil
	}
	for _, o := range strings.Split(opts, ",") {
		k, v, _ := strings.Cut(o, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil && (k == "uid" || k == "gid") {
			return invalid("--userns %q: %s must be a number", mode, k)
		}
		id := uint32(n)
		switch k {
		case "uid":
			u.UID = &id
		case "gid":
			u.GID = &id
		default:
			return invalid("--userns %q: unknown option %q", mode, o)
		}
	}
	return nil
}

// appendIDMap parses one CONTAINER:HOST[:SIZE] mapping (several may be
// joined with commas) and appends it. podman 5's flag prefixes are taken:
// "+" (add to the other mappings: all mappings given here are joined
// anyway) and "@" (the host ID is in the parent namespace: for root, the
// host's). SIZE defaults to 1.
func appendIDMap(maps []spec.IDMap, flag, v string) ([]spec.IDMap, error) {
	for _, one := range strings.Split(v, ",") {
		s := strings.TrimLeft(one, "+@")
		parts := strings.Split(s, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, invalid("%s %q: must be CONTAINER_ID:HOST_ID[:SIZE]", flag, one)
		}
		var n [3]uint64
		n[2] = 1
		for i, p := range parts {
			var err error
			if n[i], err = strconv.ParseUint(p, 10, 32); err != nil {
				return nil, invalid("%s %q: %q is not an ID", flag, one, p)
			}
		}
		if n[2] == 0 {
			return nil, invalid("%s %q: the size must be at least 1", flag, one)
		}
		if n[0]+n[2] > math.MaxUint32 || n[1]+n[2] > math.MaxUint32 {
			return nil, invalid("%s %q: the range goes beyond the largest ID %d", flag, one, uint32(math.MaxUint32-1))
		}
		maps = append(maps, spec.IDMap{ContainerID: uint32(n[0]), HostID: uint32(n[1]), Size: uint32(n[2])})
	}
	return maps, nil
}
