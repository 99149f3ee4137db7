package state_test

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/state"
	"github.com/berth-dev/berth/engine/state/statetest"
)

func newSQLite(t testing.TB, path string) *state.SQLite {
	t.Helper()
	s, err := state.NewSQLite(path)
	if err != nil {
		t.Fatalf("NewSQLite(%s) = %v", path, err)
	}
	return s
}

func TestSQLite(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store {
		return newSQLite(t, filepath.Join(t.TempDir(), "state.db"))
	})
}

func TestSQLitePathWithSpecialCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b?c#d%20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "state.db")
	s := newSQLite(t, path)
	defer s.Close()
	if err := s.SetRuntimeValue("k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %s: %v", path, err)
	}
}

func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := newSQLite(t, path)
	id := statetest.NewID(t)
	if err := s.AddContainer(statetest.NewConfig(id, "web"), statetest.NewSpec(), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = newSQLite(t, path)
	defer s.Close()
	if got, err := s.LookupContainer("web"); err != nil || got != id {
		t.Errorf("LookupContainer(web) after reopen = %q, %v; want %q", got, err, id)
	}
}

// TestSQLiteListSkipsSpec proves that listing and the state sync never
// decode the spec column, by corrupting it behind the store's back.
func TestSQLiteListSkipsSpec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s := newSQLite(t, path)
	defer s.Close()
	id := statetest.NewID(t)
	if err := s.AddContainer(statetest.NewConfig(id, "web"), statetest.NewSpec(), nil); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE container_specs SET spec = 'not json' WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Containers(); err != nil {
		t.Errorf("Containers() = %v, want it not to read the spec", err)
	}
	if _, err := s.ContainerState(id); err != nil {
		t.Errorf("ContainerState() = %v, want it not to read the spec", err)
	}
	if _, err := s.ContainerSpec(id); err == nil {
		t.Errorf("ContainerSpec() of corrupt spec = nil error, want a decode error")
	}
}

// TestSQLiteTwoStores runs writers on two stores opened on one file, the
// way concurrent CLI processes share the database.
func TestSQLiteTwoStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	stores := []*state.SQLite{newSQLite(t, path), newSQLite(t, path)}
	defer func() {
		for _, s := range stores {
			s.Close()
		}
	}()
	const perStore = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*perStore)
	for n, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perStore {
				id := statetest.NewID(t)
				if err := s.AddContainer(statetest.NewConfig(id, fmt.Sprintf("s%d-%d", n, i)), nil, nil); err != nil {
					errs <- err
					continue
				}
				if err := s.SaveContainerState(id, statetest.NewState(define.StatusRunning)); err != nil {
					errs <- err
				}
				if err := s.SetRuntimeValue("last", id); err != nil {
					errs <- err
				}
			}
		}()
	}
	// Both stores race for one name; exactly one must win.
	var raceWG sync.WaitGroup
	raceErrs := make([]error, 2)
	for n, s := range stores {
		raceWG.Add(1)
		go func() {
			defer raceWG.Done()
			raceErrs[n] = s.AddContainer(statetest.NewConfig(statetest.NewID(t), "contended"), nil, nil)
		}()
	}
	wg.Wait()
	raceWG.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	if (raceErrs[0] == nil) == (raceErrs[1] == nil) {
		t.Errorf("racing adds of one name = %v, %v; want exactly one to fail", raceErrs[0], raceErrs[1])
	}
	for _, err := range raceErrs {
		if err != nil && !errors.Is(err, define.ErrNameInUse) {
			t.Errorf("losing add = %v, want ErrNameInUse", err)
		}
	}
	for n, s := range stores {
		recs, err := s.Containers()
		if err != nil || len(recs) != 2*perStore+1 {
			t.Errorf("store %d: Containers() = %d records, %v; want %d", n, len(recs), err, 2*perStore+1)
		}
	}
}

// TestSQLiteTwoProcesses runs writers in child processes (this test
// binary re-executed), where SQLite's locking is between processes.
func TestSQLiteTwoProcesses(t *testing.T) {
	if path := os.Getenv("BERTH_STATETEST_CHILD_DB"); path != "" {
		s := newSQLite(t, path)
		defer s.Close()
		for i := range 30 {
			id := statetest.NewID(t)
			name := fmt.Sprintf("p%d-%d", os.Getpid(), i)
			if err := s.AddContainer(statetest.NewConfig(id, name), statetest.NewSpec(), nil); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveContainerState(id, statetest.NewState(define.StatusRunning)); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	path := filepath.Join(t.TempDir(), "state.db")
	newSQLite(t, path).Close() // create the schema once
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteTwoProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BERTH_STATETEST_CHILD_DB="+path)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child %d: %v: %s", cmd.Process.Pid, err, outs[i])
		}
	}
	s := newSQLite(t, path)
	defer s.Close()
	recs, err := s.Containers()
	if err != nil || len(recs) != 90 {
		t.Errorf("Containers() = %d records, %v; want 90", len(recs), err)
	}
}

func BenchmarkSQLiteOpenLookup(b *testing.B) {
	path := filepath.Join(b.TempDir(), "state.db")
	s := newSQLite(b, path)
	id := statetest.NewID(b)
	if err := s.AddContainer(statetest.NewConfig(id, "web"), statetest.NewSpec(), nil); err != nil {
		b.Fatal(err)
	}
	s.Close()
	b.ResetTimer()
	for b.Loop() {
		s, err := state.NewSQLite(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.LookupContainer("web"); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkSQLiteContainers2000(b *testing.B) {
	s := newSQLite(b, filepath.Join(b.TempDir(), "state.db"))
	defer s.Close()
	for i := range 2000 {
		cfg := statetest.NewConfig(statetest.NewID(b), fmt.Sprintf("c%d", i))
		if err := s.AddContainer(cfg, statetest.NewSpec(), statetest.NewState(define.StatusRunning)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		recs, err := s.Containers()
		if err != nil || len(recs) != 2000 {
			b.Fatalf("Containers() = %d, %v", len(recs), err)
		}
	}
}
