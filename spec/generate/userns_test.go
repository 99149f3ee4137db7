package generate

import (
	"errors"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/rootless"
	"github.com/berth-dev/berth/spec"
)

func sysMount(g *specs.Spec) string {
	for _, m := range g.Mounts {
		if m.Destination == "/sys" {
			return m.Type
		}
	}
	return ""
}

func TestUserNamespace(t *testing.T) {
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
			if sysMount(g) != "sysfs" {
				t.Errorf("the default network (a namespace runc makes in the user namespace) keeps sysfs, got %s", sysMount(g))
			}
		}},
		{name: "auto joining a network namespace", u: spec.UserNS{Mode: "auto"}, network: []string{"container:web"}, check: func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
			if sysMount(g) != "bind" {
				t.Errorf("a joined network namespace needs /sys bound, got %s", sysMount(g))
			}
		}},
		{name: "auto on the host network", u: spec.UserNS{Mode: "auto"}, network: []string{"host"}, check: func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
			if sysMount(g) != "bind" {
				t.Errorf("the host network needs /sys bound, got %s", sysMount(g))
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

func TestKeepIDMap(t *testing.T) {
	m := func(c, h, n uint32) specs.LinuxIDMapping {
		return specs.LinuxIDMapping{ContainerID: c, HostID: h, Size: n}
	}
	for _, tc := range []struct {
		id, total uint32
		want      []specs.LinuxIDMapping
	}{
		// A user 1000 with 65536 subordinate IDs: 0-999 are the first
		// subordinate ones, 1000 the user, 1001-65536 themselves.
		{1000, 65537, []specs.LinuxIDMapping{m(0, 1, 1000), m(1000, 0, 1), m(1001, 1001, 64536)}},
		{0, 65537, []specs.LinuxIDMapping{m(0, 0, 1), m(1, 1, 65536)}},
		// An ID above the namespace's: all subordinate IDs below it.
		{100000, 65537, []specs.LinuxIDMapping{m(0, 1, 65536), m(100000, 0, 1)}},
	} {
		if got := keepIDMap(tc.id, tc.total); !slices.Equal(got, tc.want) {
			t.Errorf("keepIDMap(%d, %d) = %v, want %v", tc.id, tc.total, got, tc.want)
		}
	}
}

func TestRootlessUserNamespace(t *testing.T) {
	host := testHost()
	host.Rootless = true
	host.RootlessIDs = &RootlessIDs{UID: 1000, GID: 1001, UIDs: 65537, GIDs: 65537}
	uid := uint32(7)
	for _, tc := range []struct {
		name    string
		s       spec.ContainerSpec
		user    string
		uidMap  []specs.LinuxIDMapping
		wantErr string
	}{
		{name: "keep-id", s: spec.ContainerSpec{UserNS: spec.UserNS{Mode: "keep-id"}}, user: "1000:1001",
			uidMap: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: 1000}, {ContainerID: 1000, HostID: 0, Size: 1}, {ContainerID: 1001, HostID: 1001, Size: 64536}}},
		{name: "keep-id:uid=7", s: spec.ContainerSpec{UserNS: spec.UserNS{Mode: "keep-id", UID: &uid}}, user: "7:1001",
			uidMap: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: 7}, {ContainerID: 7, HostID: 0, Size: 1}, {ContainerID: 8, HostID: 8, Size: 65529}}},
		{name: "keep-id with --user", s: spec.ContainerSpec{User: "5", UserNS: spec.UserNS{Mode: "keep-id"}}, user: "5"},
		{name: "nomap", s: spec.ContainerSpec{UserNS: spec.UserNS{Mode: "nomap"}},
			uidMap: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: 65536}}},
		{name: "keep-id with --uidmap", s: spec.ContainerSpec{UserNS: spec.UserNS{Mode: "keep-id", UIDMap: []spec.IDMap{{Size: 1}}}}, wantErr: "cannot be combined with --uidmap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			s.Image = "img"
			g, cfg, err := gen(t, &s, testImage(), host)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, define.ErrInvalidArg) {
					t.Fatalf("got %v, want an invalid-argument error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !hasUserNS(g) || cfg.UserNS == nil || cfg.UserNS.Mode != s.UserNS.Mode {
				t.Fatalf("no user namespace: %+v", cfg.UserNS)
			}
			if tc.uidMap != nil && (!slices.Equal(g.Linux.UIDMappings, tc.uidMap) || !slices.Equal(cfg.UserNS.UIDMap, tc.uidMap)) {
				t.Errorf("uid map: spec %v, config %v, want %v", g.Linux.UIDMappings, cfg.UserNS.UIDMap, tc.uidMap)
			}
			if tc.user != "" && cfg.User != tc.user {
				t.Errorf("user: got %q, want %q", cfg.User, tc.user)
			}
		})
	}
}

