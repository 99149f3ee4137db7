package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLeanHandOff: the lean berth (make build's bin/berth) serves the hot
// path alone and hands image transfers to berth-full beside it; without
// berth-full those fail with one clear line, exit 125 and no change.
func TestLeanHandOff(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	if _, err := os.Stat(filepath.Join(filepath.Dir(berthBinary), "berth-full")); err != nil {
		t.Skipf("%s is not a lean build beside berth-full (%v)", berthBinary, err)
	}
	// The lean binary alone in a directory: no berth-full to hand off to.
	alone := filepath.Join(env.Dir, "alone", "berth")
	if err := os.MkdirAll(filepath.Dir(alone), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(berthBinary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, int) {
		cmd := exec.CommandContext(context.Background(), alone, env.args(args)...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	// The hot path needs no berth-full: run, ps, inspect, images, rm.
	if out, code := run("run", "--rm", "--network", "none", "busybox", "echo", "lean"); code != 0 || strings.TrimSpace(out) != "lean" {
		t.Fatalf("lean run: exit %d, output %q", code, out)
	}
	for _, args := range [][]string{{"ps", "-a"}, {"images"}, {"image", "inspect", "busybox"}, {"create", "--name", "c1", "busybox"}, {"rm", "c1"}} {
		if out, code := run(args...); code != 0 {
			t.Errorf("lean %v: exit %d: %s", args, code, out)
		}
	}
	// Transfers (and a run that must pull) are handed off, and fail here.
	for _, args := range [][]string{{"pull", "localhost/nothing"}, {"image", "save", "-o", filepath.Join(env.Dir, "x.tar"), "busybox"},
		{"container", "commit", "x", "y"}, {"manifest", "create", "ml"}, {"run", "--rm", "nosuchimage", "true"}} {
		out, code := run(args...)
		if code != 125 || !strings.Contains(out, "berth-full") || strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Errorf("lean %v without berth-full: exit %d, output %q; want 125 and one line naming berth-full", args, code, out)
		}
	}
	if names := paPsNames(t, env); len(names) != 0 {
		t.Errorf("containers left by failed hand-offs: %v", names)
	}
	if _, err := os.Stat(filepath.Join(env.Dir, "x.tar")); err == nil {
		t.Error("save wrote x.tar without berth-full")
	}
	// With berth-full beside it (the normal install), the same commands work.
	env.MustBerth(t, "image", "save", "-o", filepath.Join(env.Dir, "x.tar"), "busybox")
	env.MustBerth(t, "manifest", "create", "ml")
	env.MustBerth(t, "rmi", "ml")
}
