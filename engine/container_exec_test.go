package engine

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/oci"
)

func TestSetEnv(t *testing.T) {
	base := []string{"PATH=/bin", "HOME=/root", "A=1"}
	got := setEnv(base, "HOME=/home/u")
	if want := []string{"PATH=/bin", "HOME=/home/u", "A=1"}; !slices.Equal(got, want) {
		t.Errorf("replace: %q, want %q", got, want)
	}
	if base[1] != "HOME=/root" {
		t.Errorf("setEnv changed its input: %q", base)
	}
	got = setEnv(base, "B=2")
	if want := []string{"PATH=/bin", "HOME=/root", "A=1", "B=2"}; !slices.Equal(got, want) {
		t.Errorf("append: %q, want %q", got, want)
	}
}

func TestExecSessionRecords(t *testing.T) {
	e := newTestEnv(t)
	created := e.ctrIn(define.StatusCreated)
	if _, err := created.ExecCreate(e.ctx, ExecConfig{Command: []string{"true"}}); !errors.Is(err, define.ErrCtrStateInvalid) {
		t.Fatalf("exec into a created container: %v, want a state error", err)
	}

	c := e.ctrIn(define.StatusRunning)
	if _, err := c.ExecCreate(e.ctx, ExecConfig{}); !errors.Is(err, define.ErrInvalidArg) {
		t.Fatalf("exec without a command: %v", err)
	}
	if _, err := c.ExecCreate(e.ctx, ExecConfig{Command: []string{"pwd"}, WorkDir: "rel"}); !errors.Is(err, define.ErrInvalidArg) {
		t.Fatalf("exec with a relative workdir: %v", err)
	}
	id, err := c.ExecCreate(e.ctx, ExecConfig{Command: []string{"sh"}, Env: []string{"A=1"}, WorkDir: "/tmp", Terminal: true, Privileged: true})
	if err != nil {
		t.Fatal(err)
	}
	// The process spec starts from the container's and carries the options.
	data, err := os.ReadFile(filepath.Join(c.execSessionDir(id), oci.ExecProcessFile))
	if err != nil {
		t.Fatal(err)
	}
	var p specs.Process
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Args, []string{"sh"}) || p.Cwd != "/tmp" || !p.Terminal || !slices.Contains(p.Env, "A=1") ||
		!slices.Contains(p.Env, "TERM=xterm") || p.Capabilities == nil || len(p.Capabilities.Bounding) == 0 {
		t.Errorf("exec process = %+v", p)
	}
	if st := e.dbState(c); st.ExecSessions[id] == nil || st.ExecSessions[id].Running || !st.ExecSessions[id].Terminal {
		t.Fatalf("session record = %+v", st.ExecSessions)
	}
	// The fake runtime cannot exec: the session stays created, unstarted.
	if err := c.ExecStart(e.ctx, id); !errors.Is(err, define.ErrNotImplemented) {
		t.Fatalf("ExecStart on the fake: %v", err)
	}
	if err := c.ExecStart(e.ctx, "nosuch"); !errors.Is(err, define.ErrNoSuchExecSession) {
		t.Fatalf("ExecStart of an unknown session: %v", err)
	}
	// Stopping the container ends and forgets its sessions.
	if err := c.Stop(e.ctx, uintPtr(0)); err != nil {
		t.Fatal(err)
	}
	if st := e.dbState(c); len(st.ExecSessions) != 0 {
		t.Fatalf("sessions after stop: %+v", st.ExecSessions)
	}
	if _, err := os.Stat(c.execSessionDir(id)); !os.IsNotExist(err) {
		t.Fatalf("session dir after stop: %v", err)
	}
}

func TestExecSessionsExitedLongAgoArePruned(t *testing.T) {
	e := newTestEnv(t)
	c := e.ctrIn(define.StatusRunning)
	ids := make([]string, 3)
	for i := range ids {
		id, err := c.ExecCreate(e.ctx, ExecConfig{Command: []string{"true"}})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	// ids[0] exited beyond the retention, ids[1] just now, ids[2] never ran.
	if err := c.lockSync(); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c.state.ExecSessions[ids[0]].ExitedAt = now.Add(-ExecRetention - time.Second)
	c.state.ExecSessions[ids[1]].ExitedAt = now.Add(-time.Second)
	if err := c.saveLocked(); err != nil {
		t.Fatal(err)
	}
	c.lock.Unlock()

	if _, err := c.ExecCreate(e.ctx, ExecConfig{Command: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	st := e.dbState(c)
	if st.ExecSessions[ids[0]] != nil {
		t.Errorf("session exited %v ago is still recorded", ExecRetention)
	}
	if _, err := os.Stat(c.execSessionDir(ids[0])); !os.IsNotExist(err) {
		t.Errorf("pruned session's files: %v", err)
	}
	if st.ExecSessions[ids[1]] == nil || st.ExecSessions[ids[2]] == nil || len(st.ExecSessions) != 3 {
		t.Errorf("sessions after prune: %+v", st.ExecSessions)
	}
}
