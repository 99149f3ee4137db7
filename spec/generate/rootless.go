package generate

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/internal/cgroups"
	"github.com/berth-dev/berth/spec"
)

// rootlessCgroups applies a rootless host's cgroup situation: no cgroups
// at all on cgroup v1 or where nothing is delegated (noCgroups), else
// the container's cgroup below the delegated subtree (placement puts it
// under Host.DefaultCgroupParent) with the limits of the delegated
// controllers only.
func rootlessCgroups(g *specs.Spec, s *spec.ContainerSpec, host *Host) {
	if host.RootlessCgroup == nil {
		noCgroups(g, s, host)
		return
	}
	delegatedCgroups(g, s, host.RootlessCgroup, host)
}

// delegatedCgroups drops what a delegated cgroup v2 subtree cannot
// carry: the limits of controllers not delegated (systemd delegates
// memory and pids unless Delegate= says more), each with one warning when
// the user asked for such a limit (the default pids limit is silently
// dropped), and the device rules, which need BPF programs an unprivileged
// user cannot attach (runc's rootless mode gives the container the
// devices by bind mounts anyway).
func delegatedCgroups(g *specs.Spec, s *spec.ContainerSpec, d *cgroups.Delegation, host *Host) {
	r := g.Linux.Resources
	if r == nil {
		return
	}
	r.Devices = nil
	warn := func(ctrl string) {
		host.warn(fmt.Sprintf("Resource limits of the %s controller are not supported and ignored: it is not delegated to the user (%s/cgroup.controllers)", ctrl, d.Path))
	}
	if r.Memory != nil && !d.Has("memory") {
		r.Memory = nil
		warn("memory")
	}
	if r.Pids != nil && !d.Has("pids") {
		r.Pids = nil
		if s.PidsLimit != nil {
			warn("pids")
		}
	}
	if r.CPU != nil && (r.CPU.Shares != nil || r.CPU.Quota != nil || r.CPU.Period != nil) && !d.Has("cpu") {
		r.CPU.Shares, r.CPU.Quota, r.CPU.Period = nil, nil, nil
		warn("cpu")
	}
	if r.CPU != nil && (r.CPU.Cpus != "" || r.CPU.Mems != "") && !d.Has("cpuset") {
		r.CPU.Cpus, r.CPU.Mems = "", ""
		warn("cpuset")
	}
	if r.BlockIO != nil && !d.Has("io") {
		r.BlockIO = nil
		warn("io")
	}
}

// noCgroups is the degraded mode of a rootless container on a cgroup v1
// host (or a v2 one that delegates nothing to the user), where an
// unprivileged user cannot create cgroups: the spec gets
// no cgroup path and no limits (runc's rootless mode then skips cgroups),
// and limits the user asked for are dropped with podman's one-line
// warning. A run without limits never warns and never fails.
func noCgroups(g *specs.Spec, s *spec.ContainerSpec, host *Host) {
	if askedForLimits(s) {
		noCgroupsWarning(host)
	}
	g.Linux.CgroupsPath = ""
	g.Linux.Resources = nil
}

// noCgroupsWarning is podman's warning for limits dropped in that mode.
func noCgroupsWarning(host *Host) {
	if host.CgroupV2 {
		host.warn("Resource limits are not supported and ignored: no cgroup v2 subtree is delegated to the user (systemd's user@UID.service)")
	} else {
		host.warn("Resource limits are not supported and ignored on cgroups V1 rootless systems")
	}
}

// askedForLimits reports whether s sets a cgroup limit (the default pids
// limit and device rules are not the user's).
func askedForLimits(s *spec.ContainerSpec) bool {
	return s.PidsLimit != nil || s.Memory != 0 || s.MemorySwap != 0 || s.NanoCPUs != 0 ||
		s.CPUShares != 0 || s.MemoryReservation != 0 || s.CPUQuota != 0 || s.CPUPeriod != 0 ||
		s.CpusetCPUs != "" || s.CpusetMems != "" || s.MemorySwappiness != nil || s.OOMKillDisable || s.BlkioWeight != 0 || len(s.BlkioWeightDevice) > 0 ||
		len(s.DeviceReadBps)+len(s.DeviceWriteBps)+len(s.DeviceReadIOps)+len(s.DeviceWriteIOps) > 0
}
