package generate

import (
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// TestUpdateHealth: only the settings given change; --no-healthcheck
// removes the check; a container without one needs a command.
func TestUpdateHealth(t *testing.T) {
	cur := health(&spec.HealthConfig{Test: []string{"CMD-SHELL", "old"}, OnFailure: "kill"}, nil)
	iv := 5 * time.Second
	n := uint(1)
	got, err := UpdateHealth(cur, &spec.HealthConfig{Interval: &iv, MaxLogCount: &n})
	if err != nil || got.Check.Interval != iv || got.Check.Test[1] != "old" || got.OnFailure != "kill" || got.MaxLogCount != 1 ||
		got.Check.Retries != define.DefaultHealthRetries || cur.Check.Interval == iv {
		t.Errorf("UpdateHealth = %+v %v (the current one: %+v)", got, err, cur.Check)
	}
	if got, err := UpdateHealth(cur, &spec.HealthConfig{Disable: true}); got != nil || err != nil {
		t.Errorf("disable: %+v %v", got, err)
	}
	if _, err := UpdateHealth(nil, &spec.HealthConfig{Interval: &iv}); err == nil {
		t.Errorf("no check and no command: no error")
	}
}

// TestMergeBlockIODevices: an update's device replaces the same device's
// entry and keeps the others.
func TestMergeBlockIODevices(t *testing.T) {
	td := func(major, minor int64, rate uint64) specs.LinuxThrottleDevice {
		d := specs.LinuxThrottleDevice{Rate: rate}
		d.Major, d.Minor = major, minor
		return d
	}
	cur := &specs.LinuxBlockIO{ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{td(8, 0, 1), td(8, 16, 2)}}
	mergeBlockIODevices(cur, &specs.LinuxBlockIO{ThrottleReadBpsDevice: []specs.LinuxThrottleDevice{td(8, 16, 9), td(254, 0, 3)}})
	want := []specs.LinuxThrottleDevice{td(8, 0, 1), td(8, 16, 9), td(254, 0, 3)}
	if len(cur.ThrottleReadBpsDevice) != 3 {
		t.Fatalf("merged %+v", cur.ThrottleReadBpsDevice)
	}
	for i, d := range want {
		if cur.ThrottleReadBpsDevice[i] != d {
			t.Errorf("entry %d = %+v, want %+v", i, cur.ThrottleReadBpsDevice[i], d)
		}
	}
}
