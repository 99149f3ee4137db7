package generate

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// TestMoreResources: the soft limit, swappiness, OOM switches, CFS period
// and quota and cpusets land in the OCI spec; bad values are refused as
// invalid arguments naming the flag.
func TestMoreResources(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	in := func(v int) *int { return &v }
	s := spec.ContainerSpec{
		Memory: 1 << 30, MemoryReservation: 256 << 20, MemorySwappiness: i64(0), OOMKillDisable: true,
		CPUPeriod: 50000, CPUQuota: 25000, CpusetCPUs: "0", CpusetMems: "0", OOMScoreAdj: in(-500),
	}
	g, _, err := gen(t, &s, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	m, c := g.Linux.Resources.Memory, g.Linux.Resources.CPU
	if *m.Reservation != 256<<20 || *m.Swappiness != 0 || !*m.DisableOOMKiller {
		t.Errorf("memory %+v", m)
	}
	if *c.Period != 50000 || *c.Quota != 25000 || c.Cpus != "0" || c.Mems != "0" {
		t.Errorf("cpu %+v", c)
	}
	if *g.Process.OOMScoreAdj != -500 {
		t.Errorf("oomScoreAdj %d", *g.Process.OOMScoreAdj)
	}

	bad := []struct {
		s    spec.ContainerSpec
		want string
	}{
		{spec.ContainerSpec{MemoryReservation: 1 << 20}, "--memory-reservation 1048576: minimum memory reservation allowed is 6MB"},
		{spec.ContainerSpec{Memory: 64 << 20, MemoryReservation: 128 << 20}, "minimum memory limit can not be less than memory reservation limit"},
		{spec.ContainerSpec{MemorySwappiness: i64(101)}, "--memory-swappiness 101: valid memory swappiness range is 0-100"},
		{spec.ContainerSpec{NanoCPUs: 1e9, CPUPeriod: 100000}, "--cpu-period and --cpus cannot be set together"},
		{spec.ContainerSpec{NanoCPUs: 1e9, CPUQuota: 100000}, "--cpu-quota and --cpus cannot be set together"},
		{spec.ContainerSpec{CPUPeriod: 999}, "--cpu-period 999: CPU cfs period can not be less than 1ms"},
		{spec.ContainerSpec{CPUQuota: 10}, "--cpu-quota 10: CPU cfs quota can not be less than 1ms"},
		{spec.ContainerSpec{CpusetCPUs: "0-x"}, `--cpuset-cpus "0-x": must be a list of numbers and ranges`},
		{spec.ContainerSpec{CpusetCPUs: "3-1"}, `--cpuset-cpus "3-1": range 3-1 is backwards`},
		{spec.ContainerSpec{CpusetCPUs: "0,64"}, `--cpuset-cpus "0,64": requested CPUs are not available`},
		{spec.ContainerSpec{CpusetMems: "a"}, `--cpuset-mems "a": must be a list`},
		{spec.ContainerSpec{OOMScoreAdj: in(1001)}, "--oom-score-adj 1001: must be between -1000 and 1000"},
	}
	for _, tt := range bad {
		_, _, err := gen(t, &tt.s, testImage(), testHost())
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("%+v: err %v, want an invalid-argument error with %q", tt.s, err, tt.want)
		}
	}
}

func TestCpusetMax(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "0-3": 3, "1,5-7,2": 7} {
		if got, err := cpusetMax(in); err != nil || got != want {
			t.Errorf("cpusetMax(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1-", "01", "1,,2", " 1"} {
		if _, err := cpusetMax(in); err == nil {
			t.Errorf("cpusetMax(%q) accepted", in)
		}
	}
}

// TestBlockIO: weights (or podman's warning where the host has no weight
// file) and throttles keyed by the device's major:minor.
func TestBlockIO(t *testing.T) {
	dev := ""
	for _, p := range []string{"/dev/loop0", "/dev/vda", "/dev/sda", "/dev/nvme0n1"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0 {
			dev = p
			break
		}
	}
	if dev == "" {
		t.Skip("no block device to throttle")
	}
	s := spec.ContainerSpec{BlkioWeight: 300, BlkioWeightDevice: []spec.WeightDevice{{Path: dev, Weight: 200}},
		DeviceReadBps: []spec.ThrottleDevice{{Path: dev, Rate: 1 << 20}}, DeviceWriteIOps: []spec.ThrottleDevice{{Path: dev, Rate: 100}}}
	g, _, err := gen(t, &s, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	b := g.Linux.Resources.BlockIO
	if b == nil || *b.Weight != 300 || len(b.WeightDevice) != 1 || *b.WeightDevice[0].Weight != 200 ||
		len(b.ThrottleReadBpsDevice) != 1 || b.ThrottleReadBpsDevice[0].Rate != 1<<20 ||
		len(b.ThrottleWriteIOPSDevice) != 1 || b.ThrottleWriteIOPSDevice[0].Rate != 100 {
		t.Fatalf("blockIO %+v", b)
	}
	var warned []string
	h := testHost()
	h.NoBlkioWeight = true
	h.Warn = func(m string) { warned = append(warned, m) }
	g, _, err = gen(t, &spec.ContainerSpec{BlkioWeight: 300}, testImage(), h)
	if err != nil || g.Linux.Resources.BlockIO != nil || len(warned) != 1 || !strings.Contains(warned[0], "Weight discarded") {
		t.Errorf("no weight file: %v, %+v, warnings %q", err, g.Linux.Resources.BlockIO, warned)
	}
	for _, tt := range []struct {
		s    spec.ContainerSpec
		want string
	}{
		{spec.ContainerSpec{BlkioWeight: 5}, "--blkio-weight 5: range of blkio weight is from 10 to 1000"},
		{spec.ContainerSpec{BlkioWeightDevice: []spec.WeightDevice{{Path: dev, Weight: 1001}}}, "range of blkio weight is from 10 to 1000"},
		{spec.ContainerSpec{DeviceReadBps: []spec.ThrottleDevice{{Path: "/dev/nosuchdisk", Rate: 1}}}, "--device-read-bps /dev/nosuchdisk: no such file or directory"},
		{spec.ContainerSpec{DeviceWriteBps: []spec.ThrottleDevice{{Path: "/dev/null", Rate: 1}}}, "--device-write-bps /dev/null: not a block device"},
	} {
		_, _, err := gen(t, &tt.s, testImage(), testHost())
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("%+v: err %v, want %q", tt.s, err, tt.want)
		}
	}
}
