package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHealthcheckLogSettings: --health-max-log-count keeps the last N
// results, --health-max-log-size cuts each output, --health-log-destination
// DIR writes the health log to DIR/ID-healthcheck.log and events_logger
// puts each result's output into its health_status event. Checks run on
// demand (interval disable), so nothing depends on timing.
func TestHealthcheckLogSettings(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	common := []string{"--health-interval", "disable", "--health-cmd", "echo 0123456789"}
	run := func(name string, flags ...string) string {
		args := append(append([]string{"run", "-d", "--name", name, "--network", "none"}, common...), flags...)
		return env.MustBerth(t, append(args, "busybox", "sleep", "1000")...)
	}
	run("cap", "--health-max-log-count", "2", "--health-max-log-size", "4")
	for i := 0; i < 4; i++ {
		env.MustBerth(t, "healthcheck", "run", "cap")
	}
	h := inspectHealth(t, env, "cap")
	if h == nil || len(h.Log) != 2 {
		t.Fatalf("health log with --health-max-log-count 2: %+v", h)
	}
	for _, l := range h.Log {
		if !strings.HasPrefix(l.Output, "0123") || strings.Contains(l.Output, "456789") {
			t.Errorf("output with --health-max-log-size 4: %q", l.Output)
		}
	}

	dir := filepath.Join(env.TmpDir, "hlogs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	id := run("dir", "--health-log-destination", dir)
	env.MustBerth(t, "healthcheck", "run", "dir")
	if b, err := os.ReadFile(filepath.Join(dir, id+"-healthcheck.log")); err != nil || !strings.Contains(string(b), "0123456789") {
		t.Errorf("health log file in %s: %q %v", dir, b, err)
	}
	if h := inspectHealth(t, env, "dir"); h == nil || len(h.Log) != 1 || h.Status != "healthy" {
		t.Errorf("inspect's health with a log directory: %+v", h)
	}

	run("ev", "--health-log-destination", "events_logger")
	env.MustBerth(t, "healthcheck", "run", "ev")
	ev := env.MustBerth(t, "events", "--stream=false", "--filter", "container=ev", "--filter", "event=health_status", "--format", "json")
	if !strings.Contains(ev, "0123456789") {
		t.Errorf("health_status event with events_logger lacks the output:\n%s", ev)
	}
	paExpectError(t, env.Berth("run", "-d", "--health-cmd", "true", "--health-log-destination", "rel/dir", "busybox", "true"), 125, "invalid --health-log-destination")
	env.MustBerth(t, "rm", "-fa", "-t", "0")
}

// TestHealthcheckStartupAndStop: the startup check runs until it passes
// (--health-startup-success in a row), then the regular check takes over;
// --health-startup-retries failures restart the container; and
// --health-on-failure stop stops an unhealthy one (exited, not restarted).
func TestHealthcheckStartupAndStop(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "s", "--network", "none", "--health-interval", "disable",
		"--health-cmd", "echo regular", "--health-startup-cmd", "test -e /tmp/ready && echo startup",
		"--health-startup-interval", "1h", "--health-startup-success", "2", "--health-startup-retries", "3",
		"busybox", "sleep", "1000")
	started := env.MustBerth(t, "inspect", "--format", "{{.State.StartedAt}}", "s")
	for i := 0; i < 2; i++ {
		env.Berth("healthcheck", "run", "s") // fails: not ready
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.State.StartedAt}}", "s"); got != started {
		t.Fatalf("restarted after 2 startup failures of 3")
	}
	env.Berth("healthcheck", "run", "s")
	WaitFor(t, healthWait, func() bool {
		return env.MustBerth(t, "inspect", "--format", "{{.State.StartedAt}} {{.State.Status}}", "s") != started+" running"
	})
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "s"); st != "running" {
		t.Errorf("after 3 startup failures the container is %s, want running again (restarted)", st)
	}
	env.MustBerth(t, "exec", "s", "touch", "/tmp/ready")
	for _, want := range []string{"startup", "startup", "regular"} {
		env.MustBerth(t, "healthcheck", "run", "s")
		h := inspectHealth(t, env, "s")
		if h == nil || len(h.Log) == 0 || strings.TrimSpace(h.Log[len(h.Log)-1].Output) != want {
			t.Fatalf("want a %s check's result last: %+v", want, h)
		}
	}
	if h := inspectHealth(t, env, "s"); h.Status != "healthy" {
		t.Errorf("after the regular check passed: %s", h.Status)
	}

	env.MustBerth(t, "run", "-d", "--name", "st", "--network", "none", "--health-interval", "disable", "--health-cmd", "false",
		"--health-retries", "1", "--health-on-failure", "stop", "--stop-timeout", "1", "--restart", "always", "busybox", "sleep", "1000")
	env.Berth("healthcheck", "run", "st")
	WaitFor(t, healthWait, func() bool { return env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "st") == "exited" })
	if got := env.MustBerth(t, "inspect", "--format", "{{.State.Status}} {{.RestartCount}}", "st"); got != "exited 0" {
		t.Errorf("after --health-on-failure stop (with --restart always): %s", got)
	}
	env.MustBerth(t, "rm", "-fa", "-t", "0")
}

// TestUpdateHealthcheck: podman 5's update --health-* change only what
// they name; a running container's scheduler follows (a new interval
// runs checks on its own); --no-healthcheck removes the check; a
// container without one needs --health-cmd.
func TestUpdateHealthcheck(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "u", "--network", "none", "--health-interval", "disable", "--health-cmd", "exit 1",
		"--health-retries", "5", "busybox", "sleep", "1000")
	env.MustBerth(t, "update", "--health-cmd", "echo new", "--health-max-log-count", "1", "u")
	env.MustBerth(t, "healthcheck", "run", "u")
	env.MustBerth(t, "healthcheck", "run", "u")
	if h := inspectHealth(t, env, "u"); h == nil || h.Status != "healthy" || len(h.Log) != 1 || h.Log[0].Output != "new\n" {
		t.Errorf("after update --health-cmd: %+v", h)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.Config.Healthcheck.Retries}}", "u"); got != "5" {
		t.Errorf("update changed the retries it was not given: %s", got)
	}
	// A new interval: the scheduler runs the check by itself.
	env.MustBerth(t, "exec", "u", "touch", "/tmp/mark")
	env.MustBerth(t, "update", "--health-cmd", "rm /tmp/mark", "--health-interval", "1s", "u")
	WaitFor(t, healthWait, func() bool { return env.Berth("exec", "u", "test", "-e", "/tmp/mark").ExitCode() != 0 })
	env.MustBerth(t, "update", "--no-healthcheck", "u")
	paExpectError(t, env.Berth("healthcheck", "run", "u"), 125, "has no defined healthcheck")
	paExpectError(t, env.Berth("update", "--health-retries", "2", "u"), 125, "--health-cmd is needed")
	paExpectError(t, env.Berth("update", "--health-on-failure", "explode", "u"), 125, "invalid on-failure action")
	env.MustBerth(t, "rm", "-fa", "-t", "0")
}
