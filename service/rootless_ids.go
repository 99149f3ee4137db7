package service

import (
	"os/user"
	"strconv"

	"github.com/berth-dev/berth/internal/rootless"
	"github.com/berth-dev/berth/spec/generate"
)

// rootlessIDs describes the user namespace this rootless process runs in
// (the pause process's), for keep-id and nomap; nil when its maps cannot
// be read, which makes both refuse.
func rootlessIDs() *generate.RootlessIDs {
	uids, gids, err := rootless.CurrentMaps()
	if err != nil {
		return nil
	}
	sum := func(m []rootless.IDMap) uint32 {
		var n uint32
		for _, x := range m {
			n += uint32(x.Size)
		}
		return n
	}
	ids := &generate.RootlessIDs{UID: uint32(rootless.UID()), GID: uint32(rootless.GID()), UIDs: sum(uids), GIDs: sum(gids)}
	if u, err := user.LookupId(strconv.Itoa(rootless.UID())); err == nil {
		ids.User, ids.Gecos = u.Username, u.Name
	}
	if g, err := user.LookupGroupId(strconv.Itoa(rootless.GID())); err == nil {
		ids.Group = g.Name
	}
	return ids
}
