package engine

import (
	"errors"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

// verb is one lifecycle operation, run against a container handle.
type verb struct {
	name string
	run  func(e *testEnv, c *Container) error
	// syncAfter makes the test read the status through a locked sync, for
	// verbs whose effect the engine only learns from the exit file (kill).
	syncAfter bool
}

var verbs = []verb{
	{name: "init", run: func(e *testEnv, c *Container) error { return c.Init(e.ctx) }},
	{name: "start", run: func(e *testEnv, c *Container) error { return c.Start(e.ctx) }},
	{name: "stop", run: func(e *testEnv, c *Container) error { return c.Stop(e.ctx, nil) }},
	{name: "kill", run: func(e *testEnv, c *Container) error { return c.Kill(e.ctx, syscall.SIGKILL) }, syncAfter: true},
	{name: "pause", run: func(e *testEnv, c *Container) error { return c.Pause(e.ctx) }},
	{name: "unpause", run: func(e *testEnv, c *Container) error { return c.Unpause(e.ctx) }},
	{name: "restart", run: func(e *testEnv, c *Container) error { return c.Restart(e.ctx, nil) }},
	{name: "rm", run: func(e *testEnv, c *Container) error { return e.r.RemoveContainer(e.ctx, c, RemoveOptions{}) }},
	{name: "rm-force", run: func(e *testEnv, c *Container) error {
		return e.r.RemoveContainer(e.ctx, c, RemoveOptions{Force: true})
	}},
	{name: "cleanup", run: func(e *testEnv, c *Container) error { return c.Cleanup(e.ctx, false) }},
}

// Outcomes in the verb table besides a status.
const (
	forbidden = define.ContainerStatus(-1) // error wrapping ErrCtrStateInvalid, nothing changed
	gone      = define.ContainerStatus(-2) // container removed
)

const (
	cfgd     = define.StatusConfigured
	created  = define.StatusCreated
	running  = define.StatusRunning
	paused   = define.StatusPaused
	stopping = define.StatusStopping
	stopped  = define.StatusStopped
	exited   = define.StatusExited
	removing = define.StatusRemoving
)

var allStatuses = []define.ContainerStatus{cfgd, created, running, paused, stopping, stopped, exited, removing}

// verbTable is the lifecycle as the engine implements it (and podman and
// docker users expect): for each starting status, the persisted status
// after each verb, in the order of verbs.
var verbTable = map[define.ContainerStatus][]define.ContainerStatus{
	//          init       start      stop       kill       pause      unpause    restart    rm         rm-force cleanup
	cfgd:    {created, running, cfgd, forbidden, forbidden, forbidden, running, gone, gone, cfgd},
	created: {forbidden, running, exited, stopped, forbidden, forbidden, running, gone, gone, created},
	running: {forbidden, running, exited, stopped, paused, forbidden, running, forbidden, gone, running},
	paused:  {forbidden, forbidden, exited, stopped, forbidden, running, running, forbidden, gone, paused},
	// A stored stopping with the lock free is a stop whose command died:
	// the verb's locked sync finishes it (finishOrphanStopLocked) first.
	stopping: {created, running, exited, forbidden, forbidden, forbidden, running, gone, gone, exited},
	stopped:  {created, running, exited, forbidden, forbidden, forbidden, running, gone, gone, exited},
	exited:   {created, running, exited, forbidden, forbidden, forbidden, running, gone, gone, exited},
	removing: {forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, gone, gone, removing},
}

func outcomeName(s define.ContainerStatus) string {
	switch s {
	case forbidden:
		return "forbidden"
	case gone:
		return "removed"
	}
	return s.String()
}

// TestVerbFromEveryStatus runs every verb from every status: allowed moves
// succeed and persist the new status; forbidden ones fail with an error
// wrapping ErrCtrStateInvalid that names the container, and change neither
// the stored state nor the runtime.
func TestVerbFromEveryStatus(t *testing.T) {
	for _, from := range allStatuses {
		want := verbTable[from]
		if len(want) != len(verbs) {
			t.Fatalf("verbTable[%s] has %d entries, want %d", from, len(want), len(verbs))
		}
		for i, v := range verbs {
			t.Run(from.String()+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				e := newTestEnv(t)
				c := e.ctrIn(from, WithName("ctr-"+from.String()+"-"+v.name))
				before := e.dbState(c)
				callsBefore := len(e.oci.callsFor(c.ID()))

				err := v.run(e, c)

				switch want[i] {
				case forbidden:
					if err == nil {
						t.Fatalf("%s from %s: got nil error, want ErrCtrStateInvalid", v.name, from)
					}
					if !errors.Is(err, define.ErrCtrStateInvalid) {
						t.Fatalf("%s from %s: got %v, want an error wrapping ErrCtrStateInvalid", v.name, from, err)
					}
					if msg := err.Error(); !strings.Contains(msg, c.Name()) && !strings.Contains(msg, c.ID()) {
						t.Errorf("%s from %s: error %q does not name the container", v.name, from, msg)
					}
					if from == define.StatusStopping {
						break // the orphaned stop was finished before the refusal
					}
					if after := e.dbState(c); !reflect.DeepEqual(after, before) {
						t.Errorf("%s from %s changed the state:\n got %+v\nwant %+v", v.name, from, after, before)
					}
					if calls := e.oci.callsFor(c.ID()); len(calls) != callsBefore {
						t.Errorf("%s from %s called the runtime: %v", v.name, from, calls[callsBefore:])
					}
				case gone:
					if err != nil {
						t.Fatalf("%s from %s: %v", v.name, from, err)
					}
					if e.exists(c) {
						t.Errorf("%s from %s: container still exists as %s", v.name, from, e.dbState(c).Status)
					}
					if c.valid {
						t.Errorf("%s from %s: handle still valid after removal", v.name, from)
					}
					if _, err := c.State(); !errors.Is(err, define.ErrCtrRemoved) {
						t.Errorf("State() after removal = %v, want ErrCtrRemoved", err)
					}
				default:
					if err != nil {
						t.Fatalf("%s from %s: %v", v.name, from, err)
					}
					got := e.dbState(c).Status
					if v.syncAfter {
						st, err := c.State()
						if err != nil {
							t.Fatal(err)
						}
						got = st.Status
						if persisted := e.dbState(c).Status; persisted != got {
							t.Errorf("%s from %s: synced status %s was not persisted (store has %s)", v.name, from, got, persisted)
						}
					}
					if got != want[i] {
						t.Errorf("%s from %s: status %s, want %s", v.name, from, got, outcomeName(want[i]))
					}
				}
				e.lockFree(c)
			})
		}
	}
}

// TestVerbStatusesAreTableTransitions checks that every single-step move
// the verbs make is one the define transition table allows, so the engine
// and the table agree.
func TestVerbStatusesAreTableTransitions(t *testing.T) {
	single := []struct {
		from, to define.ContainerStatus
		verb     string
	}{
		{cfgd, created, "init"},
		{created, running, "start"},
		{running, paused, "pause"},
		{paused, running, "unpause"},
		{stopped, exited, "cleanup"},
		{exited, created, "init"},
		{running, stopping, "stop (intermediate)"},
		{stopping, stopped, "exit during stop"},
		{created, stopped, "stop of created"},
		{exited, removing, "rm"},
		{cfgd, removing, "rm"},
	}
	for _, s := range single {
		if err := define.CheckTransition("x", s.from, s.to); err != nil {
			t.Errorf("%s moves %s -> %s, which the table forbids: %v", s.verb, s.from, s.to, err)
		}
	}
}
