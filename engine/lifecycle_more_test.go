package engine

// More lifecycle tests (split from lifecycle_test.go to keep files small).
import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

func TestCleanup(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	e.exitAndCleanup(c, 3, false)
	st := e.dbState(c)
	if st.Status != define.StatusExited || st.ExitCode != 3 || st.PID != 0 || st.ConmonPID != 0 || st.FinishedTime.IsZero() {
		t.Errorf("state = %+v, want exited 3 without pids", st)
	}
	if st.StoppedByUser {
		t.Error("an exit on its own is marked as stopped by user")
	}
	if got := e.oci.status(c.ID()); got != "" {
		t.Errorf("runtime still knows the container (%s)", got)
	}
	if got, want := e.eventStatuses(c), "create init start died cleanup"; got != want {
		t.Errorf("events = %q, want %q", got, want)
	}
	// A second, stale cleanup changes nothing.
	if err := c.Cleanup(e.ctx, false); err != nil {
		t.Fatal(err)
	}
	if after := e.dbState(c); !reflect.DeepEqual(after, st) {
		t.Errorf("second cleanup changed the state: %+v", after)
	}
	e.lockFree(c)
}

func TestCleanupRemove(t *testing.T) {
	tests := []struct {
		name   string
		opts   []CtrOption
		remove bool
	}{
		{"--rm flag", nil, true},
		{"auto remove config", []CtrOption{WithAutoRemove()}, false},
		{"auto remove wins over restart policy", []CtrOption{WithAutoRemove(), WithRestartPolicy("always", 0)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(define.StatusRunning, tt.opts...)
			e.exitAndCleanup(c, 5, tt.remove)
			if e.exists(c) {
				t.Fatalf("container still exists as %s", e.dbState(c).Status)
			}
			code, err := e.st.RemovedExitCode(c.ID())
			if err != nil || code != 5 {
				t.Errorf("RemovedExitCode() = %d, %v; want 5", code, err)
			}
			for _, p := range []string{c.bundleDir(), c.staticDir(), e.oci.ExitFilePath(c.ID())} {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Errorf("%s left behind: %v", p, err)
				}
			}
			if got, want := e.eventStatuses(c), "create init start died cleanup remove"; got != want {
				t.Errorf("events = %q, want %q", got, want)
			}
			// The exit command may run twice; the second finds nothing.
			if err := c.Cleanup(e.ctx, true); err != nil {
				t.Errorf("Cleanup() of a removed container = %v", err)
			}
		})
	}
}

func TestCleanupRestartPolicy(t *testing.T) {
	tests := []struct {
		name        string
		policy      string
		max         uint
		codes       []int // successive exit codes
		wantStatus  define.ContainerStatus
		wantRestart int
	}{
		{"no policy", "", 0, []int{1}, define.StatusExited, 0},
		{"no", "no", 0, []int{1}, define.StatusExited, 0},
		{"always after success", "always", 0, []int{0}, define.StatusRunning, 1},
		{"always after failure", "always", 0, []int{1, 0, 2}, define.StatusRunning, 3},
		{"unless-stopped", "unless-stopped", 0, []int{0}, define.StatusRunning, 1},
		{"on-failure after success", "on-failure", 0, []int{0}, define.StatusExited, 0},
		{"on-failure after failure", "on-failure", 0, []int{1}, define.StatusRunning, 1},
		{"on-failure unlimited", "on-failure", 0, []int{1, 1, 1, 1}, define.StatusRunning, 4},
		{"on-failure:2 exhausted", "on-failure", 2, []int{1, 1, 1}, define.StatusExited, 2},
		{"on-failure:2 success ends it", "on-failure", 2, []int{1, 0}, define.StatusExited, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(define.StatusRunning, WithRestartPolicy(tt.policy, tt.max))
			for _, code := range tt.codes {
				if st := e.dbState(c); st.Status != define.StatusRunning {
					t.Fatalf("before exit %d: %s, want running", code, st.Status)
				}
				e.exitAndCleanup(c, code, false)
			}
			st := e.dbState(c)
			if st.Status != tt.wantStatus || st.RestartCount != tt.wantRestart {
				t.Errorf("state = %s restarts %d, want %s restarts %d", st.Status, st.RestartCount, tt.wantStatus, tt.wantRestart)
			}
			if tt.wantStatus == define.StatusExited && st.ExitCode != int32(tt.codes[len(tt.codes)-1]) {
				t.Errorf("exit code = %d, want %d", st.ExitCode, tt.codes[len(tt.codes)-1])
			}
			e.lockFree(c)
		})
	}
}

