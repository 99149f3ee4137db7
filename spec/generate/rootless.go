package generate

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/spec"
)

// noCgroups is the degraded mode of a rootless container on a cgroup v1
// host, where an unprivileged user cannot create cgroups: the spec gets
// no cgroup path and no limits (runc's rootless mode then skips cgroups),
// and limits the user asked for are dropped with podman's one-line
// warning. A run without limits never warns and never fails.
func noCgroups(g *specs.Spec, s *spec.ContainerSpec, host *Host) {
	if askedForLimits(s) {
		host.warn("Resource limits are not supported and ignored on cgroups V1 rootless systems")
	}
	g.Linux.CgroupsPath = ""
	g.Linux.Resources = nil
}

// askedForLimits reports whether s sets a cgroup limit (the default pids
// limit and device rules are not the user's).
func askedForLimits(s *spec.ContainerSpec) bool {
	return s.PidsLimit != nil || s.Memory != 0 || s.MemorySwap != 0 || s.NanoCPUs != 0 ||
		s.CPUShares != 0 || s.MemoryReservation != 0 || s.CPUQuota != 0 || s.CPUPeriod != 0 ||
		s.CpusetCPUs != "" || s.CpusetMems != "" || s.MemorySwappiness != nil || s.OOMKillDisable || s.BlkioWeight != 0 || len(s.BlkioWeightDevice) > 0 ||
		len(s.DeviceReadBps)+len(s.DeviceWriteBps)+len(s.DeviceReadIOps)+len(s.DeviceWriteIOps) > 0
}

