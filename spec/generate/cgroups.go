package generate

import "github.com/berth-dev/berth/spec"

// checkCgroupsMode checks --cgroups against the flags it excludes, as
// podman's documentation names them: split and disabled take no
// --cgroup-parent, disabled no limits (nothing would apply them) and no
// private cgroup namespace.
func checkCgroupsMode(s *spec.ContainerSpec, host Host) error {
	switch s.CgroupsMode {
	case "", "enabled", "no-conmon":
		return nil
	case "split", "disabled":
	default:
		return invalid("invalid cgroup mode %q: must be enabled, disabled, no-conmon or split", s.CgroupsMode)
	}
	if s.CgroupParent != "" {
		return invalid("--cgroups=%s conflicts with --cgroup-parent", s.CgroupsMode)
	}
	if s.CgroupsMode == "split" {
		if host.CgroupManager == "systemd" {
			// The runtime's systemd driver takes only slice:prefix:name.
			return invalid("--cgroups=split needs the cgroupfs cgroup manager")
		}
		return nil
	}
	if askedForLimits(s) {
		return invalid("cannot set resource limits with --cgroups=disabled")
	}
	if s.CgroupNS == "private" {
		return invalid("--cgroups=disabled conflicts with --cgroupns=private")
	}
	return nil
}