// A stop by the user is final whatever the policy: conmon's exit command
// runs after stop's own cleanup and must not bring the container back.
func TestCleanupAfterUserStopDoesNotRestart(t *testing.T) {
	for _, policy := range []string{"always", "unless-stopped", "on-failure"} {
		t.Run(policy, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(define.StatusRunning, WithRestartPolicy(policy, 0))
			if err := c.Stop(e.ctx, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.Cleanup(e.ctx, false); err != nil {
				t.Fatal(err)
			}
			if st := e.dbState(c); st.Status != define.StatusExited {
				t.Errorf("status = %s, want exited", st.Status)
			}
			if got, want := e.oci.opsFor(c.ID()), "create start kill(15,all=false) delete"; got != want {
				t.Errorf("runtime calls = %q, want %q", got, want)
			}
		})
	}
}

// Cleanup of a container that is still running (a stale exit command) or
// was never started must leave it alone; in particular a restart policy
// must not start a container that never ran (podman gates restarts on
// RestartPolicyMatch, set only when an exit is seen). A live container is
// not removed even with --rm.
func TestCleanupLeavesLiveAndUnstartedContainersAlone(t *testing.T) {
	tests := []struct {
		from   define.ContainerStatus
		remove bool
	}{
		{define.StatusConfigured, false},
		{define.StatusCreated, false},
		{define.StatusCreated, true},
		{define.StatusRunning, false},
		{define.StatusRunning, true},
		{define.StatusPaused, true},
	}
	for _, tt := range tests {
		name := tt.from.String()
		if tt.remove {
			name += "/rm"
		}
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t)
			c := e.ctrIn(tt.from, WithRestartPolicy("always", 0))
			before := e.dbState(c)
			calls := len(e.oci.callsFor(c.ID()))
			if err := c.Cleanup(e.ctx, tt.remove); err != nil {
				t.Fatal(err)
			}
			if !e.exists(c) {
				t.Fatal("cleanup removed a container that has not exited")
			}
			if after := e.dbState(c); !reflect.DeepEqual(after, before) {
				t.Errorf("cleanup changed the state: %s -> %s", before.Status, after.Status)
			}
			if got := e.oci.callsFor(c.ID()); len(got) != calls {
				t.Errorf("cleanup called the runtime: %v", got[calls:])
			}
			e.lockFree(c)
		})
	}
}

// Restart policy with a user start in between: the user's start gives
// on-failure its retries back (docker and podman reset RestartCount).
func TestUserStartResetsOnFailureBudget(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning, WithRestartPolicy("on-failure", 1))
	e.exitAndCleanup(c, 1, false) // restarted (1 of 1)
	e.exitAndCleanup(c, 1, false) // budget used up
	if st := e.dbState(c); st.Status != define.StatusExited {
		t.Fatalf("status = %s, want exited after the retries", st.Status)
	}
	if err := c.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.dbState(c).RestartCount; got != 0 {
		t.Errorf("RestartCount after a user start = %d, want 0", got)
	}
	e.exitAndCleanup(c, 1, false)
	if st := e.dbState(c); st.Status != define.StatusRunning {
		t.Errorf("after a failure following a user start: %s, want running (restarted by policy)", st.Status)
	}
}

func TestWaitReturnsExitCode(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	ch := waitAsync(e.ctx, c)
	assertNotReturned(t, ch, 30*time.Millisecond)
	if err := e.oci.exit(c.ID(), 42); err != nil {
		t.Fatal(err)
	}
	if r := recvWait(t, ch); r.err != nil || r.code != 42 {
		t.Errorf("Wait() = %d, %v; want 42", r.code, r.err)
	}
	// Once exited, Wait returns at once.
	if code, err := c.Wait(e.ctx); err != nil || code != 42 {
		t.Errorf("second Wait() = %d, %v; want 42", code, err)
	}
	e.lockFree(c)
}

func TestWaitOnExitedContainer(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusExited)
	if code, err := c.Wait(e.ctx); err != nil || code != 3 {
		t.Errorf("Wait() = %d, %v; want 3", code, err)
	}
}

