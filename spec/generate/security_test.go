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

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

func TestCapabilities(t *testing.T) {
	def := slices.Sorted(slices.Values(DefaultCapabilities))
	with := func(extra ...string) []string {
		return slices.Sorted(slices.Values(append(slices.Clone(def), extra...)))
	}
	without := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(def), func(c string) bool { return slices.Contains(drop, c) })
	}
	all := slices.Sorted(slices.Values(allCaps()))
	tests := []struct {
		name       string
		add, drop  []string
		privileged bool
		want       []string
	}{
		{name: "default", want: def},
		{name: "add short lower", add: []string{"net_admin"}, want: with("CAP_NET_ADMIN")},
		{name: "add prefixed", add: []string{"CAP_SYS_ADMIN"}, want: with("CAP_SYS_ADMIN")},
		{name: "add existing", add: []string{"CHOWN"}, want: def},
		{name: "drop", drop: []string{"chown", "CAP_KILL"}, want: without("CAP_CHOWN", "CAP_KILL")},
		{name: "drop all add one", drop: []string{"ALL"}, add: []string{"NET_RAW"}, want: []string{"CAP_NET_RAW"}},
		{name: "drop all", drop: []string{"all"}, want: []string{}},
		{name: "add all drop one", add: []string{"ALL"}, drop: []string{"SYS_ADMIN"}, want: slices.DeleteFunc(slices.Clone(all), func(c string) bool { return c == "CAP_SYS_ADMIN" })},
		{name: "privileged", privileged: true, want: all},
		{name: "privileged drop", privileged: true, drop: []string{"SYS_ADMIN"}, want: slices.DeleteFunc(slices.Clone(all), func(c string) bool { return c == "CAP_SYS_ADMIN" })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &spec.ContainerSpec{CapAdd: tt.add, CapDrop: tt.drop, Privileged: tt.privileged}
			g, _, err := gen(t, s, testImage(), testHost())
			if err != nil {
				t.Fatal(err)
			}
			c := g.Process.Capabilities
			got := c.Bounding
			if got == nil {
				got = []string{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("bounding = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(c.Effective, c.Bounding) || !reflect.DeepEqual(c.Permitted, c.Bounding) {
				t.Errorf("effective %v permitted %v differ from bounding", c.Effective, c.Permitted)
			}
			if len(c.Inheritable) != 0 || len(c.Ambient) != 0 || c.Inheritable == nil || c.Ambient == nil {
				t.Errorf("inheritable %v ambient %v, want empty non-nil", c.Inheritable, c.Ambient)
			}
		})
	}
}

