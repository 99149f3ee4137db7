package generate

import (
	"encoding/json"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/spec"
)

// ResourceUpdate is the limits `update` sets, in the create spec's units;
// nil leaves a limit alone. NanoCPUs 0 and PidsLimit 0 or -1 lift the
// limit, as in docker; MemorySwap -1 is unlimited swap.
type ResourceUpdate struct {
	Memory     *int64 `json:"memory,omitempty"`
	MemorySwap *int64 `json:"memorySwap,omitempty"`
	NanoCPUs   *int64 `json:"nanoCPUs,omitempty"`
	CPUShares  uint64 `json:"cpuShares,omitempty"`
	PidsLimit  *int64 `json:"pidsLimit,omitempty"`
	// The rest of podman's update flags, as create's.
	CPUPeriod         uint64 `json:"cpuPeriod,omitempty"`
	CPUQuota          int64  `json:"cpuQuota,omitempty"`
	CpusetCPUs        string `json:"cpusetCpus,omitempty"`
	CpusetMems        string `json:"cpusetMems,omitempty"`
	MemoryReservation *int64 `json:"memoryReservation,omitempty"`
	MemorySwappiness  *int64 `json:"memorySwappiness,omitempty"`
	BlkioWeight       uint16 `json:"blkioWeight,omitempty"`
	// Per-device weights and throttles: each replaces the container's
	// setting for the same device and keeps the others.
	BlkioWeightDevice []spec.WeightDevice   `json:"blkioWeightDevice,omitempty"`
	DeviceReadBps     []spec.ThrottleDevice `json:"deviceReadBps,omitempty"`
	DeviceWriteBps    []spec.ThrottleDevice `json:"deviceWriteBps,omitempty"`
	DeviceReadIOps    []spec.ThrottleDevice `json:"deviceReadIOps,omitempty"`
	DeviceWriteIOps   []spec.ThrottleDevice `json:"deviceWriteIOps,omitempty"`
}

// Empty reports whether u changes nothing.
func (u ResourceUpdate) Empty() bool {
	return u.Memory == nil && u.MemorySwap == nil && u.NanoCPUs == nil && u.CPUShares == 0 && u.PidsLimit == nil &&
		u.CPUPeriod == 0 && u.CPUQuota == 0 && u.CpusetCPUs == "" && u.CpusetMems == "" && u.MemoryReservation == nil &&
		u.MemorySwappiness == nil && u.BlkioWeight == 0 && len(u.BlkioWeightDevice) == 0 && len(u.DeviceReadBps) == 0 &&
		len(u.DeviceWriteBps) == 0 && len(u.DeviceReadIOps) == 0 && len(u.DeviceWriteIOps) == 0
}

