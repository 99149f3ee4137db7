package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"

	"github.com/berth-dev/berth/spec"
)

// The docker HostConfig and libpod resource_limits fields beyond memory
// and CPUs reach the typed spec (generate checks their ranges).
func TestMoreResourcesMapped(t *testing.T) {
	sw, off := int64(0), true
	var s spec.ContainerSpec
	if err := moreHostResources(&s, &container.HostConfig{Resources: container.Resources{
		MemoryReservation: 64 << 20, MemorySwappiness: &sw, OomKillDisable: &off,
		CPUPeriod: 50000, CPUQuota: 25000, CpusetCpus: "0", CpusetMems: "0",
	}, OomScoreAdj: 300}); err != nil {
		t.Fatal(err)
	}
	if s.MemoryReservation != 64<<20 || s.MemorySwappiness == nil || *s.MemorySwappiness != 0 || !s.OOMKillDisable ||
		s.CPUPeriod != 50000 || s.CPUQuota != 25000 || s.CpusetCPUs != "0" || s.CpusetMems != "0" || *s.OOMScoreAdj != 300 {
		t.Errorf("docker: %+v", s)
	}
	s = spec.ContainerSpec{}
	if err := moreHostResources(&s, &container.HostConfig{Resources: container.Resources{BlkioWeight: 300,
		BlkioWeightDevice:    []*blkiodev.WeightDevice{{Path: "/dev/vda", Weight: 200}},
		BlkioDeviceReadBps:   []*blkiodev.ThrottleDevice{{Path: "/dev/vda", Rate: 1 << 20}},
		BlkioDeviceWriteIOps: []*blkiodev.ThrottleDevice{{Path: "/dev/vda", Rate: 100}},
	}}); err != nil || s.BlkioWeight != 300 || len(s.BlkioWeightDevice) != 1 || s.BlkioWeightDevice[0].Weight != 200 ||
		len(s.DeviceReadBps) != 1 || s.DeviceReadBps[0].Rate != 1<<20 || len(s.DeviceWriteIOps) != 1 || s.DeviceWriteIOps[0].Rate != 100 {
		t.Errorf("docker blkio: %+v, %v", s, err)
	}
	unset := int64(-1)
	s = spec.ContainerSpec{}
	if err := moreHostResources(&s, &container.HostConfig{Resources: container.Resources{MemorySwappiness: &unset}}); err != nil || s.MemorySwappiness != nil || s.OOMScoreAdj != nil {
		t.Errorf("docker defaults: %+v, %v", s, err)
	}

	req := httptest.NewRequest("POST", "/libpod/containers/create", strings.NewReader(`{"image":"i","oom_score_adj":-200,
		"resource_limits":{"memory":{"reservation":67108864,"swappiness":0,"disableOOMKiller":true},"cpu":{"cpus":"0-1","mems":"0"},"blockIO":{"weight":300}}}`))
	ps, err := specFromSpecGenerator(req)
	if err != nil {
		t.Fatal(err)
	}
	if ps.MemoryReservation != 64<<20 || ps.MemorySwappiness == nil || *ps.MemorySwappiness != 0 || !ps.OOMKillDisable ||
		ps.CpusetCPUs != "0-1" || ps.CpusetMems != "0" || ps.BlkioWeight != 300 || ps.OOMScoreAdj == nil || *ps.OOMScoreAdj != -200 {
		t.Errorf("libpod: %+v", ps)
	}
	// Pods take none of them.
	if _, err := podSpecFromGenerator(httptest.NewRequest("POST", "/", strings.NewReader(`{"resource_limits":{"cpu":{"cpus":"0"}}}`))); err == nil {
		t.Error("a pod took resource_limits.cpu.cpus")
	}
}
