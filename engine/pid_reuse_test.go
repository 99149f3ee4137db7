package engine

import (
	"os"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/procps"
)

// The start time of each PID is recorded with it, and a stored PID whose
// process started at another time is a stranger that got the PID after
// the container's conmon died: the container is dead, not running.
func TestPIDReuseIsDeath(t *testing.T) {
	e := newTestEnv(t)
	// The fake runtime makes the test process the container's conmon.
	self, err := procps.StartTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	alive := e.ctrIn(define.StatusRunning)
	if st := e.dbState(alive); st.ConmonPID != os.Getpid() || st.ConmonPIDStart != self {
		t.Fatalf("stored conmon = %d started at %d, want %d started at %d", st.ConmonPID, st.ConmonPIDStart, os.Getpid(), self)
	}
	reused := e.ctrIn(define.StatusRunning)
	st := e.dbState(reused)
	st.ConmonPIDStart = self + 1
	if err := e.st.SaveContainerState(reused.ID(), &st); err != nil {
		t.Fatal(err)
	}

	// Listing (an unlocked snapshot) judges the same way.
	ctrs, err := e.r.Containers()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ctrs {
		want := map[string]define.ContainerStatus{alive.ID(): define.StatusRunning, reused.ID(): define.StatusExited}[c.ID()]
		if got := c.CachedState().Status; got != want {
			t.Errorf("listed %s as %s, want %s", c.Name(), got, want)
		}
	}

	if got, err := alive.State(); err != nil || got.Status != define.StatusRunning {
		t.Errorf("State() with its conmon alive = %v, %v; want running", got.Status, err)
	}
	got, err := reused.State()
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != define.StatusExited || got.ExitCode != -1 || got.PID != 0 || got.PIDStart != 0 {
		t.Errorf("State() with its conmon's PID reused = %s (exit %d, pid %d started %d), want exited (-1) with no PID",
			got.Status, got.ExitCode, got.PID, got.PIDStart)
	}
}