// `run --rm`: the exit command (another process) removes the container
// while the client waits on its own handle.
func TestWaitAfterRemoval(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning, WithAutoRemove())
	ch := waitAsync(e.ctx, c)
	assertNotReturned(t, ch, 20*time.Millisecond)
	e.exitAndCleanup(c, 7, true)
	if r := recvWait(t, ch); r.err != nil || r.code != 7 {
		t.Errorf("Wait() = %d, %v; want 7", r.code, r.err)
	}
	// Waiting on an already removed container still learns the code.
	if code, err := c.Wait(e.ctx); err != nil || code != 7 {
		t.Errorf("Wait() after removal = %d, %v; want 7", code, err)
	}
}

// The container exits and the exit command removes it (exit file and all)
// between Wait's status check and its wait on the exit file. Wait must
// still return the recorded exit code rather than wait for an exit file
// that will never appear again.
func TestWaitRemovedBeforeExitWait(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning, WithAutoRemove())
	var once sync.Once
	hookErr := make(chan error, 1)
	e.oci.mu.Lock()
	e.oci.onWait = func(id string) {
		once.Do(func() {
			err := e.oci.exit(id, 7)
			if err == nil {
				var h *Container
				if h, err = e.r.LookupContainer(id); err == nil {
					err = h.Cleanup(e.ctx, true)
				}
			}
			hookErr <- err
		})
	}
	e.oci.mu.Unlock()
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Second)
	defer cancel()
	code, err := c.Wait(ctx)
	if herr := <-hookErr; herr != nil {
		t.Fatalf("exit and cleanup --rm: %v", herr)
	}
	if e.exists(c) {
		t.Fatal("container was not removed")
	}
	if err != nil || code != 7 {
		t.Errorf("Wait() = %d, %v; want 7 (the removed container's exit code)", code, err)
	}
}

// conmon dies (killed, OOM) while Wait is blocked on the exit file: no
// exit file will ever come, but the sync already treats a container whose
// conmon is gone as stopped (-1). Wait must notice too instead of hanging.
func TestWaitConmonDiesDuringWait(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	var once sync.Once
	e.oci.mu.Lock()
	e.oci.onWait = func(id string) {
		once.Do(func() {
			st, err := e.st.ContainerState(id)
			if err == nil {
				st.ConmonPID = 1 << 30 // above any pid_max: dead
				_ = e.st.SaveContainerState(id, st)
			}
		})
	}
	e.oci.mu.Unlock()
	ctx, cancel := context.WithTimeout(e.ctx, 2*time.Second)
	defer cancel()
	if code, err := c.Wait(ctx); err != nil || code != -1 {
		t.Errorf("Wait() = %d, %v; want -1 once conmon is gone", code, err)
	}
}

// The same handle is used by the waiter and the remover (an API server
// sharing a handle between requests).
func TestWaitSharedHandleRemoval(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	ch := waitAsync(e.ctx, c)
	assertNotReturned(t, ch, 20*time.Millisecond)
	if err := e.oci.exit(c.ID(), 9); err != nil {
		t.Fatal(err)
	}
	if err := c.Cleanup(e.ctx, true); err != nil {
		t.Fatal(err)
	}
	if r := recvWait(t, ch); r.err != nil || r.code != 9 {
		t.Errorf("Wait() = %d, %v; want 9", r.code, r.err)
	}
}

func TestWaitRemovedWithoutRecord(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr()
	if err := e.st.RemoveContainer(c.ID()); err != nil {
		t.Fatal(err)
	}
	// Removed behind the handle's back (another process): Wait reports
	// the exit code the store kept for the removed container.
	if code, err := c.Wait(e.ctx); err != nil || code != 0 {
		t.Errorf("Wait() = %d, %v; want 0", code, err)
	}
}

// Waiting on a container that never started waits for it to run and exit.
func TestWaitOnConfiguredContainer(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr()
	ch := waitAsync(e.ctx, c)
	assertNotReturned(t, ch, 20*time.Millisecond)
	h, err := e.r.LookupContainer(c.ID())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.oci.exit(c.ID(), 4); err != nil {
		t.Fatal(err)
	}
	if r := recvWait(t, ch); r.err != nil || r.code != 4 {
		t.Errorf("Wait() = %d, %v; want 4", r.code, r.err)
	}
}

