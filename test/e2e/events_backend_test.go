package e2e

import (
	"os"
	"strings"
	"testing"
)

// TestEventsBackend: --events-backend none records nothing (the exit
// command gets the flag too); file is the default;
// journald is refused with one line where the journal does not run; an
// unknown backend is refused.
func TestEventsBackend(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	// Attached, so that this run (not a later command) sees the exit.
	env.MustBerth(t, "--events-backend", "none", "run", "--name", "quiet", "busybox", "true")
	WaitFor(t, paWaitTimeout, func() bool { return len(processesUnder(env.Dir)) == 0 })
	if out := env.MustBerth(t, "events", "--stream=false", "--filter", "container=quiet"); out != "" {
		t.Errorf("events of a container run with --events-backend none: %q", out)
	}
	paExpectError(t, env.Berth("--events-backend", "none", "events", "--stream=false"), 125, "events are disabled")

	env.MustBerth(t, "--events-backend", "file", "run", "--name", "loud", "busybox", "true")
	out := env.MustBerth(t, "events", "--stream=false", "--filter", "container=loud", "--format", "{{.Status}}")
	if !strings.Contains(out, "start") || !strings.Contains(out, "died") {
		t.Errorf("events with --events-backend file: %q", out)
	}
	if got := env.MustBerth(t, "--events-backend", "none", "info", "--format", "{{.Host.EventLogger}}"); got != "none" {
		t.Errorf("info EventLogger with --events-backend none = %q", got)
	}

	if _, err := os.Stat("/run/systemd/journal/socket"); err != nil {
		paExpectError(t, env.Berth("--events-backend", "journald", "ps"), 125, "events backend journald: the systemd journal is not running")
	}
	paExpectError(t, env.Berth("--events-backend", "syslog", "ps"), 125, `invalid events backend "syslog"`)
}

// TestImageEvents: import, tag, untag, save and load log podman's image
// events, with the image's ID and the name acted on.
func TestImageEvents(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t) // an import
	env.MustBerth(t, "tag", "busybox", "localhost/other:1")
	env.MustBerth(t, "untag", "localhost/other:1", "localhost/other:1")
	archive := env.TmpDir + "/bb.tar"
	env.MustBerth(t, "save", "-o", archive, "busybox")
	env.MustBerth(t, "rmi", "busybox")
	env.MustBerth(t, "load", "-i", archive)
	out := env.MustBerth(t, "events", "--stream=false", "--filter", "type=image", "--format", "{{.Status}} {{.Name}}")
	want := []string{"import localhost/busybox:latest", "tag localhost/other:1", "untag localhost/other:1", "save busybox", "remove busybox", "loaded localhost/busybox:latest"}
	got := strings.Split(strings.TrimSpace(out), "\n")
	i := 0
	for _, l := range got {
		if i < len(want) && l == want[i] {
			i++
		}
	}
	if i != len(want) {
		t.Errorf("image events:\n%s\nwant in order: %q", out, want)
	}
}
