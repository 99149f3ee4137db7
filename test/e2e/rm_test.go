package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rmStorageDir returns the directory storage keeps for container id (its
// "userdata", which berth does not use): deleting the container removes
// it.
func rmStorageDir(t *testing.T, env *Env, id string) string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(env.Root, "*-containers"))
	if len(dirs) != 1 {
		t.Fatalf("storage containers directory: found %v", dirs)
	}
	return filepath.Join(dirs[0], id, "userdata")
}

// chattr runs chattr(1) on path.
func chattr(t *testing.T, flag, path string) {
	t.Helper()
	if out, err := exec.Command("chattr", flag, path).CombinedOutput(); err != nil {
		t.Fatalf("chattr %s %s: %v\n%s", flag, path, err, out)
	}
}

// When storage fails to delete a container's rootfs, rm fails and keeps
// the container, in state removing, holding its name: it cannot start,
// and the next rm finishes the job. (Before, the record went anyway, and
// the storage container left behind kept the name: the next container
// called so failed at its first start.)
func TestRmStorageFailureKeepsContainer(t *testing.T) {
	env := paNewBusybox(t)
	id := env.MustBerth(t, "create", "--name", "keep", "busybox", "true")
	env.MustBerth(t, "start", "--attach", "keep")
	// An immutable file in the container's storage directory makes its
	// deletion fail, as a busy or broken file system would.
	dir := rmStorageDir(t, env, id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	pin := filepath.Join(dir, "pin")
	if err := os.WriteFile(pin, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	chattr(t, "+i", pin)
	pinned := true
	t.Cleanup(func() {
		if pinned {
			chattr(t, "-i", pin)
		}
	})

	r := env.Berth("rm", "keep")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "left in state removing") {
		t.Fatalf("rm with a storage failure: want exit 125 and the container kept:\n%s", r)
	}
	if got := paPsStatus(t, env, "keep"); got != "Removal In Progress" {
		t.Errorf("ps -a status of the half-removed container = %q, want %q", got, "Removal In Progress")
	}
	if got := paInspect(t, env, "keep", "{{.State.Status}}"); got != "removing" {
		t.Errorf("inspect status = %q, want removing", got)
	}
	for _, args := range [][]string{{"start", "keep"}, {"restart", "keep"}, {"mount", "keep"}} {
		if r := env.Berth(args...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "is being removed") {
			t.Errorf("%s of a half-removed container: want exit 125, being removed:\n%s", args[0], r)
		}
	}
	if r := env.Berth("create", "--name", "keep", "busybox", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "already in use") {
		t.Errorf("create with the half-removed container's name: want name in use:\n%s", r)
	}
	// Still failing: rm fails again, and keeps it again.
	if r := env.Berth("rm", "-f", "keep"); r.ExitCode() != 125 {
		t.Errorf("rm -f while storage still fails: want 125:\n%s", r)
	}

	chattr(t, "-i", pin)
	pinned = false
	if out := env.MustBerth(t, "rm", "keep"); out != "keep" {
		t.Errorf("rm after the failure cleared printed %q, want keep", out)
	}
	if names := paPsNames(t, env); len(names) != 0 {
		t.Errorf("ps -a after rm = %v, want nothing", names)
	}
	if _, err := os.Stat(filepath.Dir(dir)); !os.IsNotExist(err) {
		t.Errorf("storage directory after rm: %v, want it gone", err)
	}
	// The name is free for a new container, which starts.
	env.MustBerth(t, "run", "--rm", "--name", "keep", "busybox", "true")
}

// A container whose namespaces another joins cannot be removed first
// (podman: not even with -f); --depend removes the dependents first; start
// of the dependent starts what it depends on.
func TestRmDependencies(t *testing.T) {
	env := paNewBusybox(t)
	base := env.MustBerth(t, "create", "--name", "base", "busybox", "sleep", "1000")
	joiner := env.MustBerth(t, "create", "--name", "joiner", "--network", "container:base", "busybox", "sleep", "1000")
	nested := env.MustBerth(t, "create", "--name", "nested", "--network", "container:joiner", "busybox", "sleep", "1000")

	if got := paInspect(t, env, "joiner", "{{.Dependencies}}"); got != "["+base+"]" {
		t.Errorf("inspect joiner Dependencies = %s, want [%s]", got, base)
	}
	if got := paInspect(t, env, "base", "{{json .Dependencies}}"); got != "[]" {
		t.Errorf("inspect base Dependencies = %s, want []", got)
	}

	// start of the dependent starts its dependencies first, recursively.
	env.MustBerth(t, "start", "nested")
	for _, name := range []string{"base", "joiner", "nested"} {
		if got := paStatus(env, name); got != "running" {
			t.Errorf("%s after start nested: %s, want running", name, got)
		}
	}

	want := "Error: container " + base + " has dependent containers which must be removed before it: " + joiner + ": container already exists"
	for _, args := range [][]string{{"rm", "base"}, {"rm", "-f", "base"}} {
		r := env.Berth(args...)
		if r.ExitCode() != 125 || strings.TrimSpace(r.Stderr()) != want {
			t.Errorf("%v: want exit 125 and\n%s\ngot:\n%s", args, want, r)
		}
	}
	if got := paStatus(env, "base"); got != "running" {
		t.Errorf("base after a refused rm -f: %s, want running", got)
	}

	// --depend removes the dependents first (by ID), then what was asked.
	out := env.MustBerth(t, "rm", "-f", "-t", "0", "--depend", "base")
	if got, want := strings.Fields(out), []string{nested, joiner, "base"}; !slices.Equal(got, want) {
		t.Errorf("rm --depend printed %v, want %v", got, want)
	}
	if names := paPsNames(t, env); len(names) != 0 {
		t.Errorf("ps -a after rm --depend = %v, want nothing", names)
	}

	// Named together (or with -a), dependents go first whatever the order.
	env.MustBerth(t, "create", "--name", "x", "busybox", "true")
	env.MustBerth(t, "create", "--name", "y", "--network", "container:x", "busybox", "true")
	if out := env.MustBerth(t, "rm", "x", "y"); !slices.Equal(strings.Fields(out), []string{"y", "x"}) {
		t.Errorf("rm x y printed %q, want y then x", out)
	}
	env.MustBerth(t, "create", "--name", "x", "busybox", "true")
	env.MustBerth(t, "create", "--name", "y", "--network", "container:x", "busybox", "true")
	env.MustBerth(t, "rm", "-a")
	if names := paPsNames(t, env); len(names) != 0 {
		t.Errorf("ps -a after rm -a = %v, want nothing", names)
	}
}
