package engine

import (
	"slices"

	"github.com/berth-dev/berth/engine/define"
)

// WithGroups records --group-add values (group names or numeric gids).
// They are resolved against the container's /etc/group each time it is
// initialized, and added to the user's own supplementary groups.
func WithGroups(groups []string) CtrOption {
	return func(c *define.ContainerConfig) error { c.Groups = slices.Clone(groups); return nil }
}

// WithCapabilityChanges records the capabilities the container has beyond
// the default set (add) and lacks from it (drop), as inspect shows them
// (CAP_ names). The spec holds the capabilities themselves.
func WithCapabilityChanges(add, drop []string) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.CapAdd, c.CapDrop = slices.Clone(add), slices.Clone(drop)
		return nil
	}
}
