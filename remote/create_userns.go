package remote

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/spec"
)

// specUserNS puts s's user namespace into the SpecGenerator the way
// podman's client sends it: userns {nsmode, value} (auto's and keep-id's
// options in value) and explicit maps in idmappings.
func specUserNS(g map[string]any, s *spec.ContainerSpec) {
	u := s.UserNS
	if !u.Enabled() {
		return
	}
	ns := map[string]any{"nsmode": u.Mode}
	var opts []string
	switch u.Mode {
	case spec.UserNSPath:
		ns["nsmode"], ns["value"] = "path", u.Path
	case "container":
		ns["value"] = u.Path
	case spec.UserNSAuto:
		if u.Size > 0 {
			opts = append(opts, fmt.Sprintf("size=%d", u.Size))
		}
		for _, m := range u.UIDMap {
			opts = append(opts, fmt.Sprintf("uidmapping=%d:%d:%d", m.ContainerID, m.HostID, m.Size))
		}
		for _, m := range u.GIDMap {
			opts = append(opts, fmt.Sprintf("gidmapping=%d:%d:%d", m.ContainerID, m.HostID, m.Size))
		}
	case spec.UserNSKeepID:
		if u.UID != nil {
			opts = append(opts, fmt.Sprintf("uid=%d", *u.UID))
		}
		if u.GID != nil {
			opts = append(opts, fmt.Sprintf("gid=%d", *u.GID))
		}
	case spec.UserNSPrivate:
		maps := func(in []spec.IDMap) []map[string]uint32 {
			out := []map[string]uint32{}
			for _, m := range in {
				out = append(out, map[string]uint32{"container_id": m.ContainerID, "host_id": m.HostID, "size": m.Size})
			}
			return out
		}
		if len(u.UIDMap) > 0 {
			g["idmappings"] = map[string]any{"UIDMap": maps(u.UIDMap), "GIDMap": maps(u.GIDMap)}
		}
	}
	if len(opts) > 0 {
		ns["value"] = strings.Join(opts, ",")
	}
	g["userns"] = ns
}
