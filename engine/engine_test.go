package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/events"
	"github.com/berth-dev/berth/engine/lock"
	"github.com/berth-dev/berth/engine/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// testEnv is a Runtime over in-memory state and locks and the fake OCI
// runtime, with its graph and run roots in a temporary directory.
type testEnv struct {
	t      *testing.T
	ctx    context.Context
	cfg    Config
	r      *Runtime
	st     *state.Memory
	locks  *lock.MemoryManager
	oci    *fakeOCI
	rootfs string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dir := t.TempDir()
	cfg := Config{
		GraphRoot:  filepath.Join(dir, "graph"),
		RunRoot:    filepath.Join(dir, "run"),
		OCIRuntime: "fake",
		BinaryPath: "/usr/bin/berth",
	}
	for _, d := range []string{cfg.tmpDir(), cfg.exitDir(), cfg.lockDir(), cfg.bundleRoot(), cfg.staticDir(), cfg.socketDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	e := &testEnv{
		t:      t,
		ctx:    t.Context(),
		cfg:    cfg,
		st:     state.NewMemory(),
		locks:  lock.NewMemoryManager(),
		oci:    newFakeOCI(cfg.exitDir(), cfg.socketDir()),
		rootfs: newRootfs(t),
	}
	e.r = e.open()
	return e
}

// open builds a Runtime over the env's store, locks and fake runtime, the
// way New does (including the reboot refresh).
func (e *testEnv) open() *Runtime {
	e.t.Helper()
	r := newRuntime(e.cfg, e.st, e.locks)
	r.events = events.NewLogger(e.cfg.eventsPath())
	r.newOCI = func(name string) (ociRuntime, error) {
		if name != "fake" {
			return nil, errors.New("test runtime only knows the fake OCI runtime, not " + name)
		}
		return e.oci, nil
	}
	if err := r.refreshIfRebooted(e.ctx); err != nil {
		e.t.Fatalf("refreshIfRebooted() = %v", err)
	}
	return r
}

// newRootfs makes a directory usable as a container's root: user
// resolution needs etc/passwd and etc/group.
func newRootfs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testSpec() *specs.Spec {
	return &specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{Args: []string{"/bin/sh", "-c", "true"}, Cwd: "/", Env: []string{"PATH=/usr/bin:/bin"}},
		Root:    &specs.Root{Path: "rootfs"},
		Linux:   &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.UTSNamespace}}},
	}
}

// newCtr creates a Configured container on the env's rootfs.
func (e *testEnv) newCtr(opts ...CtrOption) *Container {
	e.t.Helper()
	c, err := e.r.NewContainer(e.ctx, testSpec(), append([]CtrOption{WithRootfs(e.rootfs)}, opts...)...)
	if err != nil {
		e.t.Fatalf("NewContainer() = %v", err)
	}
	return c
}

// ctrIn creates a container and drives it into status with the engine's
// own verbs and the fake runtime. Stopping and Removing are transient, so
// they are written to the store as a crashed command would leave them.
func (e *testEnv) ctrIn(status define.ContainerStatus, opts ...CtrOption) *Container {
	e.t.Helper()
	c := e.newCtr(opts...)
	must := func(what string, err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatalf("driving %s to %s: %s: %v", c.Name(), status, what, err)
		}
	}
	switch status {
	case define.StatusConfigured:
	case define.StatusCreated:
		must("Init", c.Init(e.ctx))
	case define.StatusRunning:
		must("Start", c.Start(e.ctx))
	case define.StatusPaused:
		must("Start", c.Start(e.ctx))
		must("Pause", c.Pause(e.ctx))
	case define.StatusStopping:
		must("Start", c.Start(e.ctx))
		e.forceStatus(c, define.StatusStopping)
	case define.StatusStopped:
		must("Start", c.Start(e.ctx))
		must("exit", e.oci.exit(c.ID(), 3))
		_, err := c.State() // syncs the exit file into the store
		must("State", err)
	case define.StatusExited:
		must("Start", c.Start(e.ctx))
		must("exit", e.oci.exit(c.ID(), 3))
		must("Cleanup", c.Cleanup(e.ctx, false))
	case define.StatusRemoving:
		must("Start", c.Start(e.ctx))
		must("exit", e.oci.exit(c.ID(), 3))
		must("Cleanup", c.Cleanup(e.ctx, false))
		e.forceStatus(c, define.StatusRemoving)
	default:
		e.t.Fatalf("ctrIn(%s): unsupported", status)
	}
	if got := e.dbState(c).Status; got != status {
		e.t.Fatalf("ctrIn(%s): container is %s", status, got)
	}
	return c
}

