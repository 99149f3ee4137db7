package generate

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/spec"
)

// testHost is a host with a small hard nofile limit and a known env.
func testHost() Host {
	return Host{
		Env:           []string{"FROMHOST=hostval", "PATH=/host/bin", "EMPTY="},
		CgroupManager: "cgroupfs",
		NumCPU:        4,
		HardRlimit: func(res int) (uint64, error) {
			switch res {
			case rlimitNums["RLIMIT_NOFILE"]:
				return 20000, nil
			case rlimitNums["RLIMIT_NPROC"]:
				return math.MaxUint64, nil
			}
			return math.MaxUint64, nil
		},
	}
}

func testImage() *define.Image {
	return &define.Image{
		ID: "sha256img",
		Config: v1.ImageConfig{
			Env:        []string{"PATH=/img/bin", "IMGVAR=1"},
			Entrypoint: []string{"/entry"},
			Cmd:        []string{"img-cmd", "arg"},
			WorkingDir: "/srv",
			User:       "app",
			Labels:     map[string]string{"a": "img", "b": "img"},
			StopSignal: "SIGQUIT",
		},
	}
}

// gen runs Container and applies the options to a config record.
func gen(t *testing.T, s *spec.ContainerSpec, img *define.Image, h Host) (*specs.Spec, *define.ContainerConfig, error) {
	t.Helper()
	g, opts, err := Container(s, img, h, Placement{})
	if err != nil {
		return nil, nil, err
	}
	return g, applied(t, opts), nil
}

// applied is the config the engine options make.
func applied(t *testing.T, opts []engine.CtrOption) *define.ContainerConfig {
	t.Helper()
	cfg := &define.ContainerConfig{}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			t.Fatalf("applying option: %v", err)
		}
	}
	return cfg
}

