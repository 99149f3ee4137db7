package cli

import (
	"fmt"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/spf13/cobra"
)

// newUpdateCommand is `update`: podman's flags for the limits berth can
// change (memory, swap, reservation, CPUs, CPU shares, CFS
// period and quota, cpusets, pids, blkio weight) and the restart policy
// (also per-device block IO limits and --memory-swappiness, which runc
// does not change: berth writes them into the cgroup),
// through the same service verb as the API's /containers/{id}/update.
func newUpdateCommand(d *Deps) *cobra.Command {
	var o service.UpdateOptions
	var pidsLimit int64
	var memory, swap, cpus, restart, reservation string
	var dev updateDeviceFlags
	var health healthFlags
	cmd := &cobra.Command{
		Use:   "update [options] CONTAINER",
		Short: "Update an existing container",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("pids-limit") {
				o.PidsLimit = &pidsLimit
			}
			if err := parseUpdateFlags(&o, memory, swap, cpus, restart); err != nil {
				return err
			}
			if reservation != "" {
				n, err := specflag.Memory(reservation)
				if err != nil {
					return err
				}
				o.MemoryReservation = &n
			}

			if err := dev.parse(&o, cmd.Flags().Changed("memory-swappiness")); err != nil {
				return err
			}
			h, err := health.toSpec(cmd.Flags())
			if err != nil {
				return err
			}
			if h != nil && !cmd.Flags().Changed("health-on-failure") {
				h.OnFailure = "" // create's default, not asked for here
			}
			o.Health = h
			if o.Empty() {
				return usageError("you must provide one or more flags when using this command")
			}
			o.Warnings = cmd.ErrOrStderr()
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			id, err := service.ContainerUpdate(cmd.Context(), rt, args[0], o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&memory, "memory", "m", "", "memory limit (format: <number>[<unit>], where unit = b, k, m or g)")
	f.StringVar(&swap, "memory-swap", "", "swap limit equal to memory plus swap: '-1' to enable unlimited swap")
	f.StringVar(&cpus, "cpus", "", "number of CPUs")
	f.Uint64VarP(&o.CPUShares, "cpu-shares", "c", 0, "CPU shares (relative weight)")
	f.Int64Var(&pidsLimit, "pids-limit", 0, "tune container pids limit (set -1 for unlimited)")
	f.StringVar(&restart, "restart", "", "restart policy to apply when a container exits (no, always, on-failure[:N], unless-stopped)")
	f.Uint64Var(&o.CPUPeriod, "cpu-period", 0, "limit the CPU CFS (Completely Fair Scheduler) period")
	f.Int64Var(&o.CPUQuota, "cpu-quota", 0, "limit the CPU CFS (Completely Fair Scheduler) quota")
	f.StringVar(&o.CpusetCPUs, "cpuset-cpus", "", "CPUs in which to allow execution (0-3, 0,1)")
	f.StringVar(&o.CpusetMems, "cpuset-mems", "", "memory nodes (MEMs) in which to allow execution (0-3, 0,1)")
	f.StringVar(&reservation, "memory-reservation", "", "memory soft limit (format: <number>[<unit>], where unit = b, k, m or g)")
	f.Uint16Var(&o.BlkioWeight, "blkio-weight", 0, "block IO weight (relative weight) accepts a weight value between 10 and 1000")
	f.StringArrayVar(&dev.weight, "blkio-weight-device", nil, "block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT)")
	f.StringArrayVar(&dev.readBps, "device-read-bps", nil, "limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb)")
	f.StringArrayVar(&dev.writeBps, "device-write-bps", nil, "limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb)")
	f.StringArrayVar(&dev.readIOps, "device-read-iops", nil, "limit read rate (IO per second) from a device (e.g. --device-read-iops=/dev/sda:1000)")
	f.StringArrayVar(&dev.writeIOps, "device-write-iops", nil, "limit write rate (IO per second) to a device (e.g. --device-write-iops=/dev/sda:1000)")
	bindHealthFlags(f, &health)
	f.Int64Var(&dev.swappiness, "memory-swappiness", -1, "tune container memory swappiness (0 to 100, or -1 for system default)")
	return cmd
}

// updateDeviceFlags are update's per-device block IO flags and
// --memory-swappiness, parsed as create parses them.
type updateDeviceFlags struct {
	weight, readBps, writeBps, readIOps, writeIOps []string
	swappiness                                     int64
}

func (d *updateDeviceFlags) parse(o *service.UpdateOptions, swappiness bool) error {
	for _, v := range d.weight {
		w, err := specflag.WeightDevice(v)
		if err != nil {
			return err
		}
		o.BlkioWeightDevice = append(o.BlkioWeightDevice, w)
	}
	for _, t := range []struct {
		flag string
		vals []string
		bps  bool
		dst  *[]spec.ThrottleDevice
	}{
		{"device-read-bps", d.readBps, true, &o.DeviceReadBps}, {"device-write-bps", d.writeBps, true, &o.DeviceWriteBps},
		{"device-read-iops", d.readIOps, false, &o.DeviceReadIOps}, {"device-write-iops", d.writeIOps, false, &o.DeviceWriteIOps},
	} {
		for _, v := range t.vals {
			td, err := specflag.ThrottleDevice(t.flag, v, t.bps)
			if err != nil {
				return err
			}
			*t.dst = append(*t.dst, td)
		}
	}
	if swappiness && d.swappiness != -1 {
		v := d.swappiness
		o.MemorySwappiness = &v
	}
	return nil
}

// parseUpdateFlags reads update's text flags into o's typed values, with
// create's parsers and messages; --memory-swap alone is checked against
// the container's memory limit by the service.
func parseUpdateFlags(o *service.UpdateOptions, memory, swap, cpus, restart string) error {
	if memory != "" {
		n, err := specflag.Memory(memory)
		if err != nil {
			return err
		}
		o.Memory = &n
	}
	if swap != "" {
		n := int64(-1)
		if swap != "-1" {
			// The check against the memory limit needs it: the one
			// given, or the container's (left to the service).
			var mem int64
			if o.Memory != nil {
				mem = *o.Memory
			}
			var err error
			if n, err = specflag.MemorySwap(swap, memory, max(mem, 1)); err != nil {
				return err
			}
		}
		o.MemorySwap = &n
	}
	if cpus != "" {
		n, err := specflag.CPUs(cpus)
		if err != nil {
			return err
		}
		o.NanoCPUs = &n
	}
	if restart != "" {
		p, err := specflag.Restart(restart)
		if err != nil {
			return err
		}
		o.Restart = &p
	}
	return nil
}
