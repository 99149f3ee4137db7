package generate

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/apparmor"
	"github.com/berth-dev/berth/internal/selinux"
	"github.com/berth-dev/berth/spec"
)

// playHosts makes generate see a host with AppArmor (the default profile
// and "my-prof" loaded) and SELinux when on is true, and one with neither
// otherwise; only the detection is faked.
func playHosts(t *testing.T, on bool) {
	t.Helper()
	dir := t.TempDir()
	aa := apparmor.Host{
		ParamFile: filepath.Join(dir, "aa-enabled"), FSDir: filepath.Join(dir, "aa-fs"),
		ProfileDir: filepath.Join(dir, "aa-etc"), Parser: filepath.Join(dir, "no-parser"),
	}
	se := selinux.Host{FS: filepath.Join(dir, "selinuxfs"), ConfigDir: filepath.Join(dir, "se-etc")}
	if on {
		for _, d := range []string{aa.FSDir, se.FS} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		files := map[string]string{
			aa.ParamFile:                        "Y\n",
			filepath.Join(aa.FSDir, "profiles"): apparmor.Profile + " (enforce)\nmy-prof (enforce)\n",
			filepath.Join(se.FS, "enforce"):     "1",
		}
		for p, c := range files {
			if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	origAA, origSE := apparmorHost, selinuxHost
	apparmorHost, selinuxHost = aa, se
	t.Cleanup(func() { apparmorHost, selinuxHost = origAA, origSE })
}

func TestAppArmor(t *testing.T) {
	tests := []struct {
		name       string
		on         bool
		opts       []string
		privileged bool
		want       string
		wantErr    string
	}{
		{name: "enabled default", on: true, want: apparmor.Profile},
		{name: "enabled unconfined", on: true, opts: []string{"apparmor=unconfined"}, want: "unconfined"},
		{name: "enabled privileged", on: true, privileged: true, want: ""},
		{name: "enabled named", on: true, opts: []string{"apparmor=my-prof"}, want: "my-prof"},
		{name: "enabled not loaded", on: true, opts: []string{"apparmor=nope"}, wantErr: `AppArmor profile "nope" specified but not loaded`},
		{name: "disabled default", want: ""},
		{name: "disabled unconfined", opts: []string{"apparmor=unconfined"}, want: ""},
		{name: "disabled named", opts: []string{"apparmor=my-prof"}, wantErr: `apparmor profile "my-prof" specified, but AppArmor is not enabled on this host`},
		{name: "empty", on: true, opts: []string{"apparmor="}, wantErr: "apparmor needs a profile name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			playHosts(t, tt.on)
			g, _, err := gen(t, &spec.ContainerSpec{SecurityOpt: tt.opts, Privileged: tt.privileged}, testImage(), testHost())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, define.ErrInvalidArg) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Process.ApparmorProfile != tt.want {
				t.Errorf("profile = %q, want %q", g.Process.ApparmorProfile, tt.want)
			}
			if len(tt.opts) > 0 && g.Annotations[define.InspectAnnotationAppArmor] != strings.TrimPrefix(tt.opts[0], "apparmor=") {
				t.Errorf("annotations %v", g.Annotations)
			}
		})
	}
}

