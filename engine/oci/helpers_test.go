package oci

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

const busybox = "/usr/bin/busybox"

// requireRealRuntime skips tests that need root, runc, conmon and busybox.
func requireRealRuntime(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	for _, bin := range []string{busybox} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("needs %s", bin)
		}
	}
	if _, err := findBinary("", "runc", nil); err != nil {
		t.Skip("needs runc")
	}
	if _, err := findBinary("", "conmon", conmonDirs); err != nil {
		t.Skip("needs conmon")
	}
}

// newTestRuntime returns a runc-backed Runtime whose state lives in a fresh
// run root. The socket dir is kept short, as the production one is.
func newTestRuntime(t *testing.T) *Runtime {
	t.Helper()
	runRoot, err := os.MkdirTemp("/tmp", "boci")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(runRoot) })
	r, err := New(Config{
		Name:      "runc",
		StateRoot: filepath.Join(runRoot, "runc"),
		ExitDir:   filepath.Join(runRoot, "exits"),
		SocketDir: filepath.Join(runRoot, "s"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func randomID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// newBundle writes a busybox rootfs and a minimal config.json running args.
func newBundle(t *testing.T, args []string, terminal bool) string {
	t.Helper()
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "proc", "dev", "tmp", "etc"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bb, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "bin", "busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "echo", "sleep", "cat", "true", "stty", "touch", "ls"} {
		if err := os.Symlink("busybox", filepath.Join(rootfs, "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	spec := rspec.Spec{
		Version: rspec.Version,
		Process: &rspec.Process{
			Terminal: terminal,
			Args:     args,
			Env:      []string{"PATH=/bin", "TERM=xterm"},
			Cwd:      "/",
			User:     rspec.User{UID: 0, GID: 0},
			Capabilities: &rspec.LinuxCapabilities{
				Bounding:  []string{"CAP_KILL", "CAP_CHOWN"},
				Effective: []string{"CAP_KILL", "CAP_CHOWN"},
				Permitted: []string{"CAP_KILL", "CAP_CHOWN"},
			},
			NoNewPrivileges: true,
		},
		Root:     &rspec.Root{Path: "rootfs"},
		Hostname: "berth-test",
		Mounts: []rspec.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
		},
		Linux: &rspec.Linux{
			Namespaces: []rspec.LinuxNamespace{
				{Type: rspec.PIDNamespace}, {Type: rspec.IPCNamespace},
				{Type: rspec.UTSNamespace}, {Type: rspec.MountNamespace},
			},
		},
	}
	b, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testCtr is a container created for a test, removed by t.Cleanup.
type testCtr struct {
	id, bundle string
	pid        int
	conmonPID  int
}

// create creates a container and registers its cleanup: runc delete
// --force, then SIGKILL to conmon by PID, then removal of the socket link.
func create(t *testing.T, r *Runtime, o CreateOptions) (*testCtr, error) {
	t.Helper()
	if o.ID == "" {
		o.ID = randomID(t)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := r.DeleteContainer(ctx, o.ID); err != nil {
			t.Errorf("cleanup delete %s: %v", o.ID, err)
		}
		if pid, err := readPidFile(filepath.Join(o.BundleDir, conmonPidFileName)); err == nil && pid > 0 {
			killAndReap(pid)
		}
		os.Remove(r.SocketLinkPath(o.ID))
		os.Remove(r.ExitFilePath(o.ID))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pid, conmonPID, err := r.CreateContainer(ctx, o)
	if err != nil {
		return nil, err
	}
	return &testCtr{id: o.ID, bundle: o.BundleDir, pid: pid, conmonPID: conmonPID}, nil
}

// killAndReap kills a conmon we started and waits until it is gone. conmon
// is not our child (it double-forks), so poll for the PID to disappear.
func killAndReap(pid int) {
	if !isConmon(pid) {
		return // exited already; the PID may belong to someone else now
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 100; i++ {
		if !isConmon(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isConmon reports whether pid is a live (not zombie) conmon. Conmon is
// reparented to PID 1 once it daemonizes, and PID 1 here may reap late.
func isConmon(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return strings.HasPrefix(s, strconv.Itoa(pid)+" (conmon)") && i > 0 && len(s) > i+2 && s[i+2] != 'Z'
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// conmonGone reports whether a conmon PID has exited.
func conmonGone(pid int) bool { return !isConmon(pid) }
