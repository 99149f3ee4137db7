package systemd

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func ptr[T any](v T) *T { return &v }

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

const exe = "/usr/bin/berth"

var web = Container{
	ID:            "b0f3e1c0ffee",
	Name:          "web",
	CreateCommand: []string{exe, "--root", "/var/lib/x", "run", "-d", "--name", "web", "--rm", "--cidfile", "/tmp/old", "-e", "TOKEN", "-e", "A=1 2", "--restart", "on-failure:3", "busybox", "sh", "-c", "echo 100% $HOME"},
	StopTimeout:   10,
	Env:           []string{"PATH=/bin", "TOKEN=s3cret"},
	PIDFile:       "/run/berth/containers/b0f3e1c0ffee/conmon.pid",
	RunRoot:       "/run/berth",
}

func TestContainerUnitGolden(t *testing.T) {
	base := Options{Executable: exe, Version: "1.0", ContainerPrefix: "container", PodPrefix: "pod", Separator: "-"}
	cases := []struct {
		golden string
		mod    func(o *Options)
	}{
		{"container.service", func(o *Options) {}},
		{"container-name-deps.service", func(o *Options) {
			o.Name, o.NoHeader = true, true
			o.After, o.Wants, o.Requires = []string{"local-fs.target"}, []string{"network.target"}, []string{"sysinit.target", "basic.target"}
			o.RestartPolicy, o.RestartSec, o.StartTimeout, o.StopTimeout = ptr("always"), ptr(uint(15)), ptr(uint(90)), ptr(uint(5))
		}},
		{"container-new.service", func(o *Options) { o.Name, o.New = true, true }},
		{"container-new-template.service", func(o *Options) {
			o.Name, o.New, o.Template, o.ContainerPrefix, o.Separator = true, true, true, "app", "_"
			o.Env = []string{"X=1"}
		}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			o := base
			c.mod(&o)
			ctr := web
			ctr.CreateCommand = append([]string(nil), web.CreateCommand...)
			u, err := ContainerUnit(&ctr, o)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, c.golden, u.Content)
			verify(t, []Unit{u}, o.Template)
		})
	}
}

func testPod() *Pod {
	return &Pod{
		ID: "p0d", Name: "app",
		CreateCommand: []string{exe, "pod", "create", "--name", "app", "-p", "8080:80"},
		Infra:         &Container{ID: "inf", Name: "app-infra", StopTimeout: 10, PIDFile: "/run/berth/containers/inf/conmon.pid", RunRoot: "/run/berth", IsInfra: true},
		Members: []Container{
			{ID: "db1", Name: "db", StopTimeout: 10, PIDFile: "/run/db.pid", RunRoot: "/run/berth", DependsOn: []string{"inf"},
				CreateCommand: []string{exe, "run", "-d", "--pod", "app", "--name", "db", "busybox", "sleep", "1000"}},
			{ID: "web1", Name: "web", StopTimeout: 10, PIDFile: "/run/web.pid", RunRoot: "/run/berth", DependsOn: []string{"inf", "db1"},
				CreateCommand: []string{exe, "create", "--pod=app", "--name", "web", "busybox"}},
		},
	}
}

func TestPodUnitsGolden(t *testing.T) {
	for _, n := range []bool{false, true} {
		o := Options{Executable: exe, Version: "1.0", Name: true, New: n, ContainerPrefix: "container", PodPrefix: "pod", Separator: "-"}
		units, err := PodUnits(testPod(), o)
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, u := range units {
			all = append(all, u.Content)
		}
		name := "pod.service"
		if n {
			name = "pod-new.service"
		}
		golden(t, name, strings.Join(all, "\n"))
		verify(t, units, false)
	}
}

func TestErrors(t *testing.T) {
	o := Options{Executable: exe}
	if _, err := ContainerUnit(&Container{ID: "x"}, Options{Executable: exe, RestartPolicy: ptr("sometimes")}); err == nil || !strings.Contains(err.Error(), "sometimes is not a valid restart policy") {
		t.Errorf("bad restart policy: got %v", err)
	}
	if _, err := ContainerUnit(&Container{ID: "x", PIDFile: "p", CreateCommand: []string{"berth", "start", "x"}}, Options{Executable: exe, New: true}); err == nil || !strings.Contains(err.Error(), "no create command") {
		t.Errorf("--new without a run command: got %v", err)
	}
	if _, err := ContainerUnit(&Container{ID: "x", PIDFile: "p"}, Options{Executable: exe, Template: true}); err == nil {
		t.Error("--template without --new: no error")
	}
	p := testPod()
	p.Infra = nil
	if _, err := PodUnits(p, o); err == nil || !strings.Contains(err.Error(), "has no infra container") {
		t.Errorf("pod without infra: got %v", err)
	}
}

func TestEscapeArg(t *testing.T) {
	for in, want := range map[string]string{
		"plain": "plain", "a b": `"a b"`, "100%": "100%%", "$HOME": "$$HOME", `"q"`: `"\"q\""`,
	} {
		if got := EscapeArg(in); got != want {
			t.Errorf("EscapeArg(%q) = %s, want %s", in, got, want)
		}
	}
}

// verify runs `systemd-analyze verify` over the units, with /bin/true as
// the executable (verify checks that it exists).
func verify(t *testing.T, units []Unit, template bool) {
	t.Helper()
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: units not verified")
		return
	}
	dir := t.TempDir()
	var paths []string
	for _, u := range units {
		name := u.FileName(false)
		content := strings.ReplaceAll(u.Content, exe, "/bin/true")
		if template {
			// verify needs an instance of a template.
			name = u.Name + "@one.service"
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cmd := exec.Command(sa, append([]string{"verify", "--man=no"}, paths...)...)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=warning")
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
