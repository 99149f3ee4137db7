package generate

import (
	"encoding/json"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/spec"
)

// UpdateResources is `update`'s limits: cur with the limits s sets
// (Memory, MemorySwap, CPUs, CPUShares, PidsLimit) replaced, checked as
// create checks them. Zero values of s leave a limit alone; --cpus 0 and
// --pids-limit 0 or -1 lift the limit, as in docker.
func UpdateResources(cur *specs.LinuxResources, s *spec.ContainerSpec, host *Host) (*specs.LinuxResources, error) {
	out := &specs.LinuxResources{}
	if cur != nil {
		data, err := json.Marshal(cur)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, out); err != nil {
			return nil, err
		}
	}
	want := *s
	if want.MemorySwap != "" && want.Memory == "" && out.Memory != nil && out.Memory.Limit != nil {
		// --memory-swap alone keeps the memory limit the container has.
		want.Memory = strconv.FormatInt(*out.Memory.Limit, 10)
	}
	// The new values, generated as for create on a scratch spec.
	g := &specs.Spec{Linux: &specs.Linux{Resources: &specs.LinuxResources{}}}
	if err := resources(g, &want, host); err != nil {
		return nil, err
	}
	r := g.Linux.Resources
	if want.Memory != "" {
		out.Memory = r.Memory
	}
	if want.CPUs != "" || want.CPUShares > 0 {
		if out.CPU == nil {
			out.CPU = &specs.LinuxCPU{}
		}
	}
	if want.CPUs != "" {
		if r.CPU != nil && r.CPU.Quota != nil {
			out.CPU.Quota, out.CPU.Period = r.CPU.Quota, r.CPU.Period
		} else {
			unlimited, period := int64(-1), uint64(cpuPeriod)
			out.CPU.Quota, out.CPU.Period = &unlimited, &period
		}
	}
	if want.CPUShares > 0 {
		out.CPU.Shares = r.CPU.Shares
	}
	if want.PidsLimit != nil {
		limit := int64(-1)
		if r.Pids != nil && *want.PidsLimit > 0 {
			limit = *r.Pids.Limit
		}
		out.Pids = &specs.LinuxPids{Limit: &limit}
	}
	return out, nil
}
