package network

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// The rootless network namespace (podman 5's design): an unprivileged user
// cannot put bridges and veths into the host's namespace, so a rootless
// berth keeps one namespace of its own, pinned under the run root and
// connected to the host by pasta (slirp4netns where pasta is missing),
// and runs netavark inside it. The user's bridges, firewall rules and
// aardvark-dns live there; containers on user networks reach each other
// (and resolve each other's names) through them, and the outside world
// through pasta. Published ports are forwarded from the host into it by a
// forwarder per container (forward.go). It exists while a container of
// the root has networking set up: the first Setup makes it, the last
// Teardown removes it with pasta and aardvark-dns.

// rootless reports whether this backend works in a rootless namespace.
func (m *Manager) rootless() bool { return m.cfg.RootlessNetNS != "" }

// RootlessNetNS returns the pinned rootless namespace ("" for root).
func (m *Manager) RootlessNetNS() string { return m.cfg.RootlessNetNS }

func (m *Manager) rootlessHelperPID() string {
	return filepath.Join(filepath.Dir(m.cfg.RootlessNetNS), "rootless-netns.pid")
}

// ensureRootlessNetNSLocked makes the rootless namespace and connects it
// out unless it is there with its helper alive.
//
// Preconditions: the root's network lock is held.
func (m *Manager) ensureRootlessNetNSLocked(ctx context.Context) (retErr error) {
	path := m.cfg.RootlessNetNS
	if isNetNS(path) && helperAlive(m.rootlessHelperPID()) {
		return nil
	}
	m.removeRootlessNetNSLocked()
	if err := NewNetNS(path); err != nil {
		return fmt.Errorf("rootless network namespace: %w", err)
	}
	defer func() {
		if retErr != nil {
			m.removeRootlessNetNSLocked()
		}
	}()
	mode := ModePasta
	if _, err := exec.LookPath("pasta"); err != nil {
		if _, err := exec.LookPath("slirp4netns"); err == nil {
			mode = ModeSlirp4netns
		}
	}
	if err := StartUserNet(ctx, UserNetOptions{Mode: mode, NetNS: path, PIDFile: m.rootlessHelperPID()}); err != nil {
		return fmt.Errorf("rootless network namespace: %w", err)
	}
	return nil
}

// releaseRootlessNetNSLocked removes the rootless namespace when no
// container of the root has networking set up any more.
//
// Preconditions: the root's network lock is held.
func (m *Manager) releaseRootlessNetNSLocked() {
	if recs, err := m.records(); err != nil || len(recs) > 0 {
		return
	}
	m.removeRootlessNetNSLocked()
}

// removeRootlessNetNSLocked stops pasta, an aardvark-dns left running
// (netavark stops it with the last container of its last network) and
// drops the pin, which ends the namespace with its bridges.
func (m *Manager) removeRootlessNetNSLocked() {
	StopUserNet(m.rootlessHelperPID())
	pidFile := filepath.Join(m.cfg.RunDir, "aardvark-dns", "aardvark.pid")
	if pid := readPID(pidFile); pid > 0 && procComm(pid) == "aardvark-dns" {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
	_ = os.Remove(pidFile)
	if err := RemoveNetNS(m.cfg.RootlessNetNS); err != nil {
		m.cfg.Warnf("removing the rootless network namespace: %v", err)
	}
}

// helperAlive reports whether the PID file names a live pasta or
// slirp4netns.
func helperAlive(pidFile string) bool {
	pid := readPID(pidFile)
	return pid > 0 && isUserNetHelper(pid)
}

func readPID(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

func procComm(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(data))
}

// startInNetNS starts cmd with the network namespace at path (a child is
// cloned from the calling thread and keeps its namespaces). The thread is
// never unlocked: the Go runtime ends it with the goroutine, so no other
// goroutine runs in the namespace.
func startInNetNS(path string, cmd *exec.Cmd) error {
	if path == "" {
		return cmd.Start()
	}
	errCh := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errCh <- err
			return
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		unix.Close(fd)
		if err != nil {
			errCh <- fmt.Errorf("entering the rootless network namespace: %w", err)
			return
		}
		errCh <- cmd.Start()
	}()
	return <-errCh
}

// errNoRootlessNetNS is a teardown's when the namespace is gone: what was
// in it went with it.
var errNoRootlessNetNS = errors.New("rootless network namespace gone")

// releaseIfRootlessLocked is releaseRootlessNetNSLocked for a rootless
// backend, nothing for root.
//
// Preconditions: the root's network lock is held.
func (m *Manager) releaseIfRootlessLocked() {
	if m.rootless() {
		m.releaseRootlessNetNSLocked()
	}
}

// RunInRootlessNetNS runs cmd in the rootless network namespace (podman's
// `unshare --rootless-netns`), where the user's bridges are and containers
// on user networks answer at their addresses. The namespace is made for
// the command if no container has it up, and removed afterwards unless a
// container has come to use it meanwhile. It returns cmd's Wait error.
func (m *Manager) RunInRootlessNetNS(ctx context.Context, cmd *exec.Cmd) error {
	if !m.rootless() {
		return errors.New("the rootless network namespace exists only for rootless berth")
	}
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	err = m.ensureRootlessNetNSLocked(ctx)
	unlock()
	if err != nil {
		return err
	}
	defer func() {
		if unlock, err := m.lock(); err == nil {
			m.releaseRootlessNetNSLocked()
			unlock()
		}
	}()
	if err := startInNetNS(m.cfg.RootlessNetNS, cmd); err != nil {
		return err
	}
	return cmd.Wait()
}
