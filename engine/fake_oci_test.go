package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// fakeOCI is an in-memory OCI runtime for unit tests. It behaves like the
// conmon adapter as far as the engine can tell: it keeps a per-container
// runtime status, writes real exit files into exitDir when a container's
// process "exits" (so the engine's own os.Remove of exit files works), and
// returns the test process's PID as conmon's, so the engine's "is conmon
// still alive" check passes.
//
// A container exits when a test calls exit, or when it is sent a signal
// the fake does not ignore (exit code 128+signal). Errors can be injected
// per operation.
type fakeOCI struct {
	exitDir   string
	socketDir string

	mu      sync.Mutex
	ctrs    map[string]*fakeCtr
	calls   []fakeCall
	errs    map[string]error // op -> error returned by every call of op
	ignored map[syscall.Signal]bool
	nextPID int
	oom     map[string]bool
	// waiters get the exit code the moment a container exits, as inotify
	// wakes the real adapter when conmon writes the exit file.
	waiters map[string][]chan int
	// onWait, if set, runs at the start of every WaitExit call (a seam to
	// make things happen between a caller's status check and its wait).
	onWait func(id string)
}

// fakeCtr is what the fake runtime knows about one container.
type fakeCtr struct {
	status  string // created, running, paused, stopped
	pending syscall.Signal
	opts    oci.CreateOptions
}

// fakeCall is one recorded call of a mutating operation.
type fakeCall struct {
	Op  string // create, start, kill, delete, pause, resume
	ID  string
	Sig syscall.Signal
	All bool
}

func (c fakeCall) String() string {
	if c.Op == "kill" {
		return fmt.Sprintf("kill(%d,all=%t)", c.Sig, c.All)
	}
	return c.Op
}

var _ ociRuntime = (*fakeOCI)(nil)

func newFakeOCI(exitDir, socketDir string) *fakeOCI {
	return &fakeOCI{
		exitDir:   exitDir,
		socketDir: socketDir,
		ctrs:      map[string]*fakeCtr{},
		errs:      map[string]error{},
		ignored:   map[syscall.Signal]bool{},
		oom:       map[string]bool{},
		nextPID:   1000,
		waiters:   map[string][]chan int{},
	}
}

// errNotFoundExecutable is what the adapter returns when the container's
// command does not exist.
func errNotFoundExecutable() error {
	return fmt.Errorf(`runc: exec: "/nonexistent": stat /nonexistent: no such file or directory: %w`, define.ErrOCIRuntimeNotFound)
}

// setErr makes every later call of op ("create", "start", "kill",
// "delete", "pause", "resume", "wait") fail with err; nil clears it.
func (f *fakeOCI) setErr(op string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil {
		delete(f.errs, op)
		return
	}
	f.errs[op] = err
}

// ignoreSignal makes the container's process survive sig (not SIGKILL).
func (f *fakeOCI) ignoreSignal(sig syscall.Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ignored[sig] = true
}

// exit makes the container's process exit with code, as conmon would see
// it: the runtime status becomes stopped and the exit file is written.
func (f *fakeOCI) exit(id string, code int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.ctrs[id]
	if !ok {
		return fmt.Errorf("fake runtime: container %s: %w", id, define.ErrNoSuchCtr)
	}
	return f.exitLocked(id, c, code)
}

func (f *fakeOCI) exitLocked(id string, c *fakeCtr, code int) error {
	c.status = "stopped"
	c.pending = 0
	for _, w := range f.waiters[id] {
		w <- code
	}
	delete(f.waiters, id)
	// Like conmon: the exit code goes to the persist dir, the bundle.
	tmp := filepath.Join(c.opts.BundleDir, ".exit")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(code)), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(c.opts.BundleDir, "exit"))
}

// status returns the runtime status of id, or "" when it does not know it.
func (f *fakeOCI) status(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.ctrs[id]; ok {
		return c.status
	}
	return ""
}

// createOptions returns the options of the last create of id.
func (f *fakeOCI) createOptions(id string) oci.CreateOptions {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.ctrs[id]; ok {
		return c.opts
	}
	return oci.CreateOptions{}
}

