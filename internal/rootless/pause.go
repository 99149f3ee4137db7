package rootless

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pauseName is the pause process's comm; the constructor checks it so a
// PID reused by another process is never joined.
const pauseName = "berth-pause"

// RunDir is the user's private run directory: $XDG_RUNTIME_DIR, else
// /tmp/berth-run-UID (made 0700 here; one owned by someone else, or open
// to others, is refused rather than trusted). The pause PID file lives in
// its berth/ and the default run root in its containers/. join_linux.go
// computes the same path in C.
func RunDir() (string, error) {
	if d := os.Getenv("XDG_RUNTIME_DIR"); strings.HasPrefix(d, "/") {
		return d, nil
	}
	d := fmt.Sprintf("/tmp/berth-run-%d", UID())
	if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", err
	}
	fi, err := os.Lstat(d)
	if err != nil {
		return "", err
	}
	st := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || int(st.Uid) != os.Geteuid() || fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is not a private directory of this user: set XDG_RUNTIME_DIR to one", d)
	}
	return d, nil
}

func pauseFile(run string) string { return filepath.Join(run, "berth", "pause.pid") }

// PausePID returns the live pause process of this user, or 0.
func PausePID() int {
	run, err := RunDir()
	if err != nil {
		return 0
	}
	return livePause(run)
}

func livePause(run string) int {
	data, err := os.ReadFile(pauseFile(run))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || string(comm) != pauseName+"\n" {
		return 0
	}
	return pid
}

// Ensure puts an unprivileged berth into the user's namespaces: it makes
// the pause process if there is none and re-executes berth to join it, so
// it returns only on error. Root (real, or already in the namespace)
// returns nil at once.
func Ensure() error {
	if os.Geteuid() == 0 {
		return nil
	}
	run, err := RunDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(run, "berth"), 0o700); err != nil {
		return err
	}
	// One pause process per user even when commands race to make it.
	lock, err := os.OpenFile(filepath.Join(run, "berth", "pause.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		lock.Close()
		return err
	}
	pid := livePause(run)
	if pid == 0 {
		pid, err = startPause(run)
	}
	lock.Close()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	env := append(os.Environ(), envJoin+"="+strconv.Itoa(pid))
	return syscall.Exec(self, os.Args, env)
}

// startPause starts the pause process in a new user and mount namespace,
// maps the user's subordinate IDs into it and records its PID.
func startPause(run string) (_ int, retErr error) {
	u, err := user.Current()
	if err != nil {
		return 0, err
	}
	newuidmap, err := exec.LookPath("newuidmap")
	if err != nil {
		return 0, errors.New("newuidmap not found: rootless berth needs newuidmap and newgidmap (Debian package uidmap: apt-get install uidmap)")
	}
	newgidmap, err := exec.LookPath("newgidmap")
	if err != nil {
		return 0, errors.New("newgidmap not found: rootless berth needs newuidmap and newgidmap (Debian package uidmap: apt-get install uidmap)")
	}
	uidMap, err := subIDs("/etc/subuid", u.Username, u.Uid)
	if err != nil {
		return 0, err
	}
	gidMap, err := subIDs("/etc/subgid", u.Username, u.Uid)
	if err != nil {
		return 0, err
	}
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	toChild, childIn, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	fromChild, childOut, err := os.Pipe()
	if err != nil {
		toChild.Close()
		childIn.Close()
		return 0, err
	}
	cmd := exec.Command(self)
	cmd.Args = []string{pauseName}
	cmd.Env = append(os.Environ(), envPause+"=1", envNoJoin+"=1")
	cmd.Dir = "/"
	cmd.Stdin, cmd.Stdout = toChild, childOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS, Setsid: true}
	err = cmd.Start()
	toChild.Close()
	childOut.Close()
	defer childIn.Close()
	defer fromChild.Close()
	if err != nil {
		return 0, fmt.Errorf("starting berth's pause process in a new user namespace: %w", err)
	}
	pid := cmd.Process.Pid
	defer func() {
		if retErr != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	uid, gid := os.Getuid(), os.Getgid()
	if err := writeMap(newuidmap, pid, uid, uidMap); err != nil {
		return 0, err
	}
	if err := writeMap(newgidmap, pid, gid, gidMap); err != nil {
		return 0, err
	}
	if _, err := childIn.Write([]byte{1}); err != nil {
		return 0, fmt.Errorf("berth's pause process: %w", err)
	}
	if _, err := io.ReadFull(fromChild, make([]byte, 1)); err != nil {
		return 0, fmt.Errorf("berth's pause process did not start: %w", err)
	}
	tmp := pauseFile(run) + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)), 0o600); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, pauseFile(run)); err != nil {
		return 0, err
	}
	// The pause process outlives this one (which execs itself next).
	_ = cmd.Process.Release()
	return pid, nil
}

// writeMap maps the user to 0 and the subordinate ranges from 1 up in
// the process's namespace with the setuid helper tool.
func writeMap(tool string, pid, own int, ranges []IDMap) error {
	args := []string{strconv.Itoa(pid), "0", strconv.Itoa(own), "1"}
	next := 1
	for _, r := range ranges {
		args = append(args, strconv.Itoa(next), strconv.Itoa(r.HostID), strconv.Itoa(r.Size))
		next += r.Size
	}
	if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", filepath.Base(tool), strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// PauseMain is the pause process: when berth was started as one it
// waits for its ID maps, acknowledges, and then sleeps until killed,
// holding the namespaces. It returns false in any other process.
func PauseMain() bool {
	if os.Getenv(envPause) != "1" {
		return false
	}
	if _, err := io.ReadFull(os.Stdin, make([]byte, 1)); err != nil {
		os.Exit(1)
	}
	if name, err := unix.BytePtrFromString(pauseName); err == nil {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0)
	}
	_, _ = os.Stdout.Write([]byte{1})
	os.Stdin.Close()
	os.Stdout.Close()
	// Ignore the signals of a closing terminal or session; SIGTERM and
	// SIGKILL end it.
	signal.Ignore(unix.SIGHUP, unix.SIGINT, unix.SIGPIPE, unix.SIGQUIT)
	for {
		_ = unix.Pause()
	}
}