func TestWaitCanceled(t *testing.T) {
	e := newTestEnv(t)
	for _, from := range []define.ContainerStatus{define.StatusConfigured, define.StatusRunning} {
		t.Run(from.String(), func(t *testing.T) {
			c := e.ctrIn(from)
			ctx, cancel := context.WithCancel(e.ctx)
			ch := waitAsync(ctx, c)
			assertNotReturned(t, ch, 20*time.Millisecond)
			cancel()
			if r := recvWait(t, ch); !errors.Is(r.err, context.Canceled) || r.code != -1 {
				t.Errorf("Wait() = %d, %v; want -1, context.Canceled", r.code, r.err)
			}
			e.lockFree(c)
		})
	}
}

func TestWaitForStatus(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	code, err := c.WaitForStatus(e.ctx, []define.ContainerStatus{define.StatusRunning})
	if err != nil || code != -1 {
		t.Fatalf("WaitForStatus(running) = %d, %v; want -1 (not exited)", code, err)
	}
	if err := e.oci.exit(c.ID(), 6); err != nil {
		t.Fatal(err)
	}
	// Stopped counts as exited.
	code, err = c.WaitForStatus(e.ctx, []define.ContainerStatus{define.StatusExited})
	if err != nil || code != 6 {
		t.Fatalf("WaitForStatus(exited) = %d, %v; want 6", code, err)
	}
}

// A container whose conmon died without writing an exit file cannot be
// running: the next sync kills what is left and cleans it up, as its exit
// command would have (exited, code -1).
func TestSyncConmonGone(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	st := e.dbState(c)
	st.ConmonPID = 1 << 30 // above any pid_max
	if err := e.st.SaveContainerState(c.ID(), &st); err != nil {
		t.Fatal(err)
	}
	got, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != define.StatusExited || got.ExitCode != -1 || got.Error == "" {
		t.Errorf("state = %s code %d error %q, want exited -1 with an error", got.Status, got.ExitCode, got.Error)
	}
	if e.dbState(c).Status != define.StatusExited {
		t.Error("sync did not persist the exited status")
	}
}

func TestSyncOOM(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	e.oci.mu.Lock()
	e.oci.oom[c.ID()] = true
	e.oci.mu.Unlock()
	if err := e.oci.exit(c.ID(), 137); err != nil {
		t.Fatal(err)
	}
	st, err := c.State()
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != define.StatusStopped || !st.OOMKilled || st.ExitCode != 137 {
		t.Errorf("state = %s oom %t code %d, want stopped, OOM-killed, 137", st.Status, st.OOMKilled, st.ExitCode)
	}
}

// Listing shows exited processes as stopped without taking locks or
// writing the store.
func TestContainersSnapshot(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	e.ctrIn(define.StatusConfigured)
	if err := e.oci.exit(c.ID(), 2); err != nil {
		t.Fatal(err)
	}
	if err := c.lock.Lock(); err != nil { // listing must not need the lock
		t.Fatal(err)
	}
	defer c.lock.Unlock()
	list, err := e.r.Containers()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID() != c.ID() {
		t.Fatalf("Containers() = %d containers, want 2 in creation order", len(list))
	}
	if st := list[0].CachedState(); st.Status != define.StatusStopped || st.ExitCode != 2 {
		t.Errorf("listed state = %s code %d, want stopped 2", st.Status, st.ExitCode)
	}
	if list[1].CachedState().Status != define.StatusConfigured {
		t.Errorf("second container listed as %s", list[1].CachedState().Status)
	}
	if e.dbState(c).Status != define.StatusRunning {
		t.Error("listing wrote the store")
	}
}

func TestLookupAndRename(t *testing.T) {
	e := newTestEnv(t)
	c := e.newCtr(WithName("old"))
	other := e.newCtr(WithName("other"))
	for _, ref := range []string{"old", c.ID(), c.ID()[:12]} {
		got, err := e.r.LookupContainer(ref)
		if err != nil || got.ID() != c.ID() {
			t.Errorf("LookupContainer(%q) = %v, %v", ref, got, err)
		}
	}
	if ok, err := e.r.ContainerExists("nope"); ok || err != nil {
		t.Errorf("ContainerExists(nope) = %t, %v", ok, err)
	}
	if _, err := e.r.LookupContainer("nope"); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("LookupContainer(nope) = %v, want ErrNoSuchCtr", err)
	}
	if err := c.Rename(e.ctx, "bad name"); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("Rename(bad name) = %v, want ErrInvalidArg", err)
	}
	if err := c.Rename(e.ctx, other.Name()); !errors.Is(err, define.ErrNameInUse) {
		t.Errorf("Rename(taken) = %v, want ErrNameInUse", err)
	}
	e.lockFree(c)
	if err := c.Rename(e.ctx, "new"); err != nil {
		t.Fatal(err)
	}
	if c.Name() != "new" {
		t.Errorf("handle name = %q, want new", c.Name())
	}
	if ok, _ := e.r.ContainerExists("old"); ok {
		t.Error("old name still resolves")
	}
	if got, err := e.r.LookupContainer("new"); err != nil || got.ID() != c.ID() {
		t.Errorf("LookupContainer(new) = %v, %v", got, err)
	}
}

