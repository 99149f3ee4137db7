package generate

import (
	"errors"
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
