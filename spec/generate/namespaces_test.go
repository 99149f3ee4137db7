package generate

import (
	"errors"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

func TestParseNamespace(t *testing.T) {
	tests := []struct {
		flag, value, def string
		want             NamespaceMode
		wantErr          string
	}{
		{"pid", "", "private", NamespaceMode{Mode: "private"}, ""},
		{"pid", "host", "private", NamespaceMode{Mode: "host"}, ""},
		{"uts", "private", "private", NamespaceMode{Mode: "private"}, ""},
		{"ipc", "", "shareable", NamespaceMode{Mode: "shareable"}, ""},
		{"ipc", "shareable", "shareable", NamespaceMode{Mode: "shareable"}, ""},
		{"ipc", "none", "shareable", NamespaceMode{Mode: "none"}, ""},
		{"pid", "container:web", "private", NamespaceMode{Mode: "container", Value: "web"}, ""},
		{"cgroupns", "ns:/proc/9/ns/cgroup", "host", NamespaceMode{Mode: "ns", Value: "/proc/9/ns/cgroup"}, ""},
		{"pid", "none", "private", NamespaceMode{}, `--pid "none": unrecognized namespace mode none passed`},
		{"uts", "shareable", "private", NamespaceMode{}, "unrecognized namespace mode shareable passed"},
		{"ipc", "bogus", "shareable", NamespaceMode{}, "unrecognized namespace mode bogus passed"},
		{"ipc", "container:", "shareable", NamespaceMode{}, `must provide name or ID or a container when specifying "container:"`},
		{"uts", "ns:", "private", NamespaceMode{}, "absolute path"},
		{"uts", "ns:rel/path", "private", NamespaceMode{}, "absolute path"},
	}
	for _, tt := range tests {
		t.Run(tt.flag+"="+tt.value, func(t *testing.T) {
			got, err := ParseNamespace(tt.flag, tt.value, tt.def)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, define.ErrInvalidArg) {
					t.Fatalf("ParseNamespace(%q, %q) = %v, want an invalid-argument error with %q", tt.flag, tt.value, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseNamespace(%q, %q) = %+v, %v, want %+v", tt.flag, tt.value, got, err, tt.want)
			}
		})
	}
}

func TestNamespacesInSpec(t *testing.T) {
	ns := func(g *specs.Spec) map[specs.LinuxNamespaceType]string {
		m := map[specs.LinuxNamespaceType]string{}
		for _, n := range g.Linux.Namespaces {
			m[n.Type] = "new"
			if n.Path != "" {
				m[n.Type] = n.Path
			}
		}
		return m
	}
	shm := func(g *specs.Spec) string {
		for _, m := range g.Mounts {
			if m.Destination == "/dev/shm" {
				return m.Type + ":" + m.Source
			}
		}
		return ""
	}
	tests := []struct {
		name     string
		s        spec.ContainerSpec
		v2       bool
		wantNS   map[specs.LinuxNamespaceType]string
		wantIPC  string
		wantJoin map[string]string
		wantShm  string
	}{
		{"defaults v1", spec.ContainerSpec{}, false,
			map[specs.LinuxNamespaceType]string{"pid": "new", "ipc": "new", "uts": "new", "mount": "new", "network": "new"}, "", nil, "tmpfs:shm"},
		{"defaults v2", spec.ContainerSpec{}, true,
			map[specs.LinuxNamespaceType]string{"pid": "new", "ipc": "new", "uts": "new", "mount": "new", "network": "new", "cgroup": "new"}, "", nil, "tmpfs:shm"},
		{"host", spec.ContainerSpec{Pid: "host", IPC: "host", UTS: "host", CgroupNS: "host"}, true,
			map[specs.LinuxNamespaceType]string{"mount": "new", "network": "new"}, "host", nil, "bind:/dev/shm"},
		{"containers", spec.ContainerSpec{Pid: "container:a", IPC: "container:b", UTS: "container:a", CgroupNS: "container:a"}, false,
			map[specs.LinuxNamespaceType]string{"pid": "new", "ipc": "new", "uts": "new", "mount": "new", "network": "new", "cgroup": "new"}, "",
			map[string]string{"pid": "a", "ipc": "b", "uts": "a", "cgroup": "a"}, "tmpfs:shm"},
		{"paths", spec.ContainerSpec{Pid: "ns:/p", IPC: "ns:/i", UTS: "ns:/u", CgroupNS: "ns:/c"}, false,
			map[specs.LinuxNamespaceType]string{"pid": "/p", "ipc": "/i", "uts": "/u", "mount": "new", "network": "new", "cgroup": "/c"}, "private", nil, "tmpfs:shm"},
		{"ipc none", spec.ContainerSpec{IPC: "none", CgroupNS: "private"}, false,
			map[specs.LinuxNamespaceType]string{"pid": "new", "ipc": "new", "uts": "new", "mount": "new", "network": "new", "cgroup": "new"}, "none", nil, ""},
		{"ipc private", spec.ContainerSpec{IPC: "private"}, false,
			map[specs.LinuxNamespaceType]string{"pid": "new", "ipc": "new", "uts": "new", "mount": "new", "network": "new"}, "private", nil, "tmpfs:shm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, cfg, err := gen(t, &tt.s, testImage(), Host{CgroupV2: tt.v2})
			if err != nil {
				t.Fatal(err)
			}
			got := ns(g)
			if len(got) != len(tt.wantNS) {
				t.Errorf("namespaces = %v, want %v", got, tt.wantNS)
			}
			for k, v := range tt.wantNS {
				if got[k] != v {
					t.Errorf("namespace %s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			if cfg.IpcMode != tt.wantIPC {
				t.Errorf("IpcMode = %q, want %q", cfg.IpcMode, tt.wantIPC)
			}
			if len(cfg.Namespaces) != len(tt.wantJoin) {
				t.Errorf("Namespaces = %v, want %v", cfg.Namespaces, tt.wantJoin)
			}
			for k, v := range tt.wantJoin {
				if cfg.Namespaces[k] != v {
					t.Errorf("Namespaces[%s] = %q, want %q", k, cfg.Namespaces[k], v)
				}
			}
			if got := shm(g); got != tt.wantShm {
				t.Errorf("/dev/shm mount = %q, want %q", got, tt.wantShm)
			}
		})
	}
}

func TestHostnameNeedsOwnUTS(t *testing.T) {
	for _, uts := range []string{"host", "container:a", "ns:/u"} {
		_, _, err := gen(t, &spec.ContainerSpec{UTS: uts, Hostname: "h"}, testImage(), Host{})
		if err == nil || !strings.Contains(err.Error(), "cannot set hostname when running in the host UTS namespace") {
			t.Errorf("--uts %s --hostname h: err = %v", uts, err)
		}
	}
	if _, _, err := gen(t, &spec.ContainerSpec{UTS: "private", Hostname: "h"}, testImage(), Host{}); err != nil {
		t.Errorf("--uts private --hostname h: %v", err)
	}
}