func TestSELinuxLabels(t *testing.T) {
	playHosts(t, true)
	g, _, err := gen(t, &spec.ContainerSpec{SecurityOpt: []string{"label=type:spc_t", "label=level:s0:c1,c2"}}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if g.Process.SelinuxLabel != "system_u:system_r:spc_t:s0:c1,c2" || g.Linux.MountLabel != "system_u:object_r:container_file_t:s0:c1,c2" {
		t.Errorf("labels %q %q", g.Process.SelinuxLabel, g.Linux.MountLabel)
	}
	if a := g.Annotations[define.InspectAnnotationLabel]; a != "type:spc_t,label=level:s0:c1,c2" {
		t.Errorf("label annotation %q", a)
	}
	if !slices.Contains(g.Linux.MaskedPaths, "/sys/fs/selinux") {
		t.Errorf("/sys/fs/selinux not masked: %v", g.Linux.MaskedPaths)
	}
	g, _, err = gen(t, &spec.ContainerSpec{SecurityOpt: []string{"label=nested"}}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(g.Linux.MaskedPaths, "/sys/fs/selinux") || g.Process.SelinuxLabel != "" {
		t.Errorf("nested: masked %v label %q", g.Linux.MaskedPaths, g.Process.SelinuxLabel)
	}
	g, _, err = gen(t, &spec.ContainerSpec{}, testImage(), testHost())
	if err != nil || g.Process.SelinuxLabel != "" || g.Linux.MountLabel != "" || g.Annotations[define.InspectAnnotationLabel] != "" {
		t.Errorf("no options: %v %q %q %v", err, g.Process.SelinuxLabel, g.Linux.MountLabel, g.Annotations)
	}

	playHosts(t, false)
	for opt, wantErr := range map[string]string{
		"label=type:spc_t": `selinux label "type:spc_t" specified, but SELinux is not enabled on this host`,
		"label=nested":     "SELinux is not enabled on this host",
		"label=bogus":      `bad label option "bogus"`,
		"label=filetype:":  `bad label option "filetype:"`,
	} {
		_, _, err := gen(t, &spec.ContainerSpec{SecurityOpt: []string{opt}}, testImage(), testHost())
		if err == nil || !strings.Contains(err.Error(), wantErr) || !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("%s: error = %v, want %q", opt, err, wantErr)
		}
	}
	g, _, err = gen(t, &spec.ContainerSpec{SecurityOpt: []string{"label=disable"}}, testImage(), testHost())
	if err != nil || g.Process.SelinuxLabel != "" || g.Annotations[define.InspectAnnotationLabel] != "disable" {
		t.Errorf("label=disable without SELinux: %v %q %v", err, g.Process.SelinuxLabel, g.Annotations)
	}
}

func TestSecurityOptParsing(t *testing.T) {
	playHosts(t, false)
	tests := []struct {
		opts    []string
		wantErr string
		check   func(t *testing.T, g *specs.Spec)
	}{
		{opts: []string{"bogus"}, wantErr: `invalid --security-opt 1: "bogus"`},
		{opts: []string{"bogus=1"}, wantErr: `invalid --security-opt 2: "bogus=1"`},
		{opts: []string{"no-new-privileges=maybe"}, wantErr: `invalid --security-opt 2: "no-new-privileges=maybe"`},
		{opts: []string{"systempaths=confined"}, wantErr: "only `unconfined` is supported"},
		{opts: []string{"proc-opts=hidepid=2,"}, wantErr: "empty /proc mount option"},
		{opts: []string{"no-new-privileges", "no-new-privileges=false"}, check: func(t *testing.T, g *specs.Spec) {
			if g.Process.NoNewPrivileges {
				t.Error("no-new-privileges=false left it on")
			}
		}},
		{opts: []string{"no-new-privileges:true"}, check: func(t *testing.T, g *specs.Spec) {
			if !g.Process.NoNewPrivileges {
				t.Error("no-new-privileges:true left it off")
			}
		}},
		{opts: []string{"seccomp:unconfined"}, check: func(t *testing.T, g *specs.Spec) {
			if g.Linux.Seccomp != nil {
				t.Error("seccomp:unconfined kept the filter")
			}
		}},
		{opts: []string{"systempaths=unconfined"}, check: func(t *testing.T, g *specs.Spec) {
			if len(g.Linux.MaskedPaths)+len(g.Linux.ReadonlyPaths) != 0 {
				t.Errorf("masked %v readonly %v", g.Linux.MaskedPaths, g.Linux.ReadonlyPaths)
			}
		}},
		{opts: []string{"proc-opts=hidepid=2,subset=pid"}, check: func(t *testing.T, g *specs.Spec) {
			m := findMount(g, "/proc")
			if m == nil || !slices.Contains(m.Options, "hidepid=2") || !slices.Contains(m.Options, "subset=pid") || !slices.Contains(m.Options, "nosuid") {
				t.Errorf("/proc mount %+v", m)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.opts, " "), func(t *testing.T) {
			g, _, err := gen(t, &spec.ContainerSpec{SecurityOpt: tt.opts}, testImage(), testHost())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, define.ErrInvalidArg) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, g)
		})
	}
}