// A refused removal of a user-mounted container releases nothing: a
// stopped one keeps its runtime record, a created one is not stopped.
func TestMountCountBlocksRemoveUntouched(t *testing.T) {
	for _, st := range []define.ContainerStatus{define.StatusStopped, define.StatusCreated} {
		e := newTestEnv(t)
		c := e.ctrIn(st)
		if _, err := c.Mount(e.ctx); err != nil {
			t.Fatalf("%s: Mount() = %v", st, err)
		}
		before := len(e.oci.callsFor(c.ID()))
		if err := e.r.RemoveContainer(e.ctx, c, RemoveOptions{}); !errors.Is(err, define.ErrCtrStateInvalid) {
			t.Fatalf("%s: RemoveContainer() of a mounted container = %v, want ErrCtrStateInvalid", st, err)
		}
		if got := e.dbState(c).Status; got != st {
			t.Errorf("%s: refused removal changed the status to %s", st, got)
		}
		if calls := e.oci.callsFor(c.ID()); len(calls) != before {
			t.Errorf("%s: refused removal called the runtime: %v", st, calls[before:])
		}
	}
}

func TestMountCountBlocksRemove(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusExited)
	mp, err := c.Mount(e.ctx)
	if err != nil || mp != e.rootfs {
		t.Fatalf("Mount() = %q, %v; want %q", mp, err, e.rootfs)
	}
	if st := e.dbState(c); st.MountCount != 1 || st.Mountpoint != e.rootfs {
		t.Errorf("after mount: count %d mountpoint %q", st.MountCount, st.Mountpoint)
	}
	err = e.r.RemoveContainer(e.ctx, c, RemoveOptions{})
	if !errors.Is(err, define.ErrCtrStateInvalid) {
		t.Fatalf("RemoveContainer() of a mounted container = %v, want ErrCtrStateInvalid", err)
	}
	if st := e.dbState(c); st.Status != define.StatusExited {
		t.Errorf("refused removal changed the status to %s", st.Status)
	}
	if err := c.Unmount(e.ctx, false); err != nil {
		t.Fatal(err)
	}
	if st := e.dbState(c); st.MountCount != 0 {
		t.Errorf("after unmount: count %d", st.MountCount)
	}
	if err := e.r.RemoveContainer(e.ctx, c, RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestRemoveRunningNeedsForce(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	err := e.r.RemoveContainer(e.ctx, c, RemoveOptions{})
	if !errors.Is(err, define.ErrCtrStateInvalid) {
		t.Fatalf("RemoveContainer() = %v, want ErrCtrStateInvalid", err)
	}
	e.oci.ignoreSignal(syscall.SIGTERM)
	if err := e.r.RemoveContainer(e.ctx, c, RemoveOptions{Force: true, Timeout: uintPtr(0)}); err != nil {
		t.Fatal(err)
	}
	if got, want := e.oci.opsFor(c.ID()), "create start kill(9,all=true) delete"; got != want {
		t.Errorf("runtime calls = %q, want %q", got, want)
	}
	if e.exists(c) {
		t.Error("container still exists")
	}
	if _, err := e.r.LookupContainer(c.Name()); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("LookupContainer() after removal = %v, want ErrNoSuchCtr", err)
	}
	// The handle is stale now.
	if err := c.Start(e.ctx); !errors.Is(err, define.ErrCtrRemoved) {
		t.Errorf("Start() on a removed handle = %v, want ErrCtrRemoved", err)
	}
}

