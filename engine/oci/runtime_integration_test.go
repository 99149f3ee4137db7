package oci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

func TestCreateStartAttachDelete(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	bundle := newBundle(t, []string{"sh", "-c", "echo hello; echo oops >&2"}, false)
	logPath := filepath.Join(bundle, "ctr.log")
	c, err := create(t, r, CreateOptions{BundleDir: bundle, LogPath: logPath})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if c.pid <= 0 || c.conmonPID <= 0 {
		t.Fatalf("create returned pid %d conmon pid %d, want both > 0", c.pid, c.conmonPID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	status, pid, err := r.State(ctx, c.id)
	if err != nil || status != "created" || pid != c.pid {
		t.Fatalf("State = %q, %d, %v; want created, %d, nil", status, pid, err, c.pid)
	}

	var stdout, stderr bytes.Buffer
	connected := make(chan struct{})
	attachErr := make(chan error, 1)
	go func() {
		attachErr <- r.Attach(ctx, c.id, bundle, AttachStreams{
			Stdout: &stdout, Stderr: &stderr, AttachStdout: true, AttachStderr: true,
			Connected: func() { close(connected) },
		}, nil, nil)
	}()
	select {
	case <-connected:
	case err := <-attachErr:
		t.Fatalf("attach: %v", err)
	}
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatalf("start: %v", err)
	}
	if err := <-attachErr; err != nil {
		t.Fatalf("attach: %v", err)
	}
	if got := stdout.String(); got != "hello\n" {
		t.Errorf("attached stdout = %q, want %q", got, "hello\n")
	}
	if got := stderr.String(); got != "oops\n" {
		t.Errorf("attached stderr = %q, want %q", got, "oops\n")
	}

	code, err := r.WaitExit(ctx, c.id, c.bundle)
	if err != nil || code != 0 {
		t.Fatalf("WaitExit = %d, %v; want 0, nil", code, err)
	}
	code, finished, oom, exists, err := r.ExitCode(c.id, bundle)
	if err != nil || !exists || code != 0 || oom || finished.IsZero() {
		t.Fatalf("ExitCode = %d, %v, oom %v, exists %v, %v", code, finished, oom, exists, err)
	}
	waitFor(t, 10*time.Second, "conmon to exit", func() bool { return conmonGone(c.conmonPID) })

	logData, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("read log: %v", err)
	}
	if !strings.Contains(string(logData), " stdout F hello\n") || !strings.Contains(string(logData), " stderr F oops\n") {
		t.Errorf("k8s-file log = %q, want stdout and stderr lines", logData)
	}

	status, _, err = r.State(ctx, c.id)
	if err != nil || status != "stopped" {
		t.Fatalf("State after exit = %q, %v; want stopped", status, err)
	}
	if err := r.DeleteContainer(ctx, c.id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, _, err := r.State(ctx, c.id); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Fatalf("State after delete: %v, want ErrNoSuchCtr", err)
	}
	if err := r.DeleteContainer(ctx, c.id); err != nil {
		t.Fatalf("second delete: %v, want nil", err)
	}
}

func TestExitCodes(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	tests := []struct {
		name string
		args []string
		kill bool
		want int
	}{
		{name: "exit 3", args: []string{"sh", "-c", "exit 3"}, want: 3},
		{name: "true", args: []string{"true"}, want: 0},
		{name: "sigkill", args: []string{"sleep", "100"}, kill: true, want: 137},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bundle := newBundle(t, tt.args, false)
			c, err := create(t, r, CreateOptions{BundleDir: bundle, LogDriver: "none"})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
				t.Fatalf("start: %v", err)
			}
			if tt.kill {
				if st, _, err := r.State(ctx, c.id); err != nil || st != "running" {
					t.Fatalf("State = %q, %v; want running", st, err)
				}
				if err := r.KillContainer(ctx, c.id, syscall.SIGKILL, false); err != nil {
					t.Fatalf("kill: %v", err)
				}
			}
			got, err := r.WaitExit(ctx, c.id, c.bundle)
			if err != nil {
				t.Fatalf("WaitExit: %v", err)
			}
			if got != tt.want {
				t.Errorf("exit code = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestKillStoppedContainer(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	c, err := create(t, r, CreateOptions{BundleDir: newBundle(t, []string{"true"}, false)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatalf("start: %v", err)
	}
	if _, err := r.WaitExit(ctx, c.id, c.bundle); err != nil {
		t.Fatalf("WaitExit: %v", err)
	}
	err = r.KillContainer(ctx, c.id, syscall.SIGTERM, false)
	if !errors.Is(err, define.ErrCtrStateInvalid) {
		t.Fatalf("kill of stopped container: %v, want ErrCtrStateInvalid", err)
	}
	if err := r.KillContainer(ctx, "nosuch", syscall.SIGTERM, false); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Fatalf("kill of unknown container: %v, want ErrNoSuchCtr", err)
	}
}

