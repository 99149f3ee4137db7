package engine

import (
	"slices"

	"github.com/berth-dev/berth/engine/define"
)

// WithUserNS gives the container a user namespace (see
// define.UserNSConfig); its rootfs is created with the same mapping.
func WithUserNS(u define.UserNSConfig) CtrOption {
	return func(c *define.ContainerConfig) error {
		u.UIDMap, u.GIDMap = slices.Clone(u.UIDMap), slices.Clone(u.GIDMap)
		c.UserNS = &u
		return nil
	}
}
