package generate

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine"
)

// groupAdd checks --group-add and records it in the container's config.
// Group names are resolved by the engine in the container's /etc/group
// (inside its root) each time it is initialized, so a name unknown to the
// image fails at start, as in podman.
func groupAdd(groups []string, add func(...engine.CtrOption)) error {
	for _, g := range groups {
		switch {
		case g == "keep-groups":
			// podman passes it to crun, which keeps the supplementary
			// groups of a rootless user; berth runs containers as root
			// under runc, where it would silently do nothing.
			return invalid("--group-add keep-groups: keeps a rootless user's groups with crun; berth runs containers as root")
		case g == "" || strings.ContainsAny(g, ": \t\n,"):
			return invalid("--group-add %q: not a group name or ID", g)
		case strings.Trim(g, "0123456789") == "":
			if _, err := strconv.ParseUint(g, 10, 31); err != nil {
				return invalid("--group-add %q: group IDs must be between 0 and %d", g, math.MaxInt32)
			}
		}
	}
	if len(groups) > 0 {
		add(engine.WithGroups(groups))
	}
	return nil
}

// capabilityChanges returns what inspect shows as HostConfig.CapAdd and
// CapDrop, derived from the final bounding set the way podman does: the
// capabilities beyond the default set (all with --privileged) and those of
// the default set that are missing, both sorted.
func capabilityChanges(bounding []string, privileged bool) (add, drop []string) {
	base := DefaultCapabilities
	if privileged {
		base = allCaps()
	}
	for _, c := range bounding {
		if !slices.Contains(base, c) {
			add = append(add, c)
		}
	}
	for _, c := range base {
		if !slices.Contains(bounding, c) {
			drop = append(drop, c)
		}
	}
	slices.Sort(add)
	slices.Sort(drop)
	return add, drop
}
