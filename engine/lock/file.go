package lock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/berth-dev/berth/engine/define"
	"golang.org/x/sys/unix"
)

// FileManager hands out flock(2)-based locks, one file per object ID in a
// directory (normally on the run root's tmpfs). flock excludes other
// processes; a mutex inside each Locker excludes other goroutines of this
// process and guards the file descriptor held between Lock and Unlock.
type FileManager struct {
	dir   string
	mu    sync.Mutex
	locks map[string]*fileLock
}

var _ Manager = (*FileManager)(nil)

// NewFileManager returns a manager keeping its lock files in dir, which is
// created if missing.
func NewFileManager(dir string) (*FileManager, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}
	return &FileManager{dir: dir, locks: map[string]*fileLock{}}, nil
}

// checkID rejects IDs that are not a plain file name.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "/\x00") {
		return fmt.Errorf("lock ID %q: %w", id, define.ErrInvalidArg)
	}
	return nil
}

// Retrieve returns the lock of id, creating its file (mode 0600) if needed.
// Every call for one ID in this process returns the same Locker.
func (m *FileManager) Retrieve(id string) (Locker, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.locks[id]; ok {
		return l, nil
	}
	// The file is created by the first Lock, not here: a process that
	// only looks a container up (and may race its removal) must not leave
	// a lock file behind for a container that is gone.
	l := &fileLock{path: filepath.Join(m.dir, id), fd: -1}
	m.locks[id] = l
	return l, nil
}

// Free removes the lock file of id. A process still waiting on the removed
// file notices that on wake-up and locks a fresh file instead (see
// fileLock.lock), so a waiter is never left holding a lock nobody else can
// see.
func (m *FileManager) Free(id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	m.mu.Lock()
	delete(m.locks, id)
	m.mu.Unlock()
	if err := os.Remove(filepath.Join(m.dir, id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("free lock %s: %w", id, err)
	}
	return nil
}

// fileLock opens its file on Lock and closes it on Unlock, so an idle
// container costs no file descriptor.
type fileLock struct {
	path string
	mu   sync.Mutex // held from Lock to Unlock
	fd   int        // -1 unless locked; guarded by mu
}

// Lock blocks until this process and every other one have released id.
func (l *fileLock) Lock() error {
	l.mu.Lock()
	fd, err := l.lock(false)
	if err != nil {
		l.mu.Unlock()
		return err
	}
	l.fd = fd
	return nil
}

// TryLock takes the lock only if nobody, here or in another process,
// holds it.
func (l *fileLock) TryLock() (bool, error) {
	if !l.mu.TryLock() {
		return false, nil
	}
	fd, err := l.lock(true)
	if err != nil {
		l.mu.Unlock()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return false, nil
		}
		return false, err
	}
	l.fd = fd
	return true, nil
}

// Unlock releases the lock; closing the descriptor drops the flock.
func (l *fileLock) Unlock() error {
	if l.mu.TryLock() {
		l.mu.Unlock()
		return fmt.Errorf("unlock %s: not locked: %w", l.path, define.ErrInvalidArg)
	}
	fd := l.fd
	l.fd = -1
	err := unix.Close(fd)
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("unlock %s: %w", l.path, err)
	}
	return nil
}

// lock opens the file and flocks it. If the file was removed or replaced
// while we waited (Free), the lock we got is on an orphaned inode: retry
// on the file now at the path.
// Preconditions: l.mu is held.
func (l *fileLock) lock(nonblock bool) (int, error) {
	how := unix.LOCK_EX
	if nonblock {
		how |= unix.LOCK_NB
	}
	for {
		fd, err := unix.Open(l.path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return -1, fmt.Errorf("open lock %s: %w", l.path, err)
		}
		if err := flock(fd, how); err != nil {
			unix.Close(fd)
			if errors.Is(err, unix.EWOULDBLOCK) {
				return -1, err
			}
			return -1, fmt.Errorf("lock %s: %w", l.path, err)
		}
		var held, cur unix.Stat_t
		if err := unix.Fstat(fd, &held); err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("lock %s: %w", l.path, err)
		}
		err = unix.Stat(l.path, &cur)
		if err == nil && held.Dev == cur.Dev && held.Ino == cur.Ino {
			return fd, nil
		}
		unix.Close(fd)
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return -1, fmt.Errorf("lock %s: %w", l.path, err)
		}
	}
}

// flock retries on EINTR, which a signal delivered while blocked causes.
func flock(fd, how int) error {
	for {
		err := unix.Flock(fd, how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// Prune removes the lock files of IDs keep rejects, skipping any that is
// held: removing a file while someone holds it would let a second
// process lock a fresh file at the same path. A file that is free may go
// at any time, since Lock makes it again (the same reasoning as Free). It
// returns the IDs removed.
func (m *FileManager) Prune(keep func(id string) bool) ([]string, error) {
	entries, err := os.ReadDir(m.dir)
	if err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}
	var removed []string
	for _, e := range entries {
		id := e.Name()
		if !e.Type().IsRegular() || keep(id) {
			continue
		}
		path := filepath.Join(m.dir, id)
		fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err != nil {
			continue // gone meanwhile
		}
		if flock(fd, unix.LOCK_EX|unix.LOCK_NB) == nil {
			if err := os.Remove(path); err == nil {
				removed = append(removed, id)
			}
		}
		unix.Close(fd)
	}
	return removed, nil
}