func TestPauseResume(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	c, err := create(t, r, CreateOptions{BundleDir: newBundle(t, []string{"sleep", "100"}, false)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatalf("start: %v", err)
	}
	steps := []struct {
		name string
		do   func() error
		want string
	}{
		{"pause", func() error { return r.PauseContainer(ctx, c.id) }, "paused"},
		{"resume", func() error { return r.ResumeContainer(ctx, c.id) }, "running"},
		{"kill", func() error { return r.KillContainer(ctx, c.id, syscall.SIGKILL, true) }, "stopped"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.want == "stopped" {
			if _, err := r.WaitExit(ctx, c.id, c.bundle); err != nil {
				t.Fatalf("WaitExit: %v", err)
			}
		}
		st, _, err := r.State(ctx, c.id)
		if err != nil || st != s.want {
			t.Fatalf("after %s: State = %q, %v; want %q", s.name, st, err, s.want)
		}
	}
}

func TestCreateErrors(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	tests := []struct {
		name    string
		args    []string
		want    error
		wantMsg string
	}{
		{name: "missing executable", args: []string{"nosuch"}, want: define.ErrOCIRuntimeNotFound, wantMsg: `"nosuch": executable file not found`},
		{name: "missing absolute path", args: []string{"/bin/nosuch"}, want: define.ErrOCIRuntimeNotFound, wantMsg: "/bin/nosuch"},
		{name: "not executable", args: []string{"/etc"}, want: define.ErrOCIRuntimePermissionDenied, wantMsg: "permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bundle := newBundle(t, tt.args, false)
			c, err := create(t, r, CreateOptions{BundleDir: bundle})
			if err == nil {
				// Runtimes that only exec at start time report it there.
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				err = r.StartContainer(ctx, c.id, c.pid)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), `"level"`) || strings.Contains(err.Error(), "level=") {
				t.Errorf("error %q carries raw log formatting", err)
			}
		})
	}
}

func TestExitCommandRuns(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	bundle := newBundle(t, []string{"sh", "-c", "exit 5"}, false)
	marker := filepath.Join(t.TempDir(), "cleaned-up")
	c, err := create(t, r, CreateOptions{
		BundleDir:   bundle,
		ExitCommand: []string{"/bin/sh", "-c", `echo "$1" > "$2"`, "sh", "container-cleanup", marker},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatalf("start: %v", err)
	}
	if code, err := r.WaitExit(ctx, c.id, c.bundle); err != nil || code != 5 {
		t.Fatalf("WaitExit = %d, %v; want 5", code, err)
	}
	waitFor(t, 10*time.Second, "exit command", func() bool {
		b, err := os.ReadFile(marker)
		return err == nil && string(b) == "container-cleanup\n"
	})
}

func TestAttachStdinPipe(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	bundle := newBundle(t, []string{"cat"}, false)
	c, err := create(t, r, CreateOptions{BundleDir: bundle, Stdin: true})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	connected := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- r.Attach(ctx, c.id, bundle, AttachStreams{
			Stdin: strings.NewReader("piped input\n"), Stdout: &out,
			AttachStdin: true, AttachStdout: true, AttachStderr: true,
			Connected: func() { close(connected) },
		}, []byte{16, 17}, nil)
	}()
	<-connected
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatalf("start: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("attach: %v", err)
	}
	if out.String() != "piped input\n" {
		t.Errorf("stdout = %q, want %q", out.String(), "piped input\n")
	}
	if code, err := r.WaitExit(ctx, c.id, c.bundle); err != nil || code != 0 {
		t.Fatalf("WaitExit = %d, %v; want 0 (cat saw EOF)", code, err)
	}
}