func TestSecurityDefaultsAndPrivileged(t *testing.T) {
	g, cfg, err := gen(t, &spec.ContainerSpec{}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if g.Linux.Seccomp == nil || g.Linux.Seccomp.DefaultAction == "" || len(g.Linux.Seccomp.Syscalls) == 0 {
		t.Errorf("default seccomp profile missing: %+v", g.Linux.Seccomp)
	}
	if cfg.Seccomp != "" || cfg.Privileged {
		t.Errorf("config seccomp %q privileged %v", cfg.Seccomp, cfg.Privileged)
	}
	if !reflect.DeepEqual(g.Linux.MaskedPaths, DefaultMaskedPaths) || !reflect.DeepEqual(g.Linux.ReadonlyPaths, DefaultReadonlyPaths) {
		t.Errorf("masked %v readonly %v", g.Linux.MaskedPaths, g.Linux.ReadonlyPaths)
	}
	if g.Process.NoNewPrivileges {
		t.Error("NoNewPrivileges true by default")
	}
	if m := findMount(g, "/sys"); m == nil || !slices.Contains(m.Options, "ro") {
		t.Errorf("/sys = %+v, want ro", m)
	}
	if d := g.Linux.Resources.Devices; len(d) != 1 || d[0].Allow || d[0].Access != "rwm" {
		t.Errorf("device cgroup = %+v, want deny all", d)
	}

	g, cfg, err = gen(t, &spec.ContainerSpec{Privileged: true}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if g.Linux.Seccomp != nil || len(g.Linux.MaskedPaths) != 0 || len(g.Linux.ReadonlyPaths) != 0 || !cfg.Privileged {
		t.Errorf("privileged: seccomp %v masked %v readonly %v cfg %v", g.Linux.Seccomp != nil, g.Linux.MaskedPaths, g.Linux.ReadonlyPaths, cfg.Privileged)
	}
	if m := findMount(g, "/sys"); m == nil || slices.Contains(m.Options, "ro") {
		t.Errorf("privileged /sys = %+v, want rw", m)
	}
	if d := g.Linux.Resources.Devices; len(d) != 1 || !d[0].Allow {
		t.Errorf("privileged device cgroup = %+v, want allow all", d)
	}
}

func TestSecurityOpts(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "prof.json")
	if err := os.WriteFile(prof, []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		opts  []string
		check func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig)
	}{
		{"unconfined", []string{"seccomp=unconfined"}, func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
			if g.Linux.Seccomp != nil || cfg.Seccomp != "unconfined" {
				t.Errorf("seccomp %+v cfg %q", g.Linux.Seccomp, cfg.Seccomp)
			}
		}},
		{"file", []string{"seccomp=" + prof}, func(t *testing.T, g *specs.Spec, cfg *define.ContainerConfig) {
			if g.Linux.Seccomp == nil || g.Linux.Seccomp.DefaultAction != specs.ActAllow || cfg.Seccomp != prof {
				t.Errorf("seccomp %+v cfg %q", g.Linux.Seccomp, cfg.Seccomp)
			}
		}},
		{"no-new-privileges", []string{"no-new-privileges"}, func(t *testing.T, g *specs.Spec, _ *define.ContainerConfig) {
			if !g.Process.NoNewPrivileges {
				t.Error("NoNewPrivileges false")
			}
		}},
		{"unmask all", []string{"unmask=ALL", "label=disable"}, func(t *testing.T, g *specs.Spec, _ *define.ContainerConfig) {
			if len(g.Linux.MaskedPaths)+len(g.Linux.ReadonlyPaths) != 0 {
				t.Errorf("masked %v readonly %v", g.Linux.MaskedPaths, g.Linux.ReadonlyPaths)
			}
		}},
		{"unmask one, mask one", []string{"unmask=/proc/kcore:/proc/sys", "mask=/proc/cpuinfo"}, func(t *testing.T, g *specs.Spec, _ *define.ContainerConfig) {
			if slices.Contains(g.Linux.MaskedPaths, "/proc/kcore") || slices.Contains(g.Linux.ReadonlyPaths, "/proc/sys") || !slices.Contains(g.Linux.MaskedPaths, "/proc/cpuinfo") {
				t.Errorf("masked %v readonly %v", g.Linux.MaskedPaths, g.Linux.ReadonlyPaths)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, cfg, err := gen(t, &spec.ContainerSpec{SecurityOpt: tt.opts}, testImage(), testHost())
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, g, cfg)
		})
	}
}