// Reboot: the run root (tmpfs) loses the alive marker; reopening resets
// every container to what can survive a reboot.
func TestRefreshAfterReboot(t *testing.T) {
	e := newTestEnv(t)
	want := map[define.ContainerStatus]define.ContainerStatus{
		define.StatusConfigured: define.StatusConfigured,
		define.StatusCreated:    define.StatusConfigured,
		define.StatusRunning:    define.StatusExited,
		define.StatusPaused:     define.StatusExited,
		define.StatusStopping:   define.StatusExited,
		define.StatusStopped:    define.StatusExited,
		define.StatusExited:     define.StatusExited,
		// An unfinished removal stays one: only rm may finish it.
		define.StatusRemoving: define.StatusRemoving,
	}
	ctrs := map[define.ContainerStatus]*Container{}
	for from := range want {
		ctrs[from] = e.ctrIn(from)
		if from == define.StatusRunning {
			c := ctrs[from]
			if _, err := c.Mount(e.ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Reopening without a reboot changes nothing.
	snap := map[define.ContainerStatus]define.ContainerState{}
	for from, c := range ctrs {
		snap[from] = e.dbState(c)
	}
	e.open()
	for from, c := range ctrs {
		if got := e.dbState(c); !reflect.DeepEqual(got, snap[from]) {
			t.Errorf("reopen without reboot changed %s container: %+v", from, got)
		}
	}

	if err := os.Remove(e.cfg.aliveFile()); err != nil {
		t.Fatal(err)
	}
	// The fake runtime and exit files are on the tmpfs too.
	e.oci = newFakeOCI(e.cfg.exitDir(), e.cfg.socketDir())
	if err := os.RemoveAll(e.cfg.exitDir()); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(e.cfg.exitDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	e.r = e.open()
	for from, c := range ctrs {
		st := e.dbState(c)
		if st.Status != want[from] {
			t.Errorf("%s container after reboot: %s, want %s", from, st.Status, want[from])
		}
		if st.PID != 0 || st.ConmonPID != 0 || st.Mountpoint != "" || st.RunDir != "" || st.MountCount != 0 {
			t.Errorf("%s container after reboot keeps run-root state: %+v", from, st)
		}
	}
	if _, err := os.Stat(e.cfg.aliveFile()); err != nil {
		t.Errorf("alive marker not recreated: %v", err)
	}
	// Every refreshed container can be started again, except the one an
	// unfinished rm left, which the next rm removes.
	for from, c := range ctrs {
		h, err := e.r.LookupContainer(c.ID())
		if err != nil {
			t.Fatal(err)
		}
		if from == define.StatusRemoving {
			if err := h.Start(e.ctx); !errors.Is(err, define.ErrCtrStateInvalid) {
				t.Errorf("Start() of removing container after reboot = %v, want ErrCtrStateInvalid", err)
			}
			if err := e.r.RemoveContainer(e.ctx, h, RemoveOptions{}); err != nil {
				t.Errorf("RemoveContainer() of removing container after reboot = %v", err)
			}
			continue
		}
		if err := h.Start(e.ctx); err != nil {
			t.Errorf("Start() of %s container after reboot = %v", from, err)
		}
	}
}

// New is cheap and unprivileged: open a real runtime (SQLite, file locks)
// on temporary roots and check the reboot marker it leaves. The OCI
// runtime and conmon only have to be executable files (nothing runs), so
// the test binary stands in for both.
func TestNewOpensRuntime(t *testing.T) {
	dir := t.TempDir()
	if _, err := New(t.Context(), Config{GraphRoot: dir}); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("New() without run root = %v, want ErrInvalidArg", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		GraphRoot: filepath.Join(dir, "g"), RunRoot: filepath.Join(dir, "r"),
		OCIRuntime: self, ConmonPath: self, NoEvents: true,
	}
	r, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Shutdown(false)
	if _, err := os.Stat(cfg.aliveFile()); err != nil {
		t.Errorf("alive marker: %v", err)
	}
	if r.Events() != nil {
		t.Error("NoEvents still has an events logger")
	}

	// A runtime that does not exist fails every command early.
	bad := cfg
	bad.GraphRoot, bad.RunRoot = filepath.Join(dir, "g2"), filepath.Join(dir, "r2")
	bad.OCIRuntime = filepath.Join(dir, "no-such-runtime")
	if _, err := New(t.Context(), bad); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("New() with a missing runtime = %v, want ErrInvalidArg", err)
	}
}
