package cli

import (
	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// rawCreateFlags are the create/run flags given as text and parsed into
// typed spec fields (internal/specflag; its errors name the flag).
type rawCreateFlags struct {
	stopSignal, restart, shmSize  string
	memory, memorySwap, cpus      string
	memoryReservation             string
	weightDevices, readBps        []string
	writeBps, readIOps, writeIOps []string
	ulimits, sysctls, devices     []string
	volumes, mounts, tmpfs        []string
	publish, expose               []string
	deviceRules, cgroupConf       []string
	useAPISocket                  bool
}

// parse fills s's typed fields from the flags given. Mounts keep the
// order -v, --mount, --tmpfs.
func (r *rawCreateFlags) parse(s *spec.ContainerSpec) error {
	var err error
	if r.stopSignal != "" {
		if s.StopSignal, err = specflag.Signal(r.stopSignal); err != nil {
			return err
		}
	}
	if r.restart != "" {
		if s.Restart, err = specflag.Restart(r.restart); err != nil {
			return err
		}
	}
	if r.shmSize != "" {
		if s.ShmSize, err = specflag.ShmSize(r.shmSize); err != nil {
			return err
		}
	}
	if r.memory != "" {
		if s.Memory, err = specflag.Memory(r.memory); err != nil {
			return err
		}
	}
	if r.memorySwap != "" {
		if s.MemorySwap, err = specflag.MemorySwap(r.memorySwap, r.memory, s.Memory); err != nil {
			return err
		}
	}
	if r.memoryReservation != "" {
		if s.MemoryReservation, err = specflag.MemoryReservation(r.memoryReservation); err != nil {
			return err
		}
	}
	if r.cpus != "" {
		if s.NanoCPUs, err = specflag.CPUs(r.cpus); err != nil {
			return err
		}
	}
	for _, v := range r.weightDevices {
		w, err := specflag.WeightDevice(v)
		if err != nil {
			return err
		}
		s.BlkioWeightDevice = append(s.BlkioWeightDevice, w)
	}
	for _, t := range []struct {
		flag string
		vals []string
		bps  bool
		dst  *[]spec.ThrottleDevice
	}{
		{"device-read-bps", r.readBps, true, &s.DeviceReadBps}, {"device-write-bps", r.writeBps, true, &s.DeviceWriteBps},
		{"device-read-iops", r.readIOps, false, &s.DeviceReadIOps}, {"device-write-iops", r.writeIOps, false, &s.DeviceWriteIOps},
	} {
		for _, v := range t.vals {
			d, err := specflag.ThrottleDevice(t.flag, v, t.bps)
			if err != nil {
				return err
			}
			*t.dst = append(*t.dst, d)
		}
	}
	for _, v := range r.ulimits {
		u, err := specflag.Ulimit(v)
		if err != nil {
			return err
		}
		s.Ulimits = append(s.Ulimits, u)
	}
	if s.Sysctls, err = specflag.Sysctls(r.sysctls); err != nil {
		return err
	}
	for _, v := range r.devices {
		d, err := specflag.Device(v)
		if err != nil {
			return err
		}
		s.Devices = append(s.Devices, d)
	}
	for _, v := range r.deviceRules {
		d, err := specflag.DeviceCgroupRule(v)
		if err != nil {
			return err
		}
		s.DeviceCgroupRules = append(s.DeviceCgroupRules, d)
	}
	if s.CgroupConf, err = specflag.CgroupConf(r.cgroupConf); err != nil {
		return err
	}
	if s.Mounts, err = parseMounts(r.volumes, r.mounts, r.tmpfs); err != nil {
		return err
	}
	if r.useAPISocket {
		m, err := apiSocketMount()
		if err != nil {
			return err
		}
		s.Mounts = append(s.Mounts, m)
	}
	if s.Ports, err = parsePublish(r.publish); err != nil {
		return err
	}
	for _, v := range r.expose {
		e, err := specflag.Expose(v)
		if err != nil {
			return err
		}
		s.Expose = append(s.Expose, e)
	}
	return nil
}

// parseMounts parses -v, --mount and --tmpfs values, in that order.
func parseMounts(volumes, mounts, tmpfs []string) ([]spec.Mount, error) {
	var out []spec.Mount
	one := func(parse func(string) (spec.Mount, error)) func(string) ([]spec.Mount, error) {
		return func(v string) ([]spec.Mount, error) {
			m, err := parse(v)
			return []spec.Mount{m}, err
		}
	}
	for _, group := range []struct {
		values []string
		parse  func(string) ([]spec.Mount, error)
	}{{volumes, one(specflag.Volume)}, {mounts, specflag.Mounts}, {tmpfs, one(specflag.Tmpfs)}} {
		for _, v := range group.values {
			ms, err := group.parse(v)
			if err != nil {
				return nil, err
			}
			out = append(out, ms...)
		}
	}
	return out, nil
}

// parsePublish parses -p values.
func parsePublish(values []string) ([]spec.PortMapping, error) {
	var out []spec.PortMapping
	for _, v := range values {
		ps, err := specflag.Publish(v)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}
