package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// rpStarts returns the times of the start events of ctr, in order.
func rpStarts(t *testing.T, env *Env, ctr string) []time.Time {
	t.Helper()
	out := env.MustBerth(t, "events", "--stream=false", "--filter", "container="+ctr, "--filter", "event=start", "--format", "{{.TimeNano}}")
	var ts []time.Time
	for _, l := range strings.Fields(out) {
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			t.Fatalf("event time %q: %v", l, err)
		}
		ts = append(ts, time.Unix(0, n))
	}
	return ts
}

// TestRestartPolicyOnFailureBackoff: on-failure:3 restarts a failing
// container exactly three times, counts them in RestartCount, logs a
// restart event for each, and waits longer before each (docker's back-off:
// 100ms, 200ms, 400ms); a container that exits 0 is not restarted.
func TestRestartPolicyOnFailureBackoff(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "of", "--restart", "on-failure:3", "busybox", "sh", "-c", "exit 2")
	WaitFor(t, paWaitTimeout, func() bool {
		return paInspect(t, env, "of", "{{.RestartCount}} {{.State.Status}} {{.State.Restarting}}") == "3 exited false"
	})
	if got := paInspect(t, env, "of", "{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}"); got != "2 on-failure:3" {
		t.Errorf("exit code and policy = %q", got)
	}
	out := env.MustBerth(t, "events", "--stream=false", "--filter", "container=of", "--filter", "event=restart", "--format", "{{.Status}}")
	if n := len(strings.Fields(out)); n != 3 {
		t.Errorf("restart events = %q, want 3", out)
	}
	starts := rpStarts(t, env, "of")
	if len(starts) != 4 {
		t.Fatalf("start events: %v, want 4", starts)
	}
	for i, min := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		if gap := starts[i+1].Sub(starts[i]); gap < min {
			t.Errorf("restart %d came %v after the previous start, want at least %v of back-off", i+1, gap, min)
		}
	}

	env.MustBerth(t, "run", "-d", "--name", "ok", "--restart", "on-failure", "busybox", "true")
	paWaitStatus(t, env, "ok", "exited")
	WaitFor(t, paWaitTimeout, func() bool { return len(processesUnder(env.Dir)) == 0 })
	if got := paInspect(t, env, "ok", "{{.RestartCount}} {{.State.Status}}"); got != "0 exited" {
		t.Errorf("on-failure after exit 0: %q, want 0 exited", got)
	}
}

// TestRestartPolicyStopCancelsBackoff: `stop` of a container whose policy
// restart is pending (the exit command sleeping out the back-off) cancels
// it: the container stays exited once every berth process is gone, and a
// later `start` runs it again under the same policy.
func TestRestartPolicyStopCancelsBackoff(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "al", "--restart", "always", "busybox", "sh", "-c", "exit 1")
	// After a few restarts the back-off is long enough to catch pending.
	WaitFor(t, paWaitTimeout, func() bool {
		return paInspect(t, env, "al", "{{.State.Restarting}}") == "true" && paAtoi(t, paInspect(t, env, "al", "{{.RestartCount}}")) >= 3
	})
	env.MustBerth(t, "stop", "al")
	count := paInspect(t, env, "al", "{{.RestartCount}}")
	WaitFor(t, paWaitTimeout, func() bool { return len(processesUnder(env.Dir)) == 0 })
	if got := paInspect(t, env, "al", "{{.State.Status}} {{.State.Restarting}} {{.RestartCount}}"); got != "exited false "+count {
		t.Errorf("after stop during the back-off: %q, want exited false %s", got, count)
	}
	env.MustBerth(t, "start", "al")
	WaitFor(t, paWaitTimeout, func() bool { return paAtoi(t, paInspect(t, env, "al", "{{.RestartCount}}")) >= 1 })
	env.MustBerth(t, "rm", "-f", "al")
	WaitFor(t, paWaitTimeout, func() bool { return len(processesUnder(env.Dir)) == 0 })
}

// TestSystemBootAfterReboot: after a reboot, `system boot` starts the
// always and unless-stopped containers, but not an unless-stopped one a
// user stopped, nor one without a policy.
func TestSystemBootAfterReboot(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	var ids []string
	var pids []int
	for _, c := range [][]string{{"al", "always"}, {"us", "unless-stopped"}, {"no", "no"}, {"stopped", "unless-stopped"}} {
		ids = append(ids, env.MustBerth(t, "run", "-d", "--name", c[0], "--restart", c[1], "busybox", "sleep", "1000"))
		pids = append(pids, paAtoi(t, paInspect(t, env, c[0], "{{.State.ConmonPid}}")), paAtoi(t, paInspect(t, env, c[0], "{{.State.Pid}}")))
	}
	env.MustBerth(t, "stop", "-t", "0", "stopped")
	paSimulateReboot(t, env, ids, pids)

	out := env.MustBerth(t, "system", "boot")
	if got := strings.Fields(out); len(got) != 2 {
		t.Errorf("system boot printed %q, want the IDs of al and us", out)
	}
	for ctr, want := range map[string]string{"al": "running", "us": "running", "no": "exited", "stopped": "exited"} {
		if got := paInspect(t, env, ctr, "{{.State.Status}}"); got != want {
			t.Errorf("%s after system boot: %s, want %s", ctr, got, want)
		}
	}
	// Again: nothing more to start.
	if out := env.MustBerth(t, "system", "boot"); out != "" {
		t.Errorf("second system boot printed %q", out)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "al", "us")
}
