package cgroups

import (
	"fmt"
	"strconv"
)

// Device is a block device's limit for SetDeviceLimits: a weight or a
// throttle rate (bytes or IO operations per second).
type Device struct {
	Major, Minor int64
	Value        uint64
}

// DeviceLimits are the per-device block IO limits and the memory
// swappiness that `runc update` leaves alone (it copies only the CPU,
// memory, pids and blkio weight fields of the resources it is given), so
// `update` writes them into the cgroup itself.
type DeviceLimits struct {
	Weight                                 []Device
	ReadBps, WriteBps, ReadIOps, WriteIOps []Device
	Swappiness                             *uint64
}

// SetDeviceLimits writes l into the cgroup's files: cgroup v1's
// blkio.weight_device, blkio.throttle.*_device and memory.swappiness, or
// v2's io.weight and io.max (v2 has no swappiness; it is left out there,
// as at create).
func (cg *Cgroup) SetDeviceLimits(l DeviceLimits) error {
	dev := func(d Device) string { return fmt.Sprintf("%d:%d", d.Major, d.Minor) }
	if cg.V2 {
		dir := cg.dir("")
		for _, d := range l.Weight {
			if err := write(dir, "io.weight", dev(d)+" "+strconv.FormatUint(d.Value, 10)); err != nil {
				return err
			}
		}
		for _, t := range []struct {
			key  string
			devs []Device
		}{{"rbps", l.ReadBps}, {"wbps", l.WriteBps}, {"riops", l.ReadIOps}, {"wiops", l.WriteIOps}} {
			for _, d := range t.devs {
				if err := write(dir, "io.max", fmt.Sprintf("%s %s=%d", dev(d), t.key, d.Value)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	blkio := cg.dir("blkio")
	for _, t := range []struct {
		file string
		devs []Device
	}{
		{"blkio.weight_device", l.Weight},
		{"blkio.throttle.read_bps_device", l.ReadBps}, {"blkio.throttle.write_bps_device", l.WriteBps},
		{"blkio.throttle.read_iops_device", l.ReadIOps}, {"blkio.throttle.write_iops_device", l.WriteIOps},
	} {
		for _, d := range t.devs {
			if blkio == "" {
				return fmt.Errorf("no blkio cgroup for %s", t.file)
			}
			if err := write(blkio, t.file, dev(d)+" "+strconv.FormatUint(d.Value, 10)); err != nil {
				return err
			}
		}
	}
	if l.Swappiness != nil {
		mem := cg.dir("memory")
		if mem == "" {
			return fmt.Errorf("no memory cgroup for memory.swappiness")
		}
		if err := write(mem, "memory.swappiness", strconv.FormatUint(*l.Swappiness, 10)); err != nil {
			return err
		}
	}
	return nil
}
