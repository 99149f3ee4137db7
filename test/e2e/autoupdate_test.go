package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSystemctl writes a stand-in for systemctl (auto-update finds it via
// $BERTH_SYSTEMCTL): it logs its arguments and fails once when the file
// <dir>/fail exists. Only the service manager is faked; pulls and images
// are real.
func fakeSystemctl(t *testing.T, dir string) (script, log string) {
	t.Helper()
	script, log = filepath.Join(dir, "systemctl"), filepath.Join(dir, "systemctl.log")
	body := "#!/bin/sh\necho \"$*\" >> " + log + "\nif [ -e " + dir + "/fail ]; then rm " + dir + "/fail; exit 1; fi\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, log
}

// pushVariant pushes, from a store of its own, busybox with one more file
// as ref: a new manifest digest under the same name.
func pushVariant(t *testing.T, reg *Registry, ref, file string) {
	t.Helper()
	b := NewEnv(t)
	b.ImportBusybox(t)
	b.MustBerth(t, "run", "--name", "v", "busybox", "touch", "/"+file)
	b.MustBerth(t, "commit", "v", ref)
	b.MustBerth(t, append(append([]string{"push", "-q"}, reg.Flags()...), ref)...)
}

func TestAutoUpdate(t *testing.T) {
	reg := StartRegistry(t, RegistryOptions{})
	ref := reg.Ref("auto/app:1")
	pushVariant(t, reg, ref, "one")

	env := NewEnv(t)
	script, log := fakeSystemctl(t, env.TmpDir)
	env.Environ = append(env.Environ, "BERTH_SYSTEMCTL="+script)
	tls := reg.Flags()
	env.Environ = append(env.Environ, "PODMAN_SYSTEMD_UNIT=app.service")
	env.MustBerth(t, append(append([]string{"run", "-d", "--name", "app", "--label", "io.containers.autoupdate=registry"}, tls...), ref, "sleep", "1000")...)
	env.Environ = env.Environ[:len(env.Environ)-1]
	oldID := env.MustBerth(t, "inspect", "--format", "{{.Image}}", "app")
	if got := env.MustBerth(t, "inspect", "--format", `{{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}`, "app"); got != "app.service" {
		t.Fatalf("unit label: %q", got)
	}
	auto := func(args ...string) Result {
		return env.Berth(append(append([]string{"auto-update"}, tls...), args...)...)
	}
	row := "{{.Unit}} {{.ContainerName}} {{.Image}} {{.Policy}} {{.Updated}}"

	if r := auto("--dry-run", "--format", row); r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "app.service app "+ref+" registry false" {
		t.Errorf("up to date:\n%s", r)
	}
	pushVariant(t, reg, ref, "two")
	if r := auto("--dry-run", "--format", row); r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "app.service app "+ref+" registry pending" {
		t.Errorf("dry run with an update:\n%s", r)
	}
	if _, err := os.Stat(log); err == nil {
		t.Errorf("--dry-run called systemctl")
	}
	// The default table.
	r := auto()
	if r.ExitCode() != 0 || !strings.Contains(r.Stdout(), "UNIT") || !strings.Contains(r.Stdout(), "app.service") || !strings.Contains(r.Stdout(), "true") {
		t.Fatalf("update:\n%s", r)
	}
	if b, _ := os.ReadFile(log); strings.TrimSpace(string(b)) != "restart app.service" {
		t.Errorf("systemctl calls: %q", b)
	}
	newID := env.MustBerth(t, "image", "inspect", "--format", "{{.Id}}", ref)
	if newID == oldID {
		t.Errorf("the image was not pulled: %s", newID)
	}

	// A restart that fails is rolled back (not an error, as in podman): the name goes back to the
	// container's image and the unit is restarted on it.
	_ = os.Remove(log)
	if err := os.WriteFile(filepath.Join(env.TmpDir, "fail"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r = auto("--format", row)
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "app.service app "+ref+" registry rolled back" {
		t.Errorf("rollback:\n%s", r)
	}
	if b, _ := os.ReadFile(log); strings.Count(string(b), "restart app.service") != 2 {
		t.Errorf("systemctl calls: %q", b)
	}
	if got := env.MustBerth(t, "image", "inspect", "--format", "{{.Id}}", ref); got != oldID {
		t.Errorf("after rollback %s is %s, want the old %s", ref, got, oldID)
	}
}

func TestAutoUpdateLocalAndErrors(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	script, log := fakeSystemctl(t, env.TmpDir)
	env.Environ = append(env.Environ, "BERTH_SYSTEMCTL="+script)
	env.MustBerth(t, "tag", "busybox", "localhost/app:1")
	env.Environ = append(env.Environ, "PODMAN_SYSTEMD_UNIT=local.service")
	env.MustBerth(t, "run", "-d", "--name", "loc", "--label", "io.containers.autoupdate=local", "localhost/app:1", "sleep", "1000")
	env.Environ = env.Environ[:len(env.Environ)-1]
	row := "{{.Unit}} {{.Policy}} {{.Updated}}"
	if got := env.MustBerth(t, "auto-update", "--format", row); got != "local.service local false" {
		t.Errorf("local, up to date: %q", got)
	}
	// A new local image under the name: the unit is restarted, nothing
	// is pulled.
	env.MustBerth(t, "run", "--name", "v", "busybox", "touch", "/x")
	env.MustBerth(t, "commit", "v", "localhost/app:1")
	if got := env.MustBerth(t, "auto-update", "--format", row); got != "local.service local true" {
		t.Errorf("local update: %q", got)
	}
	if b, _ := os.ReadFile(log); strings.TrimSpace(string(b)) != "restart local.service" {
		t.Errorf("systemctl calls: %q", b)
	}

	// A labelled container that no unit runs is an error.
	env.MustBerth(t, "run", "-d", "--name", "nounit", "--label", "io.containers.autoupdate=registry", "busybox", "sleep", "1000")
	r := env.Berth("auto-update", "--dry-run")
	id := env.MustBerth(t, "inspect", "--format", "{{.Id}}", "nounit")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `auto-updating container "`+id+`": no PODMAN_SYSTEMD_UNIT label found`) {
		t.Errorf("no unit:\n%s", r)
	}
}