// UpdateResources is `update`'s limits: cur with the limits u sets
// replaced, checked as create checks them.
func UpdateResources(cur *specs.LinuxResources, u ResourceUpdate, host *Host) (*specs.LinuxResources, error) {
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
	var want spec.ContainerSpec
	if u.Memory != nil {
		want.Memory = *u.Memory
	}
	if u.MemorySwap != nil {
		want.MemorySwap = *u.MemorySwap
		if u.Memory == nil && out.Memory != nil && out.Memory.Limit != nil {
			// --memory-swap alone keeps the memory limit the container has.
			want.Memory = *out.Memory.Limit
		}
	}
	if u.NanoCPUs != nil {
		want.NanoCPUs = *u.NanoCPUs
	}
	want.CPUShares, want.PidsLimit = u.CPUShares, u.PidsLimit
	want.CPUPeriod, want.CPUQuota, want.CpusetCPUs, want.CpusetMems = u.CPUPeriod, u.CPUQuota, u.CpusetCPUs, u.CpusetMems
	want.MemorySwappiness, want.BlkioWeight = u.MemorySwappiness, u.BlkioWeight
	want.BlkioWeightDevice, want.DeviceReadBps, want.DeviceWriteBps = u.BlkioWeightDevice, u.DeviceReadBps, u.DeviceWriteBps
	want.DeviceReadIOps, want.DeviceWriteIOps = u.DeviceReadIOps, u.DeviceWriteIOps
	if u.MemoryReservation != nil {
		want.MemoryReservation = *u.MemoryReservation
		if u.Memory == nil && out.Memory != nil && out.Memory.Limit != nil {
			// Checked against the memory limit the container has.
			want.Memory = *out.Memory.Limit
		}
	}
	// The new values, generated as for create on a scratch spec.
	g := &specs.Spec{Linux: &specs.Linux{Resources: &specs.LinuxResources{}}}
	if err := resources(g, &want, host); err != nil {
		return nil, err
	}
	r := g.Linux.Resources
	if u.Memory != nil || u.MemorySwap != nil {
		// Only the limit and swap: the soft limit, swappiness and OOM
		// switch the container has stay.
		if out.Memory == nil {
			out.Memory = &specs.LinuxMemory{}
		}
		out.Memory.Limit, out.Memory.Swap = nil, nil
		if r.Memory != nil {
			out.Memory.Limit, out.Memory.Swap = r.Memory.Limit, r.Memory.Swap
		}
	}
	if u.NanoCPUs != nil || want.CPUShares > 0 {
		if out.CPU == nil {
			out.CPU = &specs.LinuxCPU{}
		}
	}
	if u.NanoCPUs != nil {
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
	if (u.CPUPeriod != 0 || u.CPUQuota != 0 || u.CpusetCPUs != "" || u.CpusetMems != "") && out.CPU == nil {
		out.CPU = &specs.LinuxCPU{}
	}
	if u.CPUPeriod != 0 {
		out.CPU.Period = r.CPU.Period
	}
	if u.CPUQuota != 0 {
		out.CPU.Quota = r.CPU.Quota
	}
	if u.CpusetCPUs != "" {
		out.CPU.Cpus = r.CPU.Cpus
	}
	if u.CpusetMems != "" {
		out.CPU.Mems = r.CPU.Mems
	}
	if (u.MemoryReservation != nil || u.MemorySwappiness != nil) && out.Memory == nil {
		out.Memory = &specs.LinuxMemory{}
	}
	if u.MemoryReservation != nil && r.Memory != nil {
		out.Memory.Reservation = r.Memory.Reservation
	}
	if u.MemorySwappiness != nil && r.Memory != nil {
		out.Memory.Swappiness = r.Memory.Swappiness
	}
	if u.BlkioWeight != 0 && r.BlockIO != nil {
		if out.BlockIO == nil {
			out.BlockIO = &specs.LinuxBlockIO{}
		}
		out.BlockIO.Weight = r.BlockIO.Weight
	}
	if r.BlockIO != nil && (len(r.BlockIO.WeightDevice) > 0 || len(r.BlockIO.ThrottleReadBpsDevice) > 0 ||
		len(r.BlockIO.ThrottleWriteBpsDevice) > 0 || len(r.BlockIO.ThrottleReadIOPSDevice) > 0 ||
		len(r.BlockIO.ThrottleWriteIOPSDevice) > 0) {
		if out.BlockIO == nil {
			out.BlockIO = &specs.LinuxBlockIO{}
		}
		mergeBlockIODevices(out.BlockIO, r.BlockIO)
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

// mergeBlockIODevices puts each per-device weight and throttle of upd
// into cur, replacing cur's entry for the same device.
func mergeBlockIODevices(cur, upd *specs.LinuxBlockIO) {
	for _, w := range upd.WeightDevice {
		i := slices.IndexFunc(cur.WeightDevice, func(o specs.LinuxWeightDevice) bool {
			return o.Major == w.Major && o.Minor == w.Minor
		})
		if i < 0 {
			cur.WeightDevice = append(cur.WeightDevice, w)
		} else {
			cur.WeightDevice[i] = w
		}
	}
	for _, t := range []struct{ cur, upd *[]specs.LinuxThrottleDevice }{
		{&cur.ThrottleReadBpsDevice, &upd.ThrottleReadBpsDevice},
		{&cur.ThrottleWriteBpsDevice, &upd.ThrottleWriteBpsDevice},
		{&cur.ThrottleReadIOPSDevice, &upd.ThrottleReadIOPSDevice},
		{&cur.ThrottleWriteIOPSDevice, &upd.ThrottleWriteIOPSDevice},
	} {
		for _, d := range *t.upd {
			i := slices.IndexFunc(*t.cur, func(o specs.LinuxThrottleDevice) bool {
				return o.Major == d.Major && o.Minor == d.Minor
			})
			if i < 0 {
				*t.cur = append(*t.cur, d)
			} else {
				(*t.cur)[i] = d
			}
		}
	}
}
