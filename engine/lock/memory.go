package lock

import (
	"fmt"
	"sync"

	"github.com/berth-dev/berth/engine/define"
)

// MemoryManager is the in-process Manager for unit tests: it has the same
// semantics as FileManager within one process.
type MemoryManager struct {
	mu    sync.Mutex
	locks map[string]*memLock
}

var _ Manager = (*MemoryManager)(nil)

// NewMemoryManager returns an empty in-memory manager.
func NewMemoryManager() *MemoryManager {
	return &MemoryManager{locks: map[string]*memLock{}}
}

// Retrieve returns the lock of id, creating it if needed.
func (m *MemoryManager) Retrieve(id string) (Locker, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.locks[id]
	if !ok {
		l = &memLock{id: id, held: make(chan struct{}, 1)}
		m.locks[id] = l
	}
	return l, nil
}

// Free forgets the lock of id.
func (m *MemoryManager) Free(id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.locks, id)
	return nil
}

// memLock is a one-slot semaphore, so Unlock of a free lock is an error
// rather than a panic as with sync.Mutex.
type memLock struct {
	id   string
	held chan struct{}
}

func (l *memLock) Lock() error {
	l.held <- struct{}{}
	return nil
}

func (l *memLock) TryLock() (bool, error) {
	select {
	case l.held <- struct{}{}:
		return true, nil
	default:
		return false, nil
	}
}

func (l *memLock) Unlock() error {
	select {
	case <-l.held:
		return nil
	default:
		return fmt.Errorf("unlock %s: not locked: %w", l.id, define.ErrInvalidArg)
	}
}