func TestUsernsMountsMqueue(t *testing.T) {
	mq := func(g *specs.Spec) bool {
		return slices.ContainsFunc(g.Mounts, func(m specs.Mount) bool { return m.Destination == "/dev/mqueue" })
	}
	member := Placement{Pod: &PodPlacement{HasInfra: true, SharesIPC: true}}
	for _, tc := range []struct {
		name string
		s    spec.ContainerSpec
		p    Placement
		want bool
	}{
		{"own IPC namespace", spec.ContainerSpec{UserNS: spec.UserNS{Mode: "auto"}}, Placement{}, true},
		{"--ipc container:X", spec.ContainerSpec{UserNS: spec.UserNS{Mode: "auto"}, IPC: "container:x"}, Placement{}, false},
		{"a pod member sharing IPC", spec.ContainerSpec{UserNS: spec.UserNS{Mode: "auto"}}, member, false},
		{"a pod member without a user namespace", spec.ContainerSpec{}, member, true},
		{"a pod not sharing IPC", spec.ContainerSpec{UserNS: spec.UserNS{Mode: "auto"}}, Placement{Pod: &PodPlacement{HasInfra: true}}, true},
	} {
		g := &specs.Spec{Mounts: []specs.Mount{{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue"}}}
		usernsMounts(g, &tc.s, tc.p)
		if mq(g) != tc.want {
			t.Errorf("%s: /dev/mqueue mounted %v, want %v", tc.name, mq(g), tc.want)
		}
	}
}

// A rootless container's maps are in IDs of berth's namespace: an
// /etc/subuid entry is translated into them, and a map beyond them is
// refused in one line.
func TestRootlessIDRanges(t *testing.T) {
	own := []rootless.IDMap{{ContainerID: 0, HostID: 43000, Size: 1}, {ContainerID: 1, HostID: 80000000, Size: 65536}}
	got, err := insideRootlessNS([]spec.IDMap{{ContainerID: 0, HostID: 80000000, Size: 65536}}, own, "/etc/subuid")
	if err != nil || len(got) != 1 || got[0].HostID != 1 || got[0].Size != 65536 {
		t.Errorf("the user's own subordinate range: %+v %v", got, err)
	}
	if _, err := insideRootlessNS([]spec.IDMap{{ContainerID: 0, HostID: 90000000, Size: 10}}, own, "/etc/subuid"); err == nil || !strings.Contains(err.Error(), "host IDs 90000000-90000009 of /etc/subuid are not in the rootless user namespace") {
		t.Errorf("another user's range: %v", err)
	}
	if err := checkRootlessRange("--uidmap", []specs.LinuxIDMapping{{ContainerID: 0, HostID: 0, Size: 65537}}, 65537); err != nil {
		t.Errorf("the whole namespace: %v", err)
	}
	err = checkRootlessRange("--uidmap", []specs.LinuxIDMapping{{ContainerID: 0, HostID: 60000, Size: 10000}}, 65537)
	if err == nil || !errors.Is(err, define.ErrInvalidArg) || !strings.Contains(err.Error(), "IDs 60000-69999 are beyond the rootless user namespace's IDs 0-65536") {
		t.Errorf("beyond the namespace: %v", err)
	}
}
