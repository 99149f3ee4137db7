package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemMigrate: migrate stops running containers (printing
// "stopped ID"); --new-runtime moves every container to that runtime,
// which the next start really uses; an unknown runtime is refused with
// one line, exit 125, nothing stopped and nothing changed.
func TestSystemMigrate(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc not installed")
	}
	// A runtime that is runc, and leaves a trace of being called.
	calls := filepath.Join(env.TmpDir, "calls")
	wrapper := filepath.Join(env.TmpDir, "traced-runc")
	script := "#!/bin/sh\necho \"$*\" >> " + calls + "\nexec " + runc + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	id := env.MustBerth(t, "run", "-d", "--name", "up", "busybox", "sleep", "300")
	env.MustBerth(t, "create", "--name", "idle", "busybox", "true")

	r := env.Berth("system", "migrate", "--new-runtime", "no-such-runtime")
	if r.ExitCode() != 125 || len(strings.Split(strings.TrimSpace(r.Stderr()), "\n")) != 1 ||
		!strings.Contains(r.Stderr(), `change to runtime "no-such-runtime" requested but no such runtime is defined`) {
		t.Fatalf("migrate to an unknown runtime:\n%s", r)
	}
	if st := paInspect(t, env, "up", "{{.State.Status}}"); st != "running" {
		t.Fatalf("a refused migrate left the container %s", st)
	}
	if rt := paInspect(t, env, "up", "{{.OCIRuntime}}"); rt != "runc" {
		t.Fatalf("a refused migrate changed the runtime to %q", rt)
	}

	out := env.MustBerth(t, "system", "migrate", "--new-runtime", wrapper)
	if out != "stopped "+id {
		t.Errorf("migrate output %q, want %q", out, "stopped "+id)
	}
	for _, name := range []string{"up", "idle"} {
		if rt := paInspect(t, env, name, "{{.OCIRuntime}}"); rt != wrapper {
			t.Errorf("%s: runtime %q after migrate, want %q", name, rt, wrapper)
		}
	}
	if st := paInspect(t, env, "up", "{{.State.Status}}"); st != "exited" {
		t.Errorf("after migrate the container is %s, want exited", st)
	}
	if out := env.MustBerth(t, "start", "--attach", "idle"); out != "" {
		t.Errorf("start -a idle printed %q", out)
	}
	if b, err := os.ReadFile(calls); err != nil || !strings.Contains(string(b), "start") {
		t.Errorf("the new runtime was not used by start: %q, %v", b, err)
	}
	// Nothing left to stop: migrate is quiet.
	if out := env.MustBerth(t, "system", "migrate"); out != "" {
		t.Errorf("second migrate printed %q", out)
	}
}

// TestSystemRenumber: renumber clears lock files of objects that are gone
// (as a crash leaves them), keeps those of live containers, pods and
// volumes, prints nothing, and everything still works afterwards.
func TestSystemRenumber(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	id := env.MustBerth(t, "create", "--name", "c1", "busybox", "true")
	env.MustBerth(t, "start", "--attach", "c1") // lock files are made on first lock
	env.MustBerth(t, "volume", "create", "v1")
	locks := filepath.Join(env.RunRoot, "berth", "locks")
	stale := filepath.Join(locks, strings.Repeat("ab", 32))
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := env.MustBerth(t, "system", "renumber"); out != "" {
		t.Errorf("renumber printed %q", out)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale lock file still there: %v", err)
	}
	for _, keep := range []string{id, "volume.v1"} {
		if _, err := os.Stat(filepath.Join(locks, keep)); err != nil {
			t.Errorf("lock of a live object: %v", err)
		}
	}
	if r := env.Berth("system", "renumber", "extra"); r.ExitCode() != 125 {
		t.Errorf("renumber with an argument:\n%s", r)
	}
	env.MustBerth(t, "start", "--attach", "c1")
	env.MustBerth(t, "rm", "c1")
	env.MustBerth(t, "volume", "rm", "v1")
}
