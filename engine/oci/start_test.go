package oci

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// A start through the exec fifo starts the container once; a second start
// and a start after init died fail with a state error instead of hanging.
func TestStartThroughFifo(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	if r.cfg.Name != "runc" {
		t.Skip("the fifo start is runc's")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := create(t, r, CreateOptions{BundleDir: newBundle(t, []string{"sh", "-c", "exit 3"}, false)})
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(r.cfg.StateRoot, c.id, execFifo)
	if _, err := os.Stat(fifo); err != nil {
		t.Fatalf("no exec fifo after create: %v", err)
	}
	// No runc may run for this start: a fallback to `runc start` fails.
	path := r.path
	r.path = "/nonexistent/runc"
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatalf("start: %v", err)
	}
	r.path = path
	if _, err := os.Stat(fifo); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("exec fifo left after start: %v", err)
	}
	if code, err := r.WaitExit(ctx, c.id, c.bundle); err != nil || code != 3 {
		t.Errorf("exit = %d, %v; want 3", code, err)
	}
	if err := r.StartContainer(ctx, c.id, c.pid); err == nil {
		t.Error("second start succeeded")
	}

	d, err := create(t, r, CreateOptions{BundleDir: newBundle(t, []string{"true"}, false)})
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(d.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = r.StartContainer(ctx, d.id, d.pid)
	if !errors.Is(err, define.ErrCtrStateInvalid) {
		t.Errorf("start with init dead: %v, want a state error", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("start with init dead took %v", time.Since(start))
	}
}

// An exited runc container is deleted in-process: its state directory and
// its cgroups go, as with `runc delete`.
func TestDeleteExited(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := create(t, r, CreateOptions{BundleDir: newBundle(t, []string{"true"}, false)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(r.cfg.StateRoot, c.id, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st runcState
	if err := json.Unmarshal(data, &st); err != nil || len(st.CgroupPaths) == 0 {
		t.Fatalf("state.json: %v, cgroups %v", err, st.CgroupPaths)
	}
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatal(err)
	}
	if _, err := r.WaitExit(ctx, c.id, c.bundle); err != nil {
		t.Fatal(err)
	}
	// conmon has reaped init once the exit file is there. No runc may run
	// for this delete: a fallback to `runc delete` would fail.
	path := r.path
	r.path = "/nonexistent/runc"
	if err := r.DeleteExited(ctx, c.id); err != nil {
		t.Fatalf("DeleteExited: %v", err)
	}
	r.path = path
	if _, err := os.Stat(filepath.Join(r.cfg.StateRoot, c.id)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state directory left: %v", err)
	}
	for _, p := range st.CgroupPaths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cgroup %s left: %v", p, err)
		}
	}
	if _, _, err := r.State(ctx, c.id); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("runc still knows the container: %v", err)
	}
	// Deleting again is not an error (the runtime forgot it already).
	if err := r.DeleteExited(ctx, c.id); err != nil {
		t.Errorf("second DeleteExited: %v", err)
	}
}

// The hooks of runc's state.json list every kind, most as null: only a
// hook that is there sends the delete to runc.
func TestRuncStateHooks(t *testing.T) {
	var st runcState
	if err := json.Unmarshal([]byte(`{"init_process_pid":1,"config":{"hooks":{"prestart":null,"poststop":[]}}}`), &st); err != nil {
		t.Fatal(err)
	}
	for kind, hooks := range st.Config.Hooks {
		if len(hooks) > 0 {
			t.Errorf("hook kind %s reads as set", kind)
		}
	}
}
