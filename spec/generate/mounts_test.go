package generate

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

func TestDefaultMounts(t *testing.T) {
	g, cfg, err := gen(t, &spec.ContainerSpec{}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	var dests []string
	for _, m := range g.Mounts {
		dests = append(dests, m.Destination)
	}
	want := []string{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"}
	if !reflect.DeepEqual(dests, want) {
		t.Errorf("mounts = %v, want %v", dests, want)
	}
	if m := findMount(g, "/dev/shm"); !slices.Contains(m.Options, "size=67108864") || !slices.Contains(m.Options, "mode=1777") {
		t.Errorf("/dev/shm options %v", m.Options)
	}
	if m := findMount(g, "/dev/pts"); !reflect.DeepEqual(m.Options, []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}) {
		t.Errorf("/dev/pts options %v", m.Options)
	}
	if m := findMount(g, "/sys/fs/cgroup"); m.Type != "cgroup" || !slices.Contains(m.Options, "ro") {
		t.Errorf("/sys/fs/cgroup %+v", m)
	}
	if len(cfg.UserVolumes) != 0 {
		t.Errorf("user volumes %v", cfg.UserVolumes)
	}
}

func TestUserMounts(t *testing.T) {
	src := t.TempDir()
	file := filepath.Join(src, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		s    spec.ContainerSpec
		want []specs.Mount
	}{
		{"bind rw", spec.ContainerSpec{Mounts: vols(t, src+":/data")},
			[]specs.Mount{{Destination: "/data", Type: "bind", Source: src, Options: []string{"rbind", "rprivate"}}}},
		{"bind ro z shared", spec.ContainerSpec{Mounts: vols(t, file+":/etc/f:ro,z,rshared")},
			[]specs.Mount{{Destination: "/etc/f", Type: "bind", Source: file, Options: []string{"rbind", "ro", "rshared"}}}},
		{"mount bind", spec.ContainerSpec{Mounts: mnts(t, "type=bind,src="+src+",dst=/x,readonly")},
			[]specs.Mount{{Destination: "/x", Type: "bind", Source: src, Options: []string{"rbind", "ro", "rprivate"}}}},
		{"bind U", spec.ContainerSpec{Mounts: vols(t, src+":/data:U,ro")},
			[]specs.Mount{{Destination: "/data", Type: "bind", Source: src, Options: []string{"rbind", "ro", "U", "rprivate"}}}},
		{"mount bind U", spec.ContainerSpec{Mounts: mnts(t, "type=bind,src="+src+",dst=/x,U=true")},
			[]specs.Mount{{Destination: "/x", Type: "bind", Source: src, Options: []string{"rbind", "U", "rprivate"}}}},
		{"mount bind chown false", spec.ContainerSpec{Mounts: mnts(t, "type=bind,src="+src+",dst=/x,chown=false")},
			[]specs.Mount{{Destination: "/x", Type: "bind", Source: src, Options: []string{"rbind", "rprivate"}}}},
		{"overlay", spec.ContainerSpec{Mounts: vols(t, src+":/o:O")},
			[]specs.Mount{{Destination: "/o", Type: "overlay", Source: src, Options: nil}}},
		{"overlay U", spec.ContainerSpec{Mounts: vols(t, src+":/o:U,O")},
			[]specs.Mount{{Destination: "/o", Type: "overlay", Source: src, Options: []string{"U"}}}},
		{"overlay own dirs", spec.ContainerSpec{Mounts: vols(t, src+":/o:O,upperdir="+src+",workdir="+src)},
			[]specs.Mount{{Destination: "/o", Type: "overlay", Source: src, Options: []string{"upperdir=" + src, "workdir=" + src}}}},
		{"mount tmpfs", spec.ContainerSpec{Mounts: mnts(t, "type=tmpfs,target=/cache,tmpfs-size=1m,tmpfs-mode=1770")},
			[]specs.Mount{{Destination: "/cache", Type: "tmpfs", Source: "tmpfs", Options: []string{"rw", "noexec", "nosuid", "nodev", "size=1048576", "mode=1770"}}}},
		{"tmpfs defaults", spec.ContainerSpec{Mounts: tmpfs(t, "/scratch")},
			[]specs.Mount{{Destination: "/scratch", Type: "tmpfs", Source: "tmpfs", Options: []string{"rw", "noexec", "nosuid", "nodev"}}}},
		{"tmpfs opts", spec.ContainerSpec{Mounts: tmpfs(t, "/scratch:exec,size=10m,mode=700")},
			[]specs.Mount{{Destination: "/scratch", Type: "tmpfs", Source: "tmpfs", Options: []string{"rw", "nosuid", "nodev", "exec", "size=10485760", "mode=700"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, cfg, err := gen(t, &tt.s, testImage(), testHost())
			if err != nil {
				t.Fatal(err)
			}
			got := g.Mounts[len(g.Mounts)-len(tt.want):]
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("user mounts =\n%+v\nwant\n%+v", got, tt.want)
			}
			if len(cfg.UserVolumes) != len(tt.want) || cfg.UserVolumes[0] != tt.want[0].Destination {
				t.Errorf("user volumes %v", cfg.UserVolumes)
			}
		})
	}
}

// TestOverlayOptionsRefused: podman's rules for O; anything else is one
// clear error before anything is created.
func TestOverlayOptionsRefused(t *testing.T) {
	src := t.TempDir()
	file := filepath.Join(src, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, v, want string }{
		{"ro", src + ":/o:O,ro", "O (overlay) can be combined only with U, or with upperdir and workdir"},
		{"propagation", src + ":/o:O,rshared", "can be combined only"},
		{"z", src + ":/o:O,z", "can be combined only"},
		{"U and dirs", src + ":/o:O,U,upperdir=" + src + ",workdir=" + src, "can be combined only"},
		{"upper only", src + ":/o:O,upperdir=" + src, "needs both upperdir and workdir"},
		{"work only", src + ":/o:O,workdir=" + src, "needs both upperdir and workdir"},
		{"dirs without O", src + ":/o:upperdir=" + src + ",workdir=" + src, "upperdir and workdir are options of O"},
		{"relative upper", src + ":/o:O,upperdir=up,workdir=" + src, "must be an absolute path"},
		{"missing upper", src + ":/o:O,upperdir=/nonexistent/up,workdir=" + src, "overlay directory /nonexistent/up"},
		{"upper twice", src + ":/o:O,upperdir=" + src + ",upperdir=" + src + ",workdir=" + src, "upperdir given more than once"},
		{"file source", file + ":/o:O", "O (overlay) needs a directory"},
		{"volume with ro", "vol:/o:O,ro", "can be combined only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := volumeThenGenerate(tt.v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("-v %s: err = %v, want %q", tt.v, err, tt.want)
			}
		})
	}
}