func TestAttachTerminalResizeDetach(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	bundle := newBundle(t, []string{"sh"}, true)
	c, err := create(t, r, CreateOptions{BundleDir: bundle, Terminal: true, Stdin: true})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatalf("start: %v", err)
	}

	// First attach: resize, then detach with ctrl-p ctrl-q.
	out, err := attachTTY(t, ctx, r, c, [][2]uint16{{33, 77}}, "stty size\n", "33 77")
	if !errors.Is(err, ErrDetach) {
		t.Fatalf("attach = %v, want ErrDetach (output %q)", err, out)
	}
	if st, _, err := r.State(ctx, c.id); err != nil || st != "running" {
		t.Fatalf("State after detach = %q, %v; want running", st, err)
	}
	// The shell survived the detach with a working terminal: attach again.
	out, err = attachTTY(t, ctx, r, c, nil, "echo again-$((40+2))\n", "again-42")
	if !errors.Is(err, ErrDetach) {
		t.Fatalf("second attach = %v, want ErrDetach (output %q)", err, out)
	}
}

// attachTTY attaches to a terminal container, sends sizes and then input
// until the output contains want, and detaches.
func attachTTY(t *testing.T, ctx context.Context, r *Runtime, c *testCtr, sizes [][2]uint16, input, want string) (string, error) {
	t.Helper()
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	out := &syncBuffer{}
	resize := make(chan [2]uint16, len(sizes))
	for _, sz := range sizes {
		resize <- sz
	}
	connected := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- r.Attach(ctx, c.id, c.bundle, AttachStreams{
			Stdin: stdinR, Stdout: out, AttachStdin: true, AttachStdout: true,
			Connected: func() { close(connected) },
		}, []byte{16, 17}, resize)
	}()
	select {
	case <-connected:
	case err := <-done:
		return "", err
	}
	// Resizes go through conmon's ctl fifo asynchronously; repeat the
	// input until the output shows the effect.
	waitFor(t, 10*time.Second, fmt.Sprintf("%q in output", want), func() bool {
		if _, err := stdinW.Write([]byte(input)); err != nil {
			t.Fatalf("write stdin: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
		return strings.Contains(out.String(), want)
	})
	if _, err := stdinW.Write([]byte{16, 17}); err != nil {
		t.Fatalf("write detach keys: %v", err)
	}
	return out.String(), <-done
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestAttachLongSocketDir checks the /proc/self/fd detour for attach socket
// paths longer than sun_path.
func TestAttachLongSocketDir(t *testing.T) {
	requireRealRuntime(t)
	base := newTestRuntime(t)
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 80))
	cfg := base.cfg
	cfg.SocketDir = long
	r, err := New(cfg)
	if err != nil {
		t.Fatalf("New with long socket dir: %v", err)
	}
	bundle := newBundle(t, []string{"echo", "long"}, false)
	c, err := create(t, r, CreateOptions{BundleDir: bundle})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(r.AttachSocketPath(c.id)) <= maxSunPath {
		t.Fatalf("socket path %d bytes; the test needs one longer than %d", len(r.AttachSocketPath(c.id)), maxSunPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	connected := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- r.Attach(ctx, c.id, bundle, AttachStreams{Stdout: &out, AttachStdout: true,
			Connected: func() { close(connected) }}, nil, nil)
	}()
	select {
	case <-connected:
	case err := <-done:
		t.Fatalf("attach: %v", err)
	}
	if err := r.StartContainer(ctx, c.id, c.pid); err != nil {
		t.Fatalf("start: %v", err)
	}
	if err := <-done; err != nil || out.String() != "long\n" {
		t.Fatalf("attach = %v, output %q; want nil, %q", err, out.String(), "long\n")
	}
}

func TestVersions(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := r.Version(ctx)
	if err != nil || !strings.HasPrefix(v, "runc version") {
		t.Errorf("Version() = %q, %v; want runc version ...", v, err)
	}
	cv, err := ConmonVersion(ctx)
	if err != nil || !strings.HasPrefix(cv, "conmon version") {
		t.Errorf("ConmonVersion() = %q, %v; want conmon version ...", cv, err)
	}
}

func TestCreateDuplicateID(t *testing.T) {
	requireRealRuntime(t)
	r := newTestRuntime(t)
	c, err := create(t, r, CreateOptions{BundleDir: newBundle(t, []string{"true"}, false)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	_, err = create(t, r, CreateOptions{ID: c.id, BundleDir: newBundle(t, []string{"true"}, false)})
	if !errors.Is(err, define.ErrCtrExists) {
		t.Fatalf("second create with id %s: %v, want ErrCtrExists", c.id, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The failed create must not have taken the first container down.
	if st, _, err := r.State(ctx, c.id); err != nil || st != "created" {
		t.Fatalf("State of first container = %q, %v; want created", st, err)
	}
}
