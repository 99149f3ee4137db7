package define_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
)

const (
	unknown    = define.StatusUnknown
	configured = define.StatusConfigured
	created    = define.StatusCreated
	running    = define.StatusRunning
	paused     = define.StatusPaused
	stopping   = define.StatusStopping
	stopped    = define.StatusStopped
	exited     = define.StatusExited
	removing   = define.StatusRemoving
)

var all = []define.ContainerStatus{unknown, configured, created, running, paused, stopping, stopped, exited, removing}

// allowed is the lifecycle written out by hand: what each status may
// become besides itself.
var allowed = map[define.ContainerStatus][]define.ContainerStatus{
	configured: {created, removing},
	created:    {running, stopped, exited, configured, removing},
	running:    {paused, stopping, stopped, exited},
	paused:     {running, stopping, stopped, exited},
	stopping:   {stopped, exited, running},
	stopped:    {exited, configured, created, running, removing},
	exited:     {configured, created, running, removing},
	removing:   nil,
	unknown:    nil,
}

func TestCheckTransition(t *testing.T) {
	const id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, from := range all {
		for _, to := range all {
			want := from == to
			for _, a := range allowed[from] {
				want = want || a == to
			}
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				if got := define.CanTransition(from, to); got != want {
					t.Errorf("CanTransition(%s, %s) = %t, want %t", from, to, got, want)
				}
				err := define.CheckTransition(id, from, to)
				if want {
					if err != nil {
						t.Errorf("CheckTransition() = %v, want nil", err)
					}
					return
				}
				if !errors.Is(err, define.ErrCtrStateInvalid) {
					t.Fatalf("CheckTransition() = %v, want ErrCtrStateInvalid", err)
				}
				if !errors.Is(err, errdefs.ErrConflict) {
					t.Errorf("CheckTransition() = %v, want the conflict category", err)
				}
				msg := err.Error()
				for _, part := range []string{id[:12], from.String(), to.String()} {
					if !strings.Contains(msg, part) {
						t.Errorf("error %q does not mention %q", msg, part)
					}
				}
				if strings.Contains(msg, id[:13]) {
					t.Errorf("error %q uses the long ID", msg)
				}
			})
		}
	}
}

// Removing is terminal: a container being removed never comes back.
func TestRemovingIsTerminal(t *testing.T) {
	for _, to := range all {
		if to != removing && define.CanTransition(removing, to) {
			t.Errorf("removing -> %s allowed", to)
		}
	}
}

// Every status can reach Removing (rm -f), directly or after a stop.
func TestEveryStatusCanBeRemoved(t *testing.T) {
	for _, from := range all[1:] {
		seen := map[define.ContainerStatus]bool{from: true}
		queue := []define.ContainerStatus{from}
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			for _, to := range all {
				if !seen[to] && define.CanTransition(s, to) {
					seen[to] = true
					queue = append(queue, to)
				}
			}
		}
		if !seen[removing] {
			t.Errorf("%s cannot reach removing", from)
		}
	}
}

func TestStatusNames(t *testing.T) {
	tests := []struct {
		s      define.ContainerStatus
		name   string
		docker string
		isStop bool
	}{
		{unknown, "unknown", "unknown", false},
		{configured, "configured", "created", true},
		{created, "created", "created", true},
		{running, "running", "running", false},
		{paused, "paused", "paused", false},
		{stopping, "stopping", "exited", false},
		{stopped, "stopped", "exited", true},
		{exited, "exited", "exited", true},
		{removing, "removing", "removing", false},
		{define.ContainerStatus(-1), "unknown", "unknown", false},
		{define.ContainerStatus(99), "unknown", "unknown", false},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.name {
			t.Errorf("%d.String() = %q, want %q", int(tt.s), got, tt.name)
		}
		if got := tt.s.DockerString(); got != tt.docker {
			t.Errorf("%d.DockerString() = %q, want %q", int(tt.s), got, tt.docker)
		}
		if got := tt.s.IsStopped(); got != tt.isStop {
			t.Errorf("%d.IsStopped() = %t, want %t", int(tt.s), got, tt.isStop)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range all {
		got, err := define.ParseStatus(s.String())
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %s, %v", s.String(), got, err)
		}
		got, err = define.ParseStatus(strings.ToUpper(s.String()))
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %s, %v", strings.ToUpper(s.String()), got, err)
		}
	}
	for _, bad := range []string{"", "up", "dead", "restarting"} {
		if _, err := define.ParseStatus(bad); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("ParseStatus(%q) = %v, want ErrInvalidArg", bad, err)
		}
	}
}

func TestShortID(t *testing.T) {
	tests := map[string]string{
		"":                  "",
		"abc":               "abc",
		"0123456789ab":      "0123456789ab",
		"0123456789abcdef0": "0123456789ab",
	}
	for in, want := range tests {
		if got := define.ShortID(in); got != want {
			t.Errorf("ShortID(%q) = %q, want %q", in, got, want)
		}
	}
}

// The sentinels carry the category the CLI and the API map in one place.
func TestErrorCategories(t *testing.T) {
	tests := []struct {
		err, cat error
	}{
		{define.ErrNoSuchCtr, errdefs.ErrNotFound},
		{define.ErrCtrRemoved, errdefs.ErrNotFound},
		{define.ErrNameInUse, errdefs.ErrConflict},
		{define.ErrCtrStateInvalid, errdefs.ErrConflict},
		{define.ErrInvalidArg, errdefs.ErrInvalidArgument},
		{define.ErrNoSuchUser, errdefs.ErrInvalidArgument},
		{define.ErrCtrStopped, errdefs.ErrNotModified},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.cat) {
			t.Errorf("%v is not in category %v", tt.err, tt.cat)
		}
	}
}