// TestOverlayVolume: O on a named or anonymous volume stays with the
// volume's options; the engine lays the overlay at start.
func TestOverlayVolume(t *testing.T) {
	_, cfg, err := gen(t, &spec.ContainerSpec{Mounts: vols(t, "vol:/o:O", "/anon:O,U")}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	want := []define.VolumeMount{
		{Name: "vol", Dest: "/o", Options: []string{"O"}},
		{Dest: "/anon", Options: []string{"U", "O"}},
	}
	if !reflect.DeepEqual(cfg.Volumes, want) {
		t.Errorf("volumes = %+v\nwant %+v", cfg.Volumes, want)
	}
}

func TestUserMountReplacesDefault(t *testing.T) {
	g, _, err := gen(t, &spec.ContainerSpec{Mounts: tmpfs(t, "/dev/shm:size=1g")}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range g.Mounts {
		if m.Destination == "/dev/shm" {
			n++
			if !slices.Contains(m.Options, "size=1073741824") {
				t.Errorf("/dev/shm = %+v, want the user's", m)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d /dev/shm mounts, want 1", n)
	}
}

func TestInit(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "catatonit")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := testHost()
	h.InitPath = bin
	g, cfg, err := gen(t, &spec.ContainerSpec{Init: true, Command: []string{"sleep", "1"}}, testImage(), h)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{InitMountPath, "--", "/entry", "sleep", "1"}; !reflect.DeepEqual(g.Process.Args, want) {
		t.Errorf("args = %q, want %q", g.Process.Args, want)
	}
	m := findMount(g, InitMountPath)
	if m == nil || m.Source != bin || !slices.Contains(m.Options, "ro") {
		t.Errorf("init mount = %+v", m)
	}
	if !cfg.Init || cfg.InitPath != bin || !reflect.DeepEqual(cfg.Command, []string{"/entry", "sleep", "1"}) {
		t.Errorf("config init %v %q command %q", cfg.Init, cfg.InitPath, cfg.Command)
	}
}

func TestDevices(t *testing.T) {
	g, _, err := gen(t, &spec.ContainerSpec{Devices: []spec.Device{{Source: "/dev/null", Destination: "/dev/mynull", Permissions: "rw"}, {Source: "/dev/zero"}}}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Linux.Devices) != 2 {
		t.Fatalf("devices = %+v", g.Linux.Devices)
	}
	d := g.Linux.Devices[0]
	if d.Path != "/dev/mynull" || d.Type != "c" || d.Major != 1 || d.Minor != 3 {
		t.Errorf("device = %+v, want /dev/mynull c 1:3", d)
	}
	rules := g.Linux.Resources.Devices
	if len(rules) != 3 || rules[0].Allow || !rules[1].Allow || rules[1].Access != "rw" || *rules[1].Major != 1 || *rules[1].Minor != 3 {
		t.Errorf("device rules = %+v", rules)
	}
	if g.Linux.Devices[1].Path != "/dev/zero" || rules[2].Access != "rwm" {
		t.Errorf("second device %+v rule %+v", g.Linux.Devices[1], rules[2])
	}
}

func TestNamespacesAndNetwork(t *testing.T) {
	nsTypes := func(g *specs.Spec) map[specs.LinuxNamespaceType]string {
		m := map[specs.LinuxNamespaceType]string{}
		for _, n := range g.Linux.Namespaces {
			m[n.Type] = n.Path
		}
		return m
	}
	tests := []struct {
		name         string
		network      []string
		v2           bool
		wantMode     string
		wantNetworks []string
		wantNet      bool
		wantNetPath  string
	}{
		{name: "default", wantMode: "", wantNet: true},
		{name: "host", network: []string{"host"}, wantMode: "host"},
		{name: "none", network: []string{"none"}, wantMode: "none", wantNet: true},
		{name: "bridge", network: []string{"bridge"}, wantMode: "bridge", wantNet: true},
		{name: "names", network: []string{"a", "b:ip=10.0.0.5"}, wantMode: "bridge", wantNetworks: []string{"a", "b"}, wantNet: true},
		{name: "container", network: []string{"container:web"}, wantMode: "container:web", wantNet: true},
		{name: "ns path", network: []string{"ns:/run/netns/x"}, wantMode: "ns:/run/netns/x", wantNet: true, wantNetPath: "/run/netns/x"},
		{name: "cgroup v2", v2: true, wantNet: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testHost()
			h.CgroupV2 = tt.v2
			g, cfg, err := gen(t, &spec.ContainerSpec{Network: tt.network}, testImage(), h)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.NetMode != tt.wantMode || !reflect.DeepEqual(cfg.Networks, tt.wantNetworks) {
				t.Errorf("mode %q networks %v, want %q %v", cfg.NetMode, cfg.Networks, tt.wantMode, tt.wantNetworks)
			}
			ns := nsTypes(g)
			for _, typ := range []specs.LinuxNamespaceType{specs.PIDNamespace, specs.IPCNamespace, specs.UTSNamespace, specs.MountNamespace} {
				if _, ok := ns[typ]; !ok {
					t.Errorf("no %s namespace", typ)
				}
			}
			p, ok := ns[specs.NetworkNamespace]
			if ok != tt.wantNet || p != tt.wantNetPath {
				t.Errorf("network namespace present %v path %q, want %v %q", ok, p, tt.wantNet, tt.wantNetPath)
			}
			if _, ok := ns[specs.CgroupNamespace]; ok != tt.v2 {
				t.Errorf("cgroup namespace %v, want %v", ok, tt.v2)
			}
		})
	}
}