// forceStatus writes a status straight into the store.
func (e *testEnv) forceStatus(c *Container, s define.ContainerStatus) {
	e.t.Helper()
	st := e.dbState(c)
	st.Status = s
	if err := e.st.SaveContainerState(c.ID(), &st); err != nil {
		e.t.Fatal(err)
	}
}

// dbState reads the persisted state, bypassing the container's lock and
// sync, so it shows exactly what the last command saved.
func (e *testEnv) dbState(c *Container) define.ContainerState {
	e.t.Helper()
	st, err := e.st.ContainerState(c.ID())
	if err != nil {
		e.t.Fatalf("ContainerState(%s) = %v", c.Name(), err)
	}
	return *st
}

// exists reports whether the store still has the container.
func (e *testEnv) exists(c *Container) bool {
	e.t.Helper()
	_, err := e.st.ContainerState(c.ID())
	if errors.Is(err, define.ErrNoSuchCtr) {
		return false
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return true
}

// eventStatuses lists the statuses of the logged events of a container.
func (e *testEnv) eventStatuses(c *Container) string {
	e.t.Helper()
	var got []string
	err := e.r.Events().Read(e.ctx, events.ReadOptions{}, func(ev define.Event) error {
		if ev.ID == c.ID() {
			got = append(got, ev.Status)
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return strings.Join(got, " ")
}

// lockFree checks that the container's lock is not left held.
func (e *testEnv) lockFree(c *Container) {
	e.t.Helper()
	ok, err := c.lock.TryLock()
	if err != nil {
		e.t.Fatal(err)
	}
	if !ok {
		e.t.Fatalf("lock of %s is still held", c.Name())
	}
	if err := c.lock.Unlock(); err != nil {
		e.t.Fatal(err)
	}
}

// waitResult is what a background Wait returned.
type waitResult struct {
	code int32
	err  error
}

// waitAsync runs c.Wait in the background.
func waitAsync(ctx context.Context, c *Container) <-chan waitResult {
	ch := make(chan waitResult, 1)
	go func() {
		code, err := c.Wait(ctx)
		ch <- waitResult{code, err}
	}()
	return ch
}

func recvWait(t *testing.T, ch <-chan waitResult) waitResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("Wait() did not return")
	}
	return waitResult{}
}

func assertNotReturned(t *testing.T, ch <-chan waitResult, d time.Duration) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("Wait() returned early: (%d, %v)", r.code, r.err)
	case <-time.After(d):
	}
}

func uintPtr(u uint) *uint { return &u }

// TestFakeOCI is a sanity check of the fake itself: exit
// files appear where the engine looks, and signals end the process.
func TestFakeOCI(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	if got := e.oci.status(c.ID()); got != "running" {
		t.Fatalf("fake status = %q, want running", got)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start"; got != want {
		t.Fatalf("calls = %q, want %q", got, want)
	}
	if err := e.oci.KillContainer(e.ctx, c.ID(), 15, false); err != nil {
		t.Fatal(err)
	}
	code, _, _, exists, err := e.oci.ExitCode(c.ID(), c.bundleDir())
	if err != nil || !exists || code != 143 {
		t.Fatalf("ExitCode() = %d, exists %t, %v; want 143, true, nil", code, exists, err)
	}
	if _, err := os.Stat(filepath.Join(c.bundleDir(), "exit")); err != nil {
		t.Fatalf("exit file not in the bundle (conmon's persist dir): %v", err)
	}
}

// eventsAll reads every logged event.
var eventsAll = events.ReadOptions{}