func TestCommand(t *testing.T) {
	noEntry := testImage()
	noEntry.Config.Entrypoint = nil
	empty := testImage()
	empty.Config.Entrypoint, empty.Config.Cmd = nil, nil
	tests := []struct {
		name     string
		s        spec.ContainerSpec
		img      *define.Image
		wantArgs []string
		wantEP   []string
		wantCmd  []string
		wantErr  string
	}{
		{name: "image entrypoint and cmd", img: testImage(), wantArgs: []string{"/entry", "img-cmd", "arg"}, wantEP: []string{"/entry"}, wantCmd: []string{"img-cmd", "arg"}},
		{name: "user command replaces cmd", s: spec.ContainerSpec{Command: []string{"ls", "-l"}}, img: testImage(), wantArgs: []string{"/entry", "ls", "-l"}, wantEP: []string{"/entry"}, wantCmd: []string{"ls", "-l"}},
		{name: "entrypoint clears image cmd", s: spec.ContainerSpec{Entrypoint: []string{"/bin/sh"}, EntrypointSet: true}, img: testImage(), wantArgs: []string{"/bin/sh"}, wantEP: []string{"/bin/sh"}},
		{name: "entrypoint plus command", s: spec.ContainerSpec{Entrypoint: []string{"/bin/sh", "-c"}, EntrypointSet: true, Command: []string{"echo hi"}}, img: testImage(), wantArgs: []string{"/bin/sh", "-c", "echo hi"}, wantEP: []string{"/bin/sh", "-c"}, wantCmd: []string{"echo hi"}},
		{name: "empty entrypoint clears", s: spec.ContainerSpec{Entrypoint: []string{""}, EntrypointSet: true, Command: []string{"true"}}, img: testImage(), wantArgs: []string{"true"}, wantCmd: []string{"true"}},
		{name: "empty entrypoint nil slice", s: spec.ContainerSpec{EntrypointSet: true, Command: []string{"true"}}, img: testImage(), wantArgs: []string{"true"}, wantCmd: []string{"true"}},
		{name: "empty entrypoint no command", s: spec.ContainerSpec{Entrypoint: []string{""}, EntrypointSet: true}, img: testImage(), wantErr: "no command or entrypoint provided, and no CMD or ENTRYPOINT from image"},
		{name: "image cmd only", img: noEntry, wantArgs: []string{"img-cmd", "arg"}, wantCmd: []string{"img-cmd", "arg"}},
		{name: "nothing at all", img: empty, wantErr: "no command or entrypoint provided"},
		{name: "command only", s: spec.ContainerSpec{Command: []string{"sh"}}, img: empty, wantArgs: []string{"sh"}, wantCmd: []string{"sh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, cfg, err := gen(t, &tt.s, tt.img, testHost())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if !errors.Is(err, define.ErrInvalidArg) {
					t.Errorf("error %v does not wrap ErrInvalidArg", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g.Process.Args, tt.wantArgs) {
				t.Errorf("args = %q, want %q", g.Process.Args, tt.wantArgs)
			}
			if !reflect.DeepEqual(cfg.Entrypoint, tt.wantEP) || !reflect.DeepEqual(cfg.Cmd, tt.wantCmd) {
				t.Errorf("recorded entrypoint %q cmd %q, want %q %q", cfg.Entrypoint, cfg.Cmd, tt.wantEP, tt.wantCmd)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	dir := t.TempDir()
	f1 := filepath.Join(dir, "one.env")
	if err := os.WriteFile(f1, []byte("# comment\n\nA=file1\n  B=with spaces \nFROMHOST\nUNSETVAR\nQ=\"quoted\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f2 := filepath.Join(dir, "two.env")
	if err := os.WriteFile(f2, []byte("A=file2\nC=3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.env")
	if err := os.WriteFile(bad, []byte("OK=1\nBAD KEY=2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		s       spec.ContainerSpec
		want    []string
		wantErr string
	}{
		{
			name: "defaults and image",
			want: []string{"PATH=/img/bin", "container=berth", "IMGVAR=1"},
		},
		{
			name: "terminal and hostname",
			s:    spec.ContainerSpec{Terminal: true, Hostname: "web"},
			want: []string{"PATH=/img/bin", "container=berth", "TERM=xterm", "HOSTNAME=web", "IMGVAR=1"},
		},
		{
			name: "env files then -e, later wins in place",
			s: spec.ContainerSpec{
				EnvFiles: []string{f1, f2},
				Env:      []string{"IMGVAR=flag", "FROMHOST", "NOTONHOST", "EMPTY", "D=x=y"},
			},
			want: []string{"PATH=/img/bin", "container=berth", "IMGVAR=flag", "A=file2", "B=with spaces ", "FROMHOST=hostval", "Q=\"quoted\"", "C=3", "EMPTY=", "D=x=y"},
		},
		{
			name: "env host",
			s:    spec.ContainerSpec{EnvHost: true},
			// podman: the host's variables override the image's.
			want: []string{"PATH=/host/bin", "container=berth", "IMGVAR=1", "FROMHOST=hostval", "EMPTY="},
		},
		{name: "missing env file", s: spec.ContainerSpec{EnvFiles: []string{"/nonexistent/x.env"}}, wantErr: "open /nonexistent/x.env: no such file or directory"},
		{name: "bad env file line", s: spec.ContainerSpec{EnvFiles: []string{bad}}, wantErr: bad + " line 2: variable \"BAD KEY\" contains whitespace"},
		{name: "bad -e", s: spec.ContainerSpec{Env: []string{"=x"}}, wantErr: "--env \"=x\": variable name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _, err := gen(t, &tt.s, testImage(), testHost())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				if !errdefs.IsInvalidArgument(err) {
					t.Errorf("error %v is not invalid-argument", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// $HOSTNAME comes last, from the placement (TestPlacement).
			env := g.Process.Env
			if last := len(env) - 1; last >= 0 && strings.HasPrefix(env[last], "HOSTNAME=") && !slices.ContainsFunc(tt.want, func(e string) bool { return strings.HasPrefix(e, "HOSTNAME=") }) {
				env = env[:last]
			}
			if !reflect.DeepEqual(env, tt.want) {
				t.Errorf("env =\n%q\nwant\n%q", env, tt.want)
			}
		})
	}
}

func TestBasicsAndOptions(t *testing.T) {
	to := uint(3)
	s := &spec.ContainerSpec{
		Name: "web", Image: "busybox", Labels: map[string]string{"b": "flag", "c": "flag"},
		User: "1000:1000", WorkDir: "/work/../app", StopSignal: 9, StopTimeout: &to,
		Terminal: true, Stdin: true, Remove: true, Hostname: "myhost", CgroupParent: "/mine",
		ShmSize: 128 << 20, ReadOnly: true, Runtime: "runc", LogDriver: "json-file",
		LogOpts: []string{"path=/tmp/x.log", "max-size=10m"}, CreateCommand: []string{"berth", "run"},
		Network: []string{"net1", "net2"}, DNS: []string{"1.1.1.1"}, AddHost: []string{"db:10.0.0.2"},
	}
	g, cfg, err := gen(t, s, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	want := &define.ContainerConfig{
		ID: cfg.ID, Name: "web", ImageID: "sha256img", ImageName: "busybox",
		Labels:     map[string]string{"a": "img", "b": "flag", "c": "flag"},
		Entrypoint: []string{"/entry"}, Cmd: []string{"img-cmd", "arg"}, Command: []string{"/entry", "img-cmd", "arg"},
		User: "1000:1000", StopSignal: 9, StopTimeout: 3, Terminal: true, Stdin: true, AutoRemove: true,
		Hostname: "myhost", CgroupParent: "/mine", ShmSize: 128 << 20, ReadOnly: true, OCIRuntime: "runc",
		LogDriver: "k8s-file", LogPath: "/tmp/x.log", CreateCommand: []string{"berth", "run"},
		LogSizeMax: 10_000_000, LogOpts: map[string]string{"path": "/tmp/x.log", "max-size": "10m"},
		NetMode: "bridge", Networks: []string{"net1", "net2"}, DNSServers: []string{"1.1.1.1"},
		HostAdd: []string{"db:10.0.0.2"},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("config =\n%+v\nwant\n%+v", cfg, want)
	}
	if g.Process.Cwd != "/app" || g.Hostname != "myhost" || !g.Root.Readonly || !g.Process.Terminal {
		t.Errorf("cwd %q hostname %q readonly %v terminal %v", g.Process.Cwd, g.Hostname, g.Root.Readonly, g.Process.Terminal)
	}
	if g.Process.User.UID != 1000 || g.Process.User.GID != 1000 {
		t.Errorf("process user = %+v, want 1000:1000", g.Process.User)
	}
	if g.Linux.CgroupsPath != "/mine/berth-"+cfg.ID || g.Root.Path != "" || len(cfg.ID) != 64 {
		t.Errorf("cgroups path %q root %q, want /mine/berth-%s and empty for the engine", g.Linux.CgroupsPath, g.Root.Path, cfg.ID)
	}
	for _, d := range []string{"/tmp", "/run", "/var/tmp"} {
		if findMount(g, d) == nil {
			t.Errorf("--read-only: no tmpfs on %s", d)
		}
	}
	if m := findMount(g, "/dev/shm"); m == nil || !slices.Contains(m.Options, "size=134217728") {
		t.Errorf("/dev/shm mount = %+v, want size=134217728", m)
	}
}

func TestImageDefaults(t *testing.T) {
	g, cfg, err := gen(t, &spec.ContainerSpec{Image: "x"}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "app" || cfg.StopSignal != 3 || cfg.StopTimeout != 10 || cfg.ShmSize != 64<<20 {
		t.Errorf("user %q stopsignal %d timeout %d shm %d; want app, 3 (SIGQUIT), 10, 64m", cfg.User, cfg.StopSignal, cfg.StopTimeout, cfg.ShmSize)
	}
	if g.Process.Cwd != "/srv" {
		t.Errorf("cwd = %q, want /srv", g.Process.Cwd)
	}
	img := testImage()
	img.Config.WorkingDir, img.Config.StopSignal = "", ""
	g, cfg, err = gen(t, &spec.ContainerSpec{}, img, testHost())
	if err != nil {
		t.Fatal(err)
	}
	if g.Process.Cwd != "/" || cfg.StopSignal != 15 {
		t.Errorf("cwd %q stop signal %d, want / and 15", g.Process.Cwd, cfg.StopSignal)
	}
	if cfg.Restart != "" || cfg.Hostname != cfg.ID[:12] || g.Hostname != cfg.ID[:12] {
		t.Errorf("restart %q hostname %q/%q, want empty and the short ID", cfg.Restart, cfg.Hostname, g.Hostname)
	}
}

func TestRootfs(t *testing.T) {
	dir := t.TempDir()
	g, cfg, err := gen(t, &spec.ContainerSpec{Rootfs: dir, Command: []string{"sh"}}, nil, testHost())
	if err != nil {
		t.Fatal(err)
	}
	if g.Root.Path != dir || cfg.Rootfs != dir || cfg.ImageID != "" {
		t.Errorf("root %q rootfs %q image %q", g.Root.Path, cfg.Rootfs, cfg.ImageID)
	}
	if _, _, err := Container(&spec.ContainerSpec{Command: []string{"sh"}}, nil, testHost(), Placement{}); err == nil {
		t.Error("no image and no rootfs: want error")
	}
	if _, _, err := Container(&spec.ContainerSpec{Rootfs: "/nonexistent", Command: []string{"sh"}}, nil, testHost(), Placement{}); err == nil {
		t.Error("missing rootfs: want error")
	}
}

// TestBadInput checks that every bad value gives an error naming the flag
// or the field and wrapping ErrInvalidArg. Flag syntax is internal/specflag's
// (see its tests); these are the checks the API's input gets too.
func TestBadInput(t *testing.T) {
	neg := int64(-5)
	tests := []struct {
		name    string
		s       spec.ContainerSpec
		wantErr string
	}{
		{"workdir relative", spec.ContainerSpec{WorkDir: "rel"}, "--workdir \"rel\""},
		{"hostname", spec.ContainerSpec{Hostname: "bad_host"}, "--hostname"},
		{"name", spec.ContainerSpec{Name: "-bad"}, "container name"},
		{"stop signal", spec.ContainerSpec{StopSignal: 99}, "stop signal 99: out of range"},
		{"restart", spec.ContainerSpec{Restart: spec.RestartPolicy{Name: "sometimes"}}, "restart policy \"sometimes\""},
		{"restart retries", spec.ContainerSpec{Restart: spec.RestartPolicy{Name: "always", MaxRetries: 3}}, "only allowed with the on-failure policy"},
		{"restart with rm", spec.ContainerSpec{Restart: spec.RestartPolicy{Name: "always"}, Remove: true}, "conflicts"},
		{"shm", spec.ContainerSpec{ShmSize: -1}, "shm size -1"},
		{"memory", spec.ContainerSpec{Memory: -5}, "memory limit -5"},
		{"memory small", spec.ContainerSpec{Memory: 1024}, "minimum memory"},
		{"swap without memory", spec.ContainerSpec{MemorySwap: 1 << 30}, "memory swap limit"},
		{"swap below memory", spec.ContainerSpec{Memory: 1 << 30, MemorySwap: 512 << 20}, "memory swap limit"},
		{"cpus", spec.ContainerSpec{NanoCPUs: -1}, "CPU limit -0.000000001: range of CPUs is from 0.01"},
		{"cpus above host", spec.ContainerSpec{NanoCPUs: 1e15}, "range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available"},
		{"cpu shares", spec.ContainerSpec{CPUShares: 1}, "--cpu-shares 1"},
		{"pids", spec.ContainerSpec{PidsLimit: &neg}, "--pids-limit -5"},
		{"cap", spec.ContainerSpec{CapAdd: []string{"NOPE"}}, "--cap-add \"NOPE\": unknown capability"},
		{"cap drop", spec.ContainerSpec{CapDrop: []string{"x"}}, "--cap-drop \"x\""},
		{"secopt", spec.ContainerSpec{SecurityOpt: []string{"bogus=1"}}, "invalid --security-opt 2: \"bogus=1\""},
		{"seccomp file", spec.ContainerSpec{SecurityOpt: []string{"seccomp=/nonexistent.json"}}, "seccomp=/nonexistent.json"},
		{"sysctl host", spec.ContainerSpec{Sysctls: map[string]string{"vm.swappiness": "1"}}, "sysctl \"vm.swappiness=1\": not a namespaced sysctl"},
		{"sysctl net with host net", spec.ContainerSpec{Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}, Network: []string{"host"}}, "--network host"},
		{"sysctl empty key", spec.ContainerSpec{Sysctls: map[string]string{"": "1"}}, "empty key"},
		{"tmpfs relative", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "tmpfs", Destination: "tmp"}}}, "mount destination \"tmp\" must be an absolute path"},
		{"mount over root", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "tmpfs", Destination: "/x/.."}}}, "cannot mount over /"},
		{"bind missing source", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "bind", Source: "/nonexistent/src", Destination: "/dst"}}}, "bind source /nonexistent/src"},
		{"bind relative source", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "bind", Source: "rel", Destination: "/dst"}}}, "bind mount source \"rel\" must be an absolute path"},
		{"volume bad name", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "volume", Source: "a..b", Destination: "/x"}}}, "volume name"},
		{"volume dup dest", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "volume", Source: "v", Destination: "/x"}, {Type: "bind", Source: "/tmp", Destination: "/x/"}}}, "duplicate mount destination"},
		{"propagation", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "bind", Source: "/tmp", Destination: "/x", Propagation: "sideways"}}}, "unknown propagation \"sideways\""},
		{"upperdir without O", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "volume", Destination: "/x", UpperDir: "/tmp", WorkDir: "/tmp"}}}, "options of O (overlay)"},
		{"image volume mode", spec.ContainerSpec{ImageVolume: "copy"}, "--image-volume"},
		{"duplicate dest", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "bind", Source: "/tmp", Destination: "/x"}, {Type: "tmpfs", Destination: "/x"}}}, "duplicate mount destination /x"},
		{"mount type", spec.ContainerSpec{Mounts: []spec.Mount{{Type: "nfs", Destination: "/x"}}}, "unsupported type"},
		{"device", spec.ContainerSpec{Devices: []spec.Device{{Source: "/nonexistent"}}}, "device /nonexistent"},
		{"device not a device", spec.ContainerSpec{Devices: []spec.Device{{Source: "/tmp"}}}, "not a device node"},
		{"device perms", spec.ContainerSpec{Devices: []spec.Device{{Source: "/dev/null", Destination: "/dev/n", Permissions: "rwx"}}}, "permissions"},
		{"device relative", spec.ContainerSpec{Devices: []spec.Device{{Source: "dev/null"}}}, "paths must be absolute"},
		{"port zero", spec.ContainerSpec{Ports: []spec.PortMapping{{HostPort: 80}}}, "port out of range"},
		{"port range overflow", spec.ContainerSpec{Ports: []spec.PortMapping{{ContainerPort: 65535, HostPort: 80, Range: 2}}}, "port out of range"},
		{"port protocol", spec.ContainerSpec{Ports: []spec.PortMapping{{ContainerPort: 80, Protocol: "icmp"}}}, "port protocol \"icmp\""},
		{"port host IP", spec.ContainerSpec{Ports: []spec.PortMapping{{ContainerPort: 80, HostIP: "nowhere"}}}, "host IP \"nowhere\""},
		{"expose protocol", spec.ContainerSpec{Expose: []spec.ExposedPort{{Port: 80, Protocol: "x"}}}, "port protocol \"x\""},
		{"expose zero", spec.ContainerSpec{Expose: []spec.ExposedPort{{Port: 0}}}, "exposed port 0"},
		{"ulimit name", spec.ContainerSpec{Ulimits: []spec.Ulimit{{Name: "bogus"}}}, "ulimit \"bogus\""},
		{"network combo", spec.ContainerSpec{Network: []string{"host", "net1"}}, "--network \"host\""},
		{"network ns relative", spec.ContainerSpec{Network: []string{"ns:foo"}}, "--network \"ns:foo\""},
		{"add-host", spec.ContainerSpec{AddHost: []string{"nohost"}}, "--add-host \"nohost\""},
		{"dns with none", spec.ContainerSpec{Network: []string{"none"}, DNS: []string{"1.1.1.1"}}, "--dns"},
		{"log driver", spec.ContainerSpec{LogDriver: "fluentd"}, "--log-driver \"fluentd\""},
		{"log opt", spec.ContainerSpec{LogOpts: []string{"weird=1"}}, "--log-opt \"weird=1\""},
		{"init missing", spec.ContainerSpec{Init: true, InitPath: "/nonexistent/init"}, "--init"},
		{"cgroup parent", spec.ContainerSpec{CgroupParent: "relative"}, "--cgroup-parent"},
		{"env", spec.ContainerSpec{Env: []string{"A B=1"}}, "--env"},
		{"group-add keep-groups", spec.ContainerSpec{GroupAdd: []string{"keep-groups"}}, "--group-add keep-groups"},
		{"group-add empty", spec.ContainerSpec{GroupAdd: []string{""}}, "--group-add \"\""},
		{"group-add colon", spec.ContainerSpec{GroupAdd: []string{"a:b"}}, "--group-add \"a:b\": not a group name or ID"},
		{"group-add range", spec.ContainerSpec{GroupAdd: []string{"4294967296"}}, "--group-add \"4294967296\": group IDs must be between 0 and 2147483647"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Container(&tt.s, testImage(), testHost(), Placement{})
			if err == nil {
				t.Fatalf("no error, want %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			if !errors.Is(err, define.ErrInvalidArg) {
				t.Errorf("error %v does not wrap ErrInvalidArg", err)
			}
		})
	}
}

