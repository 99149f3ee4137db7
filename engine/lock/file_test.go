package lock_test

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/lock"
	"github.com/berth-dev/berth/engine/lock/locktest"
)

// childEnv makes the re-executed test binary act as a lock holder: it
// locks $BERTH_LOCKTEST_CHILD (dir/id), prints "locked", and unlocks when
// its stdin closes.
const childEnv = "BERTH_LOCKTEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runChild(spec))
	}
	os.Exit(m.Run())
}

func runChild(spec string) int {
	m, err := lock.NewFileManager(filepath.Dir(spec))
	if err != nil {
		return 2
	}
	l, err := m.Retrieve(filepath.Base(spec))
	if err != nil {
		return 3
	}
	if err := l.Lock(); err != nil {
		return 4
	}
	os.Stdout.WriteString("locked\n")
	io.Copy(io.Discard, os.Stdin)
	if err := l.Unlock(); err != nil {
		return 5
	}
	return 0
}

func newFileManager(t *testing.T, dir string) *lock.FileManager {
	t.Helper()
	m, err := lock.NewFileManager(dir)
	if err != nil {
		t.Fatalf("NewFileManager() = %v", err)
	}
	return m
}

func TestFileManager(t *testing.T) {
	locktest.Run(t, func(t *testing.T) lock.Manager { return newFileManager(t, t.TempDir()) })
}

func TestFileManagerFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "locks")
	m := newFileManager(t, dir)
	l, err := m.Retrieve("ctr")
	if err != nil {
		t.Fatal(err)
	}
	// Retrieve alone leaves no file (a lookup racing a removal must not
	// resurrect one); the first Lock creates it.
	if _, err := os.Stat(filepath.Join(dir, "ctr")); !os.IsNotExist(err) {
		t.Errorf("lock file after Retrieve: stat = %v, want not exist", err)
	}
	if err := l.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "ctr"))
	if err != nil {
		t.Fatalf("lock file not created: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode = %v, want 0600", fi.Mode().Perm())
	}
	if err := m.Free("ctr"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ctr")); !os.IsNotExist(err) {
		t.Errorf("lock file after Free: stat = %v, want not exist", err)
	}
}

// TestFileManagerCrossProcess holds the lock in a child process and checks
// that this process can neither TryLock nor Lock it until the child lets go.
func TestFileManagerCrossProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+filepath.Join(dir, "ctr"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	t.Cleanup(func() {
		if !exited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("child said %q, %v; want locked", line, err)
	}

	m := newFileManager(t, dir)
	l, err := m.Retrieve("ctr")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := l.TryLock(); err != nil || ok {
		t.Fatalf("TryLock while the child holds it = %v, %v; want false", ok, err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Lock() }()
	select {
	case err := <-done:
		t.Fatalf("Lock while the child holds it returned (%v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	stdin.Close() // the child unlocks and exits
	if err := <-done; err != nil {
		t.Fatalf("Lock after the child released = %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
	exited = true
	if err := l.Unlock(); err != nil {
		t.Error(err)
	}
}

// TestFileManagerFreeWhileWaiting checks that a waiter on a lock that is
// freed ends up holding the lock file now at the path, so a later locker
// excludes it.
func TestFileManagerFreeWhileWaiting(t *testing.T) {
	dir := t.TempDir()
	holder := newFileManager(t, dir) // stands in for another process
	waiter := newFileManager(t, dir)
	h, err := holder.Retrieve("ctr")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Lock(); err != nil {
		t.Fatal(err)
	}
	w, err := waiter.Retrieve("ctr")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Lock() }()
	time.Sleep(20 * time.Millisecond)
	if err := holder.Free("ctr"); err != nil {
		t.Fatal(err)
	}
	if err := h.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("waiter Lock = %v", err)
	}
	third, err := newFileManager(t, dir).Retrieve("ctr")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := third.TryLock(); err != nil || ok {
		t.Errorf("TryLock while the waiter holds the re-created lock = %v, %v; want false", ok, err)
	}
	if err := w.Unlock(); err != nil {
		t.Error(err)
	}
}

func BenchmarkFileLockUnlock(b *testing.B) {
	m, err := lock.NewFileManager(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	l, err := m.Retrieve("ctr")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := l.Lock(); err != nil {
			b.Fatal(err)
		}
		if err := l.Unlock(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFilePrune: Prune removes free lock files of IDs it is not told to
// keep, and leaves kept and held ones.
func TestFilePrune(t *testing.T) {
	dir := t.TempDir()
	m, err := lock.NewFileManager(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"keep", "stale", "held"} {
		l, _ := m.Retrieve(id)
		if err := l.Lock(); err != nil {
			t.Fatal(err)
		}
		if id != "held" {
			if err := l.Unlock(); err != nil {
				t.Fatal(err)
			}
		}
	}
	held, _ := m.Retrieve("held")
	defer held.Unlock()
	removed, err := m.Prune(func(id string) bool { return id == "keep" })
	if err != nil || len(removed) != 1 || removed[0] != "stale" {
		t.Fatalf("Prune() = %v, %v; want [stale]", removed, err)
	}
	for id, want := range map[string]bool{"keep": true, "stale": false, "held": true} {
		if _, err := os.Stat(filepath.Join(dir, id)); (err == nil) != want {
			t.Errorf("lock file %s exists = %t, want %t", id, err == nil, want)
		}
	}
	// A pruned ID locks again.
	l, _ := m.Retrieve("stale")
	if ok, err := l.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock(stale) after Prune = %v, %v", ok, err)
	}
	l.Unlock()
}
