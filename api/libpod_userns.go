package api

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// libpodIDMap is one entry of a SpecGenerator's idmappings maps.
type libpodIDMap struct {
	ContainerID uint32 `json:"container_id"`
	HostID      uint32 `json:"host_id"`
	Size        uint32 `json:"size"`
}

// usernsFromLibpod reads a SpecGenerator's userns ({nsmode, value}:
// auto, keep-id and their options in value, private, host, container,
// path) and idmappings (explicit maps, or AutoUserNs with its size)
// into the same spec.UserNS the CLI's flags give. Call it before
// podmanDefaults, which refuses idmappings it did not take.
func usernsFromLibpod(b body, ns namespace) (spec.UserNS, error) {
	var idm struct {
		HostUIDMapping, HostGIDMapping bool
		UIDMap, GIDMap                 []libpodIDMap
		AutoUserNs                     bool
		AutoUserNsOpts                 struct{ Size uint32 }
	}
	if err := b.take("idmappings", &idm); err != nil {
		return spec.UserNS{}, err
	}
	mode := ns.mode()
	if (ns.NSMode == "auto" || ns.NSMode == "keep-id") && ns.Value != "" {
		mode = ns.NSMode + ":" + ns.Value
	}
	if idm.AutoUserNs && (mode == "" || mode == "host" || mode == "private") {
		mode = "auto"
		if idm.AutoUserNsOpts.Size > 0 {
			mode += fmt.Sprintf(":size=%d", idm.AutoUserNsOpts.Size)
		}
	}
	if mode == "host" && (len(idm.UIDMap) > 0 || len(idm.GIDMap) > 0) {
		mode = "" // podman's client sends host with explicit maps
	}
	toFlags := func(m []libpodIDMap) []string {
		var out []string
		for _, x := range m {
			out = append(out, fmt.Sprintf("%d:%d:%d", x.ContainerID, x.HostID, x.Size))
		}
		return out
	}
	var uid, gid []string
	if !strings.HasPrefix(mode, "auto") {
		uid, gid = toFlags(idm.UIDMap), toFlags(idm.GIDMap)
	}
	u, err := specflag.UserNS(mode, uid, gid, "", "")
	if err != nil {
		return u, badRequest(err)
	}
	return u, nil
}