// callsFor returns the recorded calls for id, in order.
func (f *fakeOCI) callsFor(id string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.ID == id {
			out = append(out, c)
		}
	}
	return out
}

// opsFor renders callsFor as "create start kill(15,all=false) ...".
func (f *fakeOCI) opsFor(id string) string {
	var ops []string
	for _, c := range f.callsFor(id) {
		ops = append(ops, c.String())
	}
	return strings.Join(ops, " ")
}

// record notes a call and returns the injected error for op, if any.
//
// Preconditions: f.mu is held.
func (f *fakeOCI) recordLocked(c fakeCall) error {
	f.calls = append(f.calls, c)
	return f.errs[c.Op]
}

func (f *fakeOCI) Name() string { return "fake" }
func (f *fakeOCI) Path() string { return "/usr/bin/fake-runc" }

func (f *fakeOCI) CreateContainer(ctx context.Context, o oci.CreateOptions) (int, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.recordLocked(fakeCall{Op: "create", ID: o.ID}); err != nil {
		return 0, 0, err
	}
	if c, ok := f.ctrs[o.ID]; ok && c.status != "stopped" {
		return 0, 0, fmt.Errorf("fake runtime: container %s exists in state %s", o.ID, c.status)
	}
	if _, err := os.Stat(filepath.Join(o.BundleDir, "config.json")); err != nil {
		return 0, 0, fmt.Errorf("fake runtime: bundle of %s: %w", o.ID, err)
	}
	f.nextPID++
	f.ctrs[o.ID] = &fakeCtr{status: "created", opts: o}
	// The test process stands in for conmon: it is alive, which is all
	// the engine checks.
	return f.nextPID, os.Getpid(), nil
}

func (f *fakeOCI) StartContainer(ctx context.Context, id string, pid int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.recordLocked(fakeCall{Op: "start", ID: id}); err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	c, ok := f.ctrs[id]
	if !ok {
		return fmt.Errorf("container %s: %w", id, define.ErrNoSuchCtr)
	}
	if c.status != "created" {
		return fmt.Errorf("container %s: cannot start a container that is %s: %w", id, c.status, define.ErrOCIRuntime)
	}
	c.status = "running"
	return nil
}

func (f *fakeOCI) KillContainer(ctx context.Context, id string, sig syscall.Signal, all bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.recordLocked(fakeCall{Op: "kill", ID: id, Sig: sig, All: all}); err != nil {
		return err
	}
	c, ok := f.ctrs[id]
	if !ok {
		return fmt.Errorf("container %s: %w", id, define.ErrNoSuchCtr)
	}
	switch {
	case c.status == "stopped":
		return fmt.Errorf("container %s: container not running: %w", id, define.ErrCtrStateInvalid)
	case sig == syscall.SIGKILL:
		return f.exitLocked(id, c, 128+int(sig))
	case f.ignored[sig]:
		return nil
	case c.status == "paused":
		// A frozen process handles the signal once thawed.
		c.pending = sig
		return nil
	}
	return f.exitLocked(id, c, 128+int(sig))
}

// DeleteExited is recorded as a delete: the engine tests check that the
// runtime forgets the container, not how.
func (f *fakeOCI) DeleteExited(ctx context.Context, id string) error {
	return f.DeleteContainer(ctx, id)
}

func (f *fakeOCI) DeleteContainer(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.recordLocked(fakeCall{Op: "delete", ID: id}); err != nil {
		return err
	}
	c, ok := f.ctrs[id]
	if !ok {
		return nil // like the adapter: unknown means already deleted
	}
	if c.status != "stopped" {
		// delete --force kills first.
		if err := f.exitLocked(id, c, 137); err != nil {
			return err
		}
	}
	delete(f.ctrs, id)
	return nil
}

func (f *fakeOCI) UpdateResources(ctx context.Context, id string, _ *specs.LinuxResources) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.recordLocked(fakeCall{Op: "update", ID: id}); err != nil {
		return err
	}
	if _, ok := f.ctrs[id]; !ok {
		return fmt.Errorf("container %s: %w", id, define.ErrNoSuchCtr)
	}
	return nil
}

