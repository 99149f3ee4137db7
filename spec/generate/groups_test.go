package generate

import (
	"reflect"
	"slices"
	"testing"

	"github.com/berth-dev/berth/spec"
)

// TestGroupAdd checks that --group-add values, names included, reach the
// container's config as given: the engine resolves them at init, after
// the user lookup that sets the spec's AdditionalGids.
func TestGroupAdd(t *testing.T) {
	g, cfg, err := gen(t, &spec.ContainerSpec{GroupAdd: []string{"audio", "1234", "wheel"}}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"audio", "1234", "wheel"}; !reflect.DeepEqual(cfg.Groups, want) {
		t.Errorf("config Groups = %v, want %v", cfg.Groups, want)
	}
	if len(g.Process.User.AdditionalGids) != 0 {
		t.Errorf("spec AdditionalGids = %v, want none before the engine's lookup", g.Process.User.AdditionalGids)
	}
	_, cfg, err = gen(t, &spec.ContainerSpec{}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Groups != nil {
		t.Errorf("config Groups without --group-add = %v, want nil", cfg.Groups)
	}
}

// TestCapabilityChanges checks inspect's CapAdd/CapDrop against podman's
// derivation from the bounding set.
func TestCapabilityChanges(t *testing.T) {
	tests := []struct {
		name              string
		s                 spec.ContainerSpec
		wantAdd, wantDrop []string
	}{
		{name: "default"},
		{name: "add and drop", s: spec.ContainerSpec{CapAdd: []string{"net_admin", "CAP_SYS_TIME", "chown"}, CapDrop: []string{"sys_chroot", "KILL"}},
			wantAdd: []string{"CAP_NET_ADMIN", "CAP_SYS_TIME"}, wantDrop: []string{"CAP_KILL", "CAP_SYS_CHROOT"}},
		{name: "drop all", s: spec.ContainerSpec{CapDrop: []string{"all"}}, wantDrop: slices.Sorted(slices.Values(DefaultCapabilities))},
		{name: "privileged", s: spec.ContainerSpec{Privileged: true}},
		{name: "privileged drop", s: spec.ContainerSpec{Privileged: true, CapDrop: []string{"chown"}}, wantDrop: []string{"CAP_CHOWN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, cfg, err := gen(t, &tt.s, testImage(), testHost())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.CapAdd, tt.wantAdd) || !reflect.DeepEqual(cfg.CapDrop, tt.wantDrop) {
				t.Errorf("CapAdd, CapDrop = %v, %v; want %v, %v", cfg.CapAdd, cfg.CapDrop, tt.wantAdd, tt.wantDrop)
			}
		})
	}
	// --cap-add all lists everything beyond the defaults.
	add, drop := capabilityChanges(allCaps(), false)
	if len(drop) != 0 || len(add) != len(allCaps())-len(DefaultCapabilities) {
		t.Errorf("all caps: add %d, drop %v; want %d added, none dropped", len(add), drop, len(allCaps())-len(DefaultCapabilities))
	}
}
