package storage

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/idtools"
)

func TestAllocate(t *testing.T) {
	const p = DefaultAutoPoolStart
	for _, tc := range []struct {
		name  string
		size  uint32
		extra []specs.LinuxIDMapping
		used  []interval
		want  []idtools.IDMap
	}{
		{"empty pool", 10, nil, nil, []idtools.IDMap{{ContainerID: 0, HostID: p, Size: 10}}},
		{"after a used range", 10, nil, []interval{{p, p + 5}}, []idtools.IDMap{{ContainerID: 0, HostID: p + 5, Size: 10}}},
		{"in a gap big enough", 10, nil, []interval{{p + 20, p + 30}, {p, p + 5}}, []idtools.IDMap{{ContainerID: 0, HostID: p + 5, Size: 10}}},
		{"gap too small", 10, nil, []interval{{p, p + 5}, {p + 8, p + 30}}, []idtools.IDMap{{ContainerID: 0, HostID: p + 30, Size: 10}}},
		{"outside the pool ignored", 10, nil, []interval{{0, 1000}}, []idtools.IDMap{{ContainerID: 0, HostID: p, Size: 10}}},
		{"extra mapping carved out", 10, []specs.LinuxIDMapping{{ContainerID: 3, HostID: 5000, Size: 2}}, nil, []idtools.IDMap{
			{ContainerID: 0, HostID: p, Size: 3}, {ContainerID: 5, HostID: p + 3, Size: 5}, {ContainerID: 3, HostID: 5000, Size: 2}}},
	} {
		got, err := allocate(tc.size, tc.extra, tc.used, interval{DefaultAutoPoolStart, DefaultAutoPoolStart + DefaultAutoPoolSize})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
				break
			}
		}
	}
	if _, err := allocate(100, nil, []interval{{p, p + DefaultAutoPoolSize - 50}}, interval{DefaultAutoPoolStart, DefaultAutoPoolStart + DefaultAutoPoolSize}); err == nil {
		t.Error("a full pool: want an error")
	}
}
