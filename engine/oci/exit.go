package oci

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ExitFilePath is where conmon writes the container's exit code.
func (r *Runtime) ExitFilePath(id string) string {
	return filepath.Join(r.cfg.ExitDir, id)
}

// AttachSocketPath is the container's attach socket as seen through the
// symlink conmon makes in the socket dir (<SocketDir>/<ID> -> bundle).
// The engine removes <SocketDir>/<ID> when it cleans up.
func (r *Runtime) AttachSocketPath(id string) string {
	return filepath.Join(r.cfg.SocketDir, id, "attach")
}

// SocketLinkPath is the symlink conmon creates in the socket dir; the
// engine removes it together with the exit file.
func (r *Runtime) SocketLinkPath(id string) string {
	return filepath.Join(r.cfg.SocketDir, id)
}

// ExitCode reads the exit file conmon wrote for id in its persist dir, the
// bundle (conmon gets no --exit-dir: one file per exit, which nothing else
// can write late). exists is false while the container has not exited (or
// the file was already cleaned up). finished is the file's modification
// time. oom reports the "oom" marker conmon leaves in the persist dir when
// the kernel OOM-killed a process of the container. Without bundleDir the
// exit dir is read, where berth before 0.1 had conmon write.
func (r *Runtime) ExitCode(id, bundleDir string) (code int, finished time.Time, oom bool, exists bool, err error) {
	p := r.ExitFilePath(id)
	if bundleDir != "" {
		p = filepath.Join(bundleDir, persistExitName)
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, time.Time{}, false, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, false, fmt.Errorf("container %s: exit file: %w", id, err)
	}
	st, err := os.Stat(p)
	if err != nil {
		return 0, time.Time{}, false, false, fmt.Errorf("container %s: exit file: %w", id, err)
	}
	code, err = strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, time.Time{}, false, false, fmt.Errorf("container %s: parse exit file %s: %w", id, p, err)
	}
	if bundleDir != "" {
		if _, serr := os.Stat(filepath.Join(bundleDir, oomFileName)); serr == nil {
			oom = true
		}
	}
	return code, st.ModTime(), oom, true, nil
}

// waitPoll bounds how long WaitExit trusts inotify alone; the poll also
// covers an exit dir that did not exist when the wait began.
const waitPoll = time.Second

// WaitExit blocks until conmon has written the container's exit file, then
// returns the exit code. It watches bundleDir, where conmon writes the
// persist copy of the file first, with inotify and re-checks at least
// every second. Not the exit dir, which all containers share: adding a
// watch walks every dentry of the directory, and the exit files of
// thousands of past containers linger there as negative dentries.
func (r *Runtime) WaitExit(ctx context.Context, id, bundleDir string) (int, error) {
	dir := bundleDir
	if dir == "" {
		dir = r.cfg.ExitDir
	}
	w := newDirWatch(dir)
	defer w.close()
	for {
		code, _, _, exists, err := r.ExitCode(id, bundleDir)
		if err != nil {
			return 0, err
		}
		if exists {
			return code, nil
		}
		if err := w.wait(ctx, waitPoll); err != nil {
			return 0, fmt.Errorf("container %s: wait for exit: %w", id, err)
		}
	}
}

// dirWatch wakes up when an entry of dir is written or moved in. A watch
// that cannot be set up degrades to plain polling.
type dirWatch struct {
	f *os.File
}

func newDirWatch(dir string) *dirWatch {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return &dirWatch{}
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO|unix.IN_CREATE); err != nil {
		unix.Close(fd)
		return &dirWatch{}
	}
	// A non-blocking fd handed to os.NewFile joins the runtime poller, so
	// read deadlines work on it.
	return &dirWatch{f: os.NewFile(uintptr(fd), "inotify")}
}

// wait returns after an event, after max, or with ctx's error.
func (w *dirWatch) wait(ctx context.Context, max time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if w.f == nil {
		t := time.NewTimer(max / 10)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
	deadline := time.Now().Add(max)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	// Set the deadline before registering the cancel hook so that a
	// cancellation cannot be overwritten by the longer deadline.
	_ = w.f.SetReadDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = w.f.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 4096)
	_, _ = w.f.Read(buf) // events only wake us; the caller re-checks
	return ctx.Err()
}

func (w *dirWatch) close() {
	if w.f != nil {
		w.f.Close()
	}
}

// Started reports whether a container the runtime created has been
// started since: runc and crun keep an exec.fifo in their state directory
// from create until start opens it. It lets the engine see a start whose
// caller died before recording it; false when unsure.
func (r *Runtime) Started(id string) bool {
	dir := filepath.Join(r.cfg.StateRoot, id)
	if _, err := os.Stat(dir); err != nil {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, execFifo))
	return errors.Is(err, os.ErrNotExist)
}