// TestVolumeMounts: -v and --mount volumes become VolumeMounts for the
// engine (named, anonymous, with options), host paths bind mounts
// (relative ones against the working directory), and an image's VOLUME
// paths anonymous volumes unless a user mount covers them.
func TestVolumeMounts(t *testing.T) {
	img := testImage()
	img.Config.Volumes = map[string]struct{}{"/data": {}, "/covered": {}}
	wd, _ := os.Getwd()
	s := spec.ContainerSpec{
		Mounts: append(vols(t, "myvol:/v1:ro,nocopy", "/anon", "/anon2:ro", ".:/rel", "other:/covered"),
			mnts(t, "type=volume,source=m,target=/v2,volume-nocopy,U=true,volume-opt=type=tmpfs,volume-opt=device=tmpfs")...),
	}
	g, cfg, err := gen(t, &s, img, testHost())
	if err != nil {
		t.Fatal(err)
	}
	want := []define.VolumeMount{
		{Name: "myvol", Dest: "/v1", Options: []string{"ro", "nocopy"}},
		{Dest: "/anon"},
		{Dest: "/anon2", Options: []string{"ro"}},
		{Name: "other", Dest: "/covered"},
		{Name: "m", Dest: "/v2", Options: []string{"U", "nocopy"}, CreateOptions: map[string]string{"type": "tmpfs", "device": "tmpfs"}},
		{Dest: "/data", FromImage: true},
	}
	if !reflect.DeepEqual(cfg.Volumes, want) {
		t.Errorf("volumes = %+v\nwant %+v", cfg.Volumes, want)
	}
	found := false
	for _, m := range g.Mounts {
		if m.Destination == "/rel" {
			found = m.Source == wd && m.Type == "bind"
		}
	}
	if !found {
		t.Errorf("relative bind source not resolved against %s: %+v", wd, g.Mounts)
	}
	s = spec.ContainerSpec{ImageVolume: "ignore"}
	if _, cfg, err = gen(t, &s, img, testHost()); err != nil || len(cfg.Volumes) != 0 {
		t.Errorf("--image-volume ignore: %v", err)
	}
	s = spec.ContainerSpec{ImageVolume: "tmpfs"}
	g, _, err = gen(t, &s, img, testHost())
	tmpfs := 0
	for _, m := range g.Mounts {
		if (m.Destination == "/data" || m.Destination == "/covered") && m.Type == "tmpfs" {
			tmpfs++
		}
	}
	if err != nil || tmpfs != 2 {
		t.Errorf("--image-volume tmpfs: %d tmpfs mounts, %v", tmpfs, err)
	}
}

func findMount(g *specs.Spec, dst string) *specs.Mount {
	for i := range g.Mounts {
		if g.Mounts[i].Destination == dst {
			return &g.Mounts[i]
		}
	}
	return nil
}
