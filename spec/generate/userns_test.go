package generate

import (
	"errors"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

func hasUserNS(g *specs.Spec) bool {
	return slices.ContainsFunc(g.Linux.Namespaces, func(n specs.LinuxNamespace) bool { return n.Type == specs.UserNamespace })
}

func sysMount(g *specs.Spec) string {
	for _, m := range g.Mounts {
		if m.Destination == "/sys" {
			return m.Type
		}
	}
	return ""
}

func TestUserNamespace(t *testing.T) {
	defer func(f func() bool) { rootless = f }(rootless)
	rootless = func() bool { return false } // keep-id's error is root's
	m := func(c, h, n uint32) spec.IDMap { return spec.IDMap{ContainerID: c, HostID: h, Size: n} }
	for _, tc := range []struct {
		name    string
		u       spec.UserNS
		network []string
		check   func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig)
		wantErr string
	}{
		{name: "host", check: func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
			if hasUserNS(g) || cfg.UserNS != nil || sysMount(g) != "sysfs" {
				t.Errorf("host: userns %v, config %+v, /sys %s", hasUserNS(g), cfg.UserNS, sysMount(g))
			}
		}},
		{name: "explicit maps", u: spec.UserNS{Mode: "private", UIDMap: []spec.IDMap{m(0, 1000, 10)}, GIDMap: []spec.IDMap{m(0, 2000, 10)}}, network: []string{"none"},
			check: func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
				if !hasUserNS(g) || len(g.Linux.UIDMappings) != 1 || g.Linux.GIDMappings[0].HostID != 2000 || cfg.UserNS.Mode != "private" {
					t.Errorf("maps: %+v %+v %+v", g.Linux.UIDMappings, g.Linux.GIDMappings, cfg.UserNS)
				}
				if sysMount(g) != "sysfs" {
					t.Errorf("--network none keeps sysfs, got %s", sysMount(g))
				}
			}},
		{name: "auto", u: spec.UserNS{Mode: "auto", Size: 500}, check: func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
			if !hasUserNS(g) || len(g.Linux.UIDMappings) != 0 || cfg.UserNS.Mode != "auto" || cfg.UserNS.AutoSize != 500 {
				t.Errorf("auto: %+v %+v", g.Linux.UIDMappings, cfg.UserNS)
			}
			if sysMount(g) != "bind" {
				t.Errorf("an engine-made network namespace needs /sys bound, got %s", sysMount(g))
			}
		}},
		{name: "private without maps is auto", u: spec.UserNS{Mode: "private"}, check: func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
			if cfg.UserNS.Mode != "auto" {
				t.Errorf("private: %+v", cfg.UserNS)
			}
		}},
		{name: "container", u: spec.UserNS{Mode: "container", Path: "web"}, check: func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
			if cfg.Namespaces["user"] != "web" || cfg.UserNS.Mode != "container" {
				t.Errorf("container: %+v %+v", cfg.Namespaces, cfg.UserNS)
			}
		}},
		{name: "overlapping container IDs", u: spec.UserNS{Mode: "private", UIDMap: []spec.IDMap{m(0, 1000, 10), m(5, 5000, 1)}, GIDMap: []spec.IDMap{m(0, 1000, 10)}}, wantErr: "container IDs 0-9 and 5-5 overlap"},
		{name: "overlapping host IDs", u: spec.UserNS{Mode: "private", UIDMap: []spec.IDMap{m(0, 1000, 10)}, GIDMap: []spec.IDMap{m(0, 1000, 10), m(20, 1009, 1)}}, wantErr: "host IDs 1000-1009 and 1009-1009 overlap"},
		{name: "keep-id as root", u: spec.UserNS{Mode: "keep-id"}, wantErr: "keep-id is only supported in rootless mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &spec.ContainerSpec{Image: "img", UserNS: tc.u, Network: tc.network}
			g, cfg, err := gen(t, s, testImage(), testHost())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, define.ErrInvalidArg) {
					t.Fatalf("got %v, want an invalid-argument error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, g, cfg)
		})
	}
}
