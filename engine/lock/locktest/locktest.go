// Package locktest is the conformance suite every lock.Manager runs.
package locktest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/lock"
)

// Run runs the suite; newManager must return a fresh manager.
func Run(t *testing.T, newManager func(t *testing.T) lock.Manager) {
	tests := []struct {
		name string
		fn   func(t *testing.T, m lock.Manager)
	}{
		{"MutualExclusion", testMutualExclusion},
		{"TryLock", testTryLock},
		{"IndependentIDs", testIndependentIDs},
		{"UnlockUnlocked", testUnlockUnlocked},
		{"Free", testFree},
		{"InvalidID", testInvalidID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newManager(t)) })
	}
}

func retrieve(t *testing.T, m lock.Manager, id string) lock.Locker {
	t.Helper()
	l, err := m.Retrieve(id)
	if err != nil {
		t.Fatalf("Retrieve(%s) = %v", id, err)
	}
	return l
}

// testMutualExclusion runs a read-yield-write increment under the lock from
// many goroutines, each retrieving the lock itself; a lost update means two
// holders overlapped.
func testMutualExclusion(t *testing.T, m lock.Manager) {
	const workers, rounds = 8, 50
	counter := 0
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				l, err := m.Retrieve("ctr")
				if err != nil {
					errs <- err
					return
				}
				if err := l.Lock(); err != nil {
					errs <- err
					return
				}
				v := counter
				time.Sleep(time.Microsecond)
				counter = v + 1
				if err := l.Unlock(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if counter != workers*rounds {
		t.Errorf("counter = %d, want %d (updates were lost)", counter, workers*rounds)
	}
}

func testTryLock(t *testing.T, m lock.Manager) {
	a, b := retrieve(t, m, "ctr"), retrieve(t, m, "ctr")
	steps := []struct {
		name string
		do   func() (bool, error)
		want bool
	}{
		{"TryLock free", a.TryLock, true},
		{"TryLock held (same Locker)", a.TryLock, false},
		{"TryLock held (other Locker)", b.TryLock, false},
		{"Unlock", func() (bool, error) { return true, a.Unlock() }, true},
		{"TryLock after Unlock", b.TryLock, true},
		{"Unlock again", func() (bool, error) { return true, b.Unlock() }, true},
	}
	for _, s := range steps {
		got, err := s.do()
		if err != nil || got != s.want {
			t.Fatalf("%s = %v, %v; want %v", s.name, got, err, s.want)
		}
	}

	// A blocked Lock proceeds once the holder unlocks.
	if err := a.Lock(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		if err := b.Lock(); err != nil {
			done <- err
			return
		}
		done <- b.Unlock()
	}()
	select {
	case err := <-done:
		t.Fatalf("Lock of a held lock returned early (%v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("blocked Lock/Unlock = %v", err)
	}
}

func testIndependentIDs(t *testing.T, m lock.Manager) {
	a, b := retrieve(t, m, "a"), retrieve(t, m, "b")
	if err := a.Lock(); err != nil {
		t.Fatal(err)
	}
	defer a.Unlock()
	if ok, err := b.TryLock(); err != nil || !ok {
		t.Fatalf("TryLock(b) while a is held = %v, %v; want true", ok, err)
	}
	if err := b.Unlock(); err != nil {
		t.Error(err)
	}
}

func testUnlockUnlocked(t *testing.T, m lock.Manager) {
	l := retrieve(t, m, "ctr")
	if err := l.Unlock(); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("Unlock of a free lock = %v, want ErrInvalidArg", err)
	}
	// The failed Unlock did not break the lock.
	if ok, err := l.TryLock(); err != nil || !ok {
		t.Fatalf("TryLock = %v, %v; want true", ok, err)
	}
	if err := l.Unlock(); err != nil {
		t.Error(err)
	}
}

func testFree(t *testing.T, m lock.Manager) {
	l := retrieve(t, m, "ctr")
	if err := l.Lock(); err != nil {
		t.Fatal(err)
	}
	if err := m.Free("ctr"); err != nil {
		t.Fatalf("Free(held) = %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("Unlock after Free = %v", err)
	}
	if err := m.Free("ctr"); err != nil {
		t.Errorf("Free(freed) = %v", err)
	}
	// The ID can be used again.
	l = retrieve(t, m, "ctr")
	if ok, err := l.TryLock(); err != nil || !ok {
		t.Fatalf("TryLock after Free = %v, %v; want true", ok, err)
	}
	if err := l.Unlock(); err != nil {
		t.Error(err)
	}
}

func testInvalidID(t *testing.T, m lock.Manager) {
	for _, id := range []string{"", ".", "..", "a/b", "../x"} {
		if _, err := m.Retrieve(id); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("Retrieve(%q) = %v, want ErrInvalidArg", id, err)
		}
		if err := m.Free(id); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("Free(%q) = %v, want ErrInvalidArg", id, err)
		}
	}
}
