package generate

import (
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// deviceCgroupRules appends the --device-cgroup-rule allow rules after
// the default deny and the --device rules, as podman does. They are
// checked again here because the API hands them over already split.
func deviceCgroupRules(g *specs.Spec, s *spec.ContainerSpec) error {
	for _, r := range s.DeviceCgroupRules {
		if r.Type != "a" && r.Type != "b" && r.Type != "c" {
			return invalid("invalid device cgroup rule: type %q must be a, b or c", r.Type)
		}
		if !specflag.IsDevicePermissions(r.Access) {
			return invalid("invalid device cgroup rule: access %q must be a combination of r, w and m", r.Access)
		}
		if (r.Major != nil && *r.Major < 0) || (r.Minor != nil && *r.Minor < 0) {
			return invalid("invalid device cgroup rule: negative device number")
		}
		g.Linux.Resources.Devices = append(g.Linux.Resources.Devices, specs.LinuxDeviceCgroup{
			Allow: true, Type: r.Type, Major: r.Major, Minor: r.Minor, Access: r.Access,
		})
	}
	return nil
}

// cgroupConf puts --cgroup-conf into the spec's unified resources, which
// only a cgroup v2 (unified) host has: on cgroup v1 there is no file of
// that name to write, and the runtime would refuse the spec at start, so
// it is refused here, at create, with the key named.
func cgroupConf(g *specs.Spec, s *spec.ContainerSpec, host *Host) error {
	if len(s.CgroupConf) == 0 {
		return nil
	}
	keys := make([]string, 0, len(s.CgroupConf))
	for k := range s.CgroupConf {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ctrl, file, ok := strings.Cut(k, ".")
		if !ok || ctrl == "" || file == "" || strings.ContainsAny(k, "/\x00") {
			return invalid("--cgroup-conf %s: the key must be a cgroup v2 file name such as memory.high", k)
		}
	}
	if !host.CgroupV2 {
		return invalid("--cgroup-conf %s: cgroup v2 files can only be set on a cgroup v2 host, and this host uses cgroup v1", keys[0])
	}
	if g.Linux.Resources.Unified == nil {
		g.Linux.Resources.Unified = map[string]string{}
	}
	for _, k := range keys {
		g.Linux.Resources.Unified[k] = s.CgroupConf[k]
	}
	return nil
}