func TestRlimits(t *testing.T) {
	tests := []struct {
		name    string
		ulimits []spec.Ulimit
		want    []specs.POSIXRlimit
		wantErr string
	}{
		{name: "defaults clamped to host", want: []specs.POSIXRlimit{
			{Type: "RLIMIT_NOFILE", Soft: 20000, Hard: 20000},
			{Type: "RLIMIT_NPROC", Soft: 4194304, Hard: 4194304},
		}},
		{name: "user values", ulimits: []spec.Ulimit{{Name: "nofile", Soft: 1024, Hard: 2048}, {Name: "core", Soft: -1, Hard: -1}, {Name: "stack", Soft: 8192, Hard: 8192}}, want: []specs.POSIXRlimit{
			{Type: "RLIMIT_NOFILE", Soft: 1024, Hard: 2048},
			{Type: "RLIMIT_NPROC", Soft: 4194304, Hard: 4194304},
			{Type: "RLIMIT_CORE", Soft: math.MaxUint64, Hard: math.MaxUint64},
			{Type: "RLIMIT_STACK", Soft: 8192, Hard: 8192},
		}},
		{name: "above host hard", ulimits: []spec.Ulimit{{Name: "nofile", Soft: 1024, Hard: 30000}}, wantErr: "ulimit nofile: hard limit 30000 exceeds the host's hard limit 20000"},
		{name: "unlimited above host", ulimits: []spec.Ulimit{{Name: "nofile", Soft: -1, Hard: -1}}, wantErr: "hard limit unlimited exceeds"},
		{name: "soft above hard", ulimits: []spec.Ulimit{{Name: "nproc", Soft: 10, Hard: 5}}, wantErr: "soft limit"},
		{name: "unknown", ulimits: []spec.Ulimit{{Name: "bogus", Soft: 1, Hard: 1}}, wantErr: "ulimit \"bogus\": unknown name"},
		{name: "not a number", ulimits: []spec.Ulimit{{Name: "nofile", Soft: -2, Hard: 5}}, wantErr: "ulimit nofile: limits must be numbers or -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _, err := gen(t, &spec.ContainerSpec{Ulimits: tt.ulimits}, testImage(), testHost())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, define.ErrInvalidArg) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g.Process.Rlimits, tt.want) {
				t.Errorf("rlimits = %+v, want %+v", g.Process.Rlimits, tt.want)
			}
		})
	}
	// The real host: defaults never exceed the current hard limits.
	g, _, err := Container(&spec.ContainerSpec{}, testImage(), Host{}, Placement{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rl := range g.Process.Rlimits {
		hard, err := (&Host{}).hardRlimit(rlimitNums[rl.Type])
		if err != nil {
			t.Fatal(err)
		}
		if rl.Hard > hard {
			t.Errorf("%s hard %d above the host's %d", rl.Type, rl.Hard, hard)
		}
	}
}

func TestResources(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	zero := int64(0)
	tests := []struct {
		name  string
		s     spec.ContainerSpec
		host  func(*Host)
		check func(t *testing.T, r *specs.LinuxResources)
	}{
		{"default pids", spec.ContainerSpec{}, nil, func(t *testing.T, r *specs.LinuxResources) {
			if r.Pids == nil || *r.Pids.Limit != 2048 || r.Memory != nil || r.CPU != nil {
				t.Errorf("resources %+v", r)
			}
		}},
		{"pids flag", spec.ContainerSpec{PidsLimit: i64(100)}, nil, func(t *testing.T, r *specs.LinuxResources) {
			if r.Pids == nil || *r.Pids.Limit != 100 {
				t.Errorf("pids %+v", r.Pids)
			}
		}},
		{"pids unlimited", spec.ContainerSpec{PidsLimit: &zero}, nil, func(t *testing.T, r *specs.LinuxResources) {
			if r.Pids != nil {
				t.Errorf("pids %+v, want none", r.Pids)
			}
		}},
		{"memory default swap", spec.ContainerSpec{Memory: 512 << 20}, nil, func(t *testing.T, r *specs.LinuxResources) {
			if *r.Memory.Limit != 512<<20 || *r.Memory.Swap != 1024<<20 {
				t.Errorf("memory %d swap %d", *r.Memory.Limit, *r.Memory.Swap)
			}
		}},
		{"memory swap", spec.ContainerSpec{Memory: 1 << 30, MemorySwap: 2 << 30}, nil, func(t *testing.T, r *specs.LinuxResources) {
			if *r.Memory.Limit != 1<<30 || *r.Memory.Swap != 2<<30 {
				t.Errorf("memory %d swap %d", *r.Memory.Limit, *r.Memory.Swap)
			}
		}},
		{"swap unlimited", spec.ContainerSpec{Memory: 1 << 30, MemorySwap: -1}, nil, func(t *testing.T, r *specs.LinuxResources) {
			if *r.Memory.Swap != -1 {
				t.Errorf("swap %d", *r.Memory.Swap)
			}
		}},
		{"no swap accounting", spec.ContainerSpec{Memory: 1 << 30}, func(h *Host) { h.NoSwapLimit = true }, func(t *testing.T, r *specs.LinuxResources) {
			if r.Memory.Swap != nil {
				t.Errorf("swap %d, want unset", *r.Memory.Swap)
			}
		}},
		{"cpus and shares", spec.ContainerSpec{NanoCPUs: 1.5e9, CPUShares: 512}, nil, func(t *testing.T, r *specs.LinuxResources) {
			if *r.CPU.Quota != 150000 || *r.CPU.Period != 100000 || *r.CPU.Shares != 512 {
				t.Errorf("cpu %+v", r.CPU)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testHost()
			if tt.host != nil {
				tt.host(&h)
			}
			g, _, err := gen(t, &tt.s, testImage(), h)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, g.Linux.Resources)
		})
	}
}

func TestSysctls(t *testing.T) {
	g, _, err := gen(t, &spec.ContainerSpec{Sysctls: map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "100", "fs.mqueue.msg_max": "20", "net/core/somaxconn": "1024"}}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "100", "fs.mqueue.msg_max": "20", "net.core.somaxconn": "1024"}
	if !reflect.DeepEqual(g.Linux.Sysctl, want) {
		t.Errorf("sysctl = %v, want %v", g.Linux.Sysctl, want)
	}
}