func (f *fakeOCI) PauseContainer(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.recordLocked(fakeCall{Op: "pause", ID: id}); err != nil {
		return err
	}
	c, ok := f.ctrs[id]
	if !ok {
		return fmt.Errorf("container %s: %w", id, define.ErrNoSuchCtr)
	}
	if c.status != "running" {
		return fmt.Errorf("container %s: container not running: %w", id, define.ErrOCIRuntime)
	}
	c.status = "paused"
	return nil
}

func (f *fakeOCI) ResumeContainer(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.recordLocked(fakeCall{Op: "resume", ID: id}); err != nil {
		return err
	}
	c, ok := f.ctrs[id]
	if !ok {
		return fmt.Errorf("container %s: %w", id, define.ErrNoSuchCtr)
	}
	if c.status != "paused" {
		return fmt.Errorf("container %s: container not paused: %w", id, define.ErrOCIRuntime)
	}
	c.status = "running"
	if c.pending != 0 {
		return f.exitLocked(id, c, 128+int(c.pending))
	}
	return nil
}

func (f *fakeOCI) State(ctx context.Context, id string) (string, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.ctrs[id]
	if !ok {
		return "", 0, fmt.Errorf("container %s: %w", id, define.ErrNoSuchCtr)
	}
	return c.status, 0, nil
}

// ExitCode reads the exit file like the adapter does.
func (f *fakeOCI) ExitCode(id, bundleDir string) (int, time.Time, bool, bool, error) {
	p := f.ExitFilePath(id)
	if bundleDir != "" {
		p = filepath.Join(bundleDir, "exit")
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, time.Time{}, false, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, false, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return 0, time.Time{}, false, false, err
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, time.Time{}, false, false, err
	}
	f.mu.Lock()
	oom := f.oom[id]
	f.mu.Unlock()
	return code, st.ModTime(), oom, true, nil
}

// WaitExit returns the exit code once the exit file exists or the
// container exits, like the adapter's inotify watch on the exit dir.
func (f *fakeOCI) WaitExit(ctx context.Context, id, bundleDir string) (int, error) {
	f.mu.Lock()
	err, hook := f.errs["wait"], f.onWait
	f.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if hook != nil {
		hook(id)
	}
	ch := make(chan int, 1)
	f.mu.Lock()
	f.waiters[id] = append(f.waiters[id], ch)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		ws := f.waiters[id]
		for i, w := range ws {
			if w == ch {
				f.waiters[id] = append(ws[:i:i], ws[i+1:]...)
				break
			}
		}
	}()
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		code, _, _, exists, err := f.ExitCode(id, bundleDir)
		if err != nil {
			return 0, err
		}
		if exists {
			return code, nil
		}
		select {
		case code := <-ch:
			return code, nil
		case <-ctx.Done():
			return 0, fmt.Errorf("container %s: wait for exit: %w", id, ctx.Err())
		case <-t.C:
		}
	}
}

func (f *fakeOCI) Attach(ctx context.Context, id, bundleDir string, s oci.AttachStreams, detachKeys []byte, resize <-chan [2]uint16) error {
	return fmt.Errorf("fake runtime: attach: %w", define.ErrNotImplemented)
}

func (f *fakeOCI) AttachSocketPath(id string) string {
	return filepath.Join(f.socketDir, id, "attach")
}

func (f *fakeOCI) ExitFilePath(id string) string { return filepath.Join(f.exitDir, id) }

// Started is false: the fake records starts through StartContainer only.
func (f *fakeOCI) Started(id string) bool { return false }

func (f *fakeOCI) ExecContainer(ctx context.Context, o oci.ExecOptions, attach *oci.ExecAttach) (*oci.ExecProcess, error) {
	return nil, fmt.Errorf("fake runtime: exec: %w", define.ErrNotImplemented)
}

func (f *fakeOCI) ExecExitCode(containerID, sessionDir string) (int, bool, error) {
	return 0, false, nil
}
