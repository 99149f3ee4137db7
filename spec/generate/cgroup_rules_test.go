package generate

import (
	"errors"
	"testing"

	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/spec"
)

// TestDeviceCgroupRulesAndCgroupConf: rules follow the default deny;
// --cgroup-conf lands in the unified resources on cgroup v2 only, and
// a key that is no cgroup file is refused.
func TestDeviceCgroupRulesAndCgroupConf(t *testing.T) {
	ten := int64(10)
	s := &spec.ContainerSpec{Image: "img",
		DeviceCgroupRules: []spec.DeviceCgroupRule{{Type: "c", Major: &ten, Access: "rw"}},
		CgroupConf:        map[string]string{"memory.high": "1073741824"}}
	h := testHost()
	h.CgroupV2 = true
	g, _, err := gen(t, s, testImage(), h)
	if err != nil {
		t.Fatal(err)
	}
	devs := g.Linux.Resources.Devices
	if len(devs) != 2 || devs[0].Allow || !devs[1].Allow || devs[1].Type != "c" || *devs[1].Major != 10 || devs[1].Minor != nil || devs[1].Access != "rw" {
		t.Errorf("device cgroup = %+v", devs)
	}
	if got := g.Linux.Resources.Unified["memory.high"]; got != "1073741824" {
		t.Errorf("unified = %v", g.Linux.Resources.Unified)
	}

	for _, tc := range []struct {
		name string
		v2   bool
		s    spec.ContainerSpec
	}{
		{"v1 host", false, spec.ContainerSpec{Image: "img", CgroupConf: map[string]string{"memory.high": "1"}}},
		{"no dot", true, spec.ContainerSpec{Image: "img", CgroupConf: map[string]string{"memoryhigh": "1"}}},
		{"slash", true, spec.ContainerSpec{Image: "img", CgroupConf: map[string]string{"../memory.high": "1"}}},
		{"bad type", true, spec.ContainerSpec{Image: "img", DeviceCgroupRules: []spec.DeviceCgroupRule{{Type: "x", Access: "r"}}}},
		{"bad access", true, spec.ContainerSpec{Image: "img", DeviceCgroupRules: []spec.DeviceCgroupRule{{Type: "c", Access: "x"}}}},
	} {
		h := testHost()
		h.CgroupV2 = tc.v2
		if _, _, err := gen(t, &tc.s, testImage(), h); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%s: err = %v, want invalid argument", tc.name, err)
		}
	}
}
