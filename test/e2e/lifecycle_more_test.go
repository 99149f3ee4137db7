package e2e

// More lifecycle e2e tests (split from lifecycle_test.go to keep files small).
import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLifecycleStopKillsAfterTimeout(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "stubborn", "busybox", "sh", "-c", `trap "" TERM; echo ready; while :; do sleep 0.05; done`)
	WaitFor(t, paWaitTimeout, func() bool { return strings.Contains(env.Berth("logs", "stubborn").Stdout(), "ready") })
	pid := paAtoi(t, paInspect(t, env, "stubborn", "{{.State.Pid}}"))
	if out := env.MustBerth(t, "stop", "-t", "1", "stubborn"); out != "stubborn" {
		t.Errorf("stop printed %q", out)
	}
	if got := paInspect(t, env, "stubborn", "{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}"); got != "exited 137 false" {
		t.Errorf("after stop -t 1: %q, want exited 137 false", got)
	}
	if paPidAlive(pid) {
		t.Errorf("container process %d still alive after stop", pid)
	}
	if st := paPsStatus(t, env, "stubborn"); !strings.HasPrefix(st, "Exited (137)") {
		t.Errorf("ps status %q, want Exited (137) ...", st)
	}
}

func TestLifecycleKillSignals(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "hup", "busybox", "sh", "-c", `trap "exit 11" HUP; echo ready; while :; do sleep 0.05; done`)
	env.MustBerth(t, "run", "-d", "--name", "k9", "busybox", "sleep", "1000")
	// With --init the command is not PID 1, so an untrapped TERM kills it
	// and the exit code is 128+15.
	env.MustBerth(t, "run", "-d", "--init", "--name", "term", "busybox", "sleep", "1000")
	WaitFor(t, paWaitTimeout, func() bool { return strings.Contains(env.Berth("logs", "hup").Stdout(), "ready") })

	if out := env.MustBerth(t, "kill", "-s", "HUP", "hup"); out != "hup" {
		t.Errorf("kill printed %q, want hup", out)
	}
	if out := env.MustBerth(t, "kill", "k9"); out != "k9" {
		t.Errorf("kill printed %q, want k9", out)
	}
	env.MustBerth(t, "kill", "--signal", "SIGTERM", "term")
	for name, code := range map[string]string{"hup": "11", "k9": "137", "term": "143"} {
		if out := env.MustBerth(t, "wait", name); out != code {
			t.Errorf("wait %s printed %q, want %s", name, out, code)
		}
		if got := paInspect(t, env, name, "{{.State.Status}} {{.State.ExitCode}}"); got != "exited "+code {
			t.Errorf("%s: %q, want exited %s", name, got, code)
		}
	}
	// A bad signal name is refused.
	env.MustBerth(t, "run", "-d", "--name", "alive", "busybox", "sleep", "1000")
	paExpectError(t, env.Berth("kill", "-s", "NOSUCHSIG", "alive"), 125)
	if st := paStatus(env, "alive"); st != "running" {
		t.Errorf("after kill -s NOSUCHSIG: status %q, want running", st)
	}
}

func TestLifecycleExitCodes(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"run", "--rm", "busybox", "sh", "-c", "exit 3"}, 3},
		{[]string{"run", "--rm", "busybox", "false"}, 1},
		{[]string{"run", "--rm", "busybox", "true"}, 0},
		// A child killed by a signal: the shell reports 128+n.
		{[]string{"run", "--rm", "busybox", "sh", "-c", `sh -c 'kill -9 $$'; exit $?`}, 137},
		// --init forwards the command's own death by signal.
		{[]string{"run", "--rm", "--init", "busybox", "sh", "-c", `kill -TERM $$`}, 143},
	} {
		r := env.Berth(tc.args...)
		if r.Err != nil || r.ExitCode() != tc.code {
			t.Errorf("exit code %d, want %d:\n%s", r.ExitCode(), tc.code, r)
		}
	}
	// The exit code is kept in the container's state.
	r := env.Berth("run", "--name", "ex", "busybox", "sh", "-c", "exit 42")
	if r.ExitCode() != 42 {
		t.Errorf("run exit code %d, want 42:\n%s", r.ExitCode(), r)
	}
	if got := paInspect(t, env, "ex", "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 42" {
		t.Errorf("inspect: %q, want exited 42", got)
	}
	if st := paPsStatus(t, env, "ex"); !strings.HasPrefix(st, "Exited (42)") {
		t.Errorf("ps status %q, want Exited (42) ...", st)
	}

	// The attached run reports the container's death by an external kill.
	ctx, cancel := context.WithTimeout(context.Background(), paWaitTimeout)
	defer cancel()
	cmd := env.Command(ctx, "run", "--name", "victim", "busybox", "sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	paWaitStatus(t, env, "victim", "running")
	env.MustBerth(t, "kill", "victim")
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 137 {
		t.Errorf("attached run killed by `kill victim`: exit code %d (%v), want 137", code, err)
	}
}

func TestLifecycleStartAttach(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "sa", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3")
	if st := paStatus(env, "sa"); st != "created" {
		t.Errorf("status after create: %q, want created", st)
	}
	if st := paPsStatus(t, env, "sa"); st != "Created" {
		t.Errorf("ps status after create: %q, want Created", st)
	}
	r := env.Berth("start", "-a", "sa")
	if r.ExitCode() != 3 {
		t.Errorf("start -a exit code %d, want 3:\n%s", r.ExitCode(), r)
	}
	if strings.TrimSpace(r.Stdout()) != "out" || !strings.Contains(r.Stderr(), "err") {
		t.Errorf("start -a output:\n%s\nwant out on stdout and err on stderr", r)
	}
	// A second start -a runs it again.
	r = env.Berth("start", "--attach", "sa")
	if r.ExitCode() != 3 || strings.TrimSpace(r.Stdout()) != "out" {
		t.Errorf("second start -a:\n%s", r)
	}
	// Detached start prints the name and leaves it running.
	env.MustBerth(t, "create", "--name", "bg", "busybox", "sleep", "1000")
	if out := env.MustBerth(t, "start", "bg"); out != "bg" {
		t.Errorf("start printed %q, want bg", out)
	}
	if st := paStatus(env, "bg"); st != "running" {
		t.Errorf("status after start: %q", st)
	}
	// Starting a running container is a no-op (podman and docker).
	env.MustBerth(t, "start", "bg")
	if out := env.MustBerth(t, "logs", "sa"); !strings.Contains(out, "out") {
		t.Errorf("logs sa: %q", out)
	}
}

func TestLifecycleRestart(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "rs", "busybox", "sleep", "1000")
	pid1 := paAtoi(t, paInspect(t, env, "rs", "{{.State.Pid}}"))
	if out := env.MustBerth(t, "restart", "-t", "0", "rs"); out != "rs" {
		t.Errorf("restart printed %q", out)
	}
	got := paInspect(t, env, "rs", "{{.State.Status}} {{.State.Pid}}")
	var st string
	var pid2 int
	fmt.Sscan(got, &st, &pid2)
	if st != "running" || pid2 == pid1 || !paPidAlive(pid2) {
		t.Errorf("after restart: %q (old pid %d), want running with a new live pid", got, pid1)
	}
	if paPidAlive(pid1) {
		t.Errorf("old process %d survived restart", pid1)
	}
	// A manual restart is not a restart-policy restart (podman, docker).
	if n := paInspect(t, env, "rs", "{{.RestartCount}}"); n != "0" {
		t.Errorf("RestartCount after manual restart = %s, want 0", n)
	}
	// Restart of a stopped container starts it.
	env.MustBerth(t, "run", "--name", "once", "busybox", "true")
	env.MustBerth(t, "create", "--name", "sleeper", "busybox", "sleep", "1000")
	env.MustBerth(t, "stop", "-t", "0", "rs")
	env.MustBerth(t, "restart", "rs", "sleeper")
	for _, n := range []string{"rs", "sleeper"} {
		if st := paStatus(env, n); st != "running" {
			t.Errorf("%s after restart: %q, want running", n, st)
		}
	}
}

func TestLifecyclePauseUnpause(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "pz", "busybox", "sh", "-c",
		`i=0; while :; do i=$((i+1)); echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; sleep 0.02; done`)
	counter := filepath.Join(paMerged(t, env, "pz"), "tmp", "c")
	read := func() int {
		b, err := os.ReadFile(counter)
		if err != nil {
			return -1
		}
		n, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return -1
		}
		return n
	}
	// Running: the counter advances.
	WaitFor(t, paWaitTimeout, func() bool { return read() > 0 })
	first := read()
	WaitFor(t, paWaitTimeout, func() bool { return read() > first+2 })

	if out := env.MustBerth(t, "pause", "pz"); out != "pz" {
		t.Errorf("pause printed %q", out)
	}
	if got := paInspect(t, env, "pz", "{{.State.Status}} {{.State.Paused}} {{.State.Running}}"); got != "paused true true" && got != "paused true false" {
		t.Errorf("inspect after pause: %q, want paused true", got)
	}
	if st := paPsStatus(t, env, "pz"); !strings.Contains(st, "Paused") {
		t.Errorf("ps status after pause: %q, want ...Paused...", st)
	}
	// Frozen: the counter does not move over many of the loop's periods.
	// (The pause returned, so the freezer is settled: no race.)
	frozen := read()
	for range 10 {
		time.Sleep(30 * time.Millisecond) // observing a frozen process, not synchronising
		if n := read(); n != frozen {
			t.Fatalf("counter moved from %d to %d while paused", frozen, n)
		}
	}

	if out := env.MustBerth(t, "unpause", "pz"); out != "pz" {
		t.Errorf("unpause printed %q", out)
	}
	if got := paInspect(t, env, "pz", "{{.State.Status}} {{.State.Paused}}"); got != "running false" {
		t.Errorf("inspect after unpause: %q, want running false", got)
	}
	WaitFor(t, paWaitTimeout, func() bool { return read() > frozen+2 })

	// A paused container can be stopped (podman unpauses it first).
	env.MustBerth(t, "pause", "pz")
	env.MustBerth(t, "stop", "-t", "0", "pz")
	if st := paStatus(env, "pz"); st != "exited" {
		t.Errorf("stop of a paused container: status %q, want exited", st)
	}
}

func TestLifecycleWait(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.Berth("run", "--name", "done", "busybox", "sh", "-c", "exit 4")
	if out := env.MustBerth(t, "wait", "done"); out != "4" {
		t.Errorf("wait on an exited container printed %q, want 4", out)
	}

	for _, rm := range []bool{false, true} {
		name := "w"
		args := []string{"run", "-d", "--name", name}
		if rm {
			name = "wrm"
			args = []string{"run", "-d", "--rm", "--name", name}
		}
		env.MustBerth(t, append(append(args, "busybox"), paWaitGo(5)...)...)
		paWaitStatus(t, env, name, "running")

		ctx, cancel := context.WithTimeout(context.Background(), paWaitTimeout)
		defer cancel()
		var out bytes.Buffer
		cmd := env.Command(ctx, "wait", name)
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		paTouch(t, env, name, "/tmp/go")
		if err := cmd.Wait(); err != nil {
			t.Errorf("wait %s (rm=%v): %v\n%s", name, rm, err, out.String())
		}
		if got := strings.TrimSpace(out.String()); got != "5" {
			t.Errorf("wait %s (rm=%v) printed %q, want 5", name, rm, got)
		}
	}
	// The --rm one goes away by itself.
	WaitFor(t, paWaitTimeout, func() bool { return !slices.Contains(paPsNames(t, env), "wrm") })

	// wait on several containers prints one code per container.
	env.Berth("run", "--name", "two", "busybox", "sh", "-c", "exit 2")
	if out := env.MustBerth(t, "wait", "done", "two"); out != "4\n2" {
		t.Errorf("wait done two printed %q, want 4 and 2", out)
	}
}

func TestLifecycleRm(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "up", "busybox", "sleep", "1000")
	env.MustBerth(t, "run", "--name", "down", "busybox", "true")
	env.MustBerth(t, "create", "--name", "fresh", "busybox")
	// A created container gets its rootfs on first start (or mount), so
	// only the two that ran have one yet.
	before := paStorageContainers(t, env)
	if len(before) != 2 {
		t.Fatalf("storage containers: %v, want 2", before)
	}

	// A running container needs -f; podman's rm exits 2 for that.
	r := env.Berth("rm", "up")
	paExpectError(t, r, 2, "cannot remove container", "running")
	if st := paStatus(env, "up"); st != "running" {
		t.Errorf("refused rm changed the state to %q", st)
	}

	if out := env.MustBerth(t, "rm", "down"); out != "down" {
		t.Errorf("rm printed %q, want down", out)
	}
	pid := paAtoi(t, paInspect(t, env, "up", "{{.State.Pid}}"))
	if out := env.MustBerth(t, "rm", "-f", "-t", "0", "up"); out != "up" {
		t.Errorf("rm -f printed %q, want up", out)
	}
	if paPidAlive(pid) {
		t.Errorf("process %d of up survived rm -f", pid)
	}
	if names := paPsNames(t, env); !slices.Equal(names, []string{"fresh"}) {
		t.Errorf("ps -a: %v, want [fresh]", names)
	}

	// rm -a removes everything, running or not.
	env.MustBerth(t, "run", "-d", "--name", "up2", "busybox", "sleep", "1000")
	env.MustBerth(t, "rm", "-a", "-f", "-t", "0")
	paExpectNoContainers(t, env)

	// rm -a without -f refuses running containers but removes the others.
	env.MustBerth(t, "run", "-d", "--name", "up3", "busybox", "sleep", "1000")
	env.MustBerth(t, "create", "--name", "c3", "busybox")
	r = env.Berth("rm", "-a")
	if r.ExitCode() == 0 {
		t.Errorf("rm -a with a running container succeeded:\n%s", r)
	}
	if names := paPsNames(t, env); !slices.Equal(names, []string{"up3"}) {
		t.Errorf("after rm -a: %v, want [up3]", names)
	}
	// -i ignores missing names.
	env.MustBerth(t, "rm", "-i", "nosuch")
}

func TestLifecycleRename(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	id := env.MustBerth(t, "run", "-d", "--name", "old", "busybox", "sleep", "1000")
	env.MustBerth(t, "create", "--name", "other", "busybox")
	env.MustBerth(t, "rename", "old", "new")
	if got := paInspect(t, env, "new", "{{.ID}} {{.Name}} {{.State.Status}}"); got != id+" new running" {
		t.Errorf("inspect new = %q", got)
	}
	paExpectError(t, env.Berth("inspect", "old"), 125, "old")
	if names := paPsNames(t, env); !slices.Contains(names, "new") || slices.Contains(names, "old") {
		t.Errorf("ps -a after rename: %v", names)
	}
	// The old name is free again (podman renames the storage container too).
	if r := env.Berth("create", "--name", "old", "busybox"); r.ExitCode() != 0 {
		t.Errorf("create with the name freed by rename:\n%s", r)
	}
	// Renaming onto a used name fails and changes nothing.
	r := env.Berth("rename", "new", "other")
	paExpectError(t, r, 125, "other")
	if got := paInspect(t, env, id, "{{.Name}}"); got != "new" {
		t.Errorf("failed rename changed the name to %q", got)
	}
	// By ID too; the renamed container still stops by its new name.
	env.MustBerth(t, "rename", id[:12], "newer")
	env.MustBerth(t, "stop", "-t", "0", "newer")
}

func TestLifecycleInit(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "i1", "busybox", "sh", "-c", "echo hello from init")
	if got := paInspect(t, env, "i1", "{{.State.Status}} {{.State.Pid}}"); got != "created 0" {
		t.Errorf("after create: %q, want created 0", got)
	}
	if out := env.MustBerth(t, "init", "i1"); out != "i1" {
		t.Errorf("init printed %q, want i1", out)
	}
	// podman 4.3 calls this state "initialized"; the process exists but
	// has not run the command yet.
	var st string
	var pid int
	fmt.Sscan(paInspect(t, env, "i1", "{{.State.Status}} {{.State.Pid}}"), &st, &pid)
	if st != "created" && st != "initialized" || pid <= 0 || !paPidAlive(pid) {
		t.Errorf("after init: status %q pid %d, want created/initialized with a live pid", st, pid)
	}
	if out := env.MustBerth(t, "logs", "i1"); out != "" {
		t.Errorf("logs after init: %q, want nothing yet", out)
	}
	r := env.Berth("start", "-a", "i1")
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "hello from init" {
		t.Errorf("start -a after init:\n%s", r)
	}
	// init of a running container is an error (podman: "has already been
	// created in runtime"); of an exited one it prepares it again.
	env.MustBerth(t, "run", "-d", "--name", "up", "busybox", "sleep", "1000")
	paExpectError(t, env.Berth("init", "up"), 125)
	if st := paStatus(env, "up"); st != "running" {
		t.Errorf("init of a running container changed its status to %q", st)
	}
	env.MustBerth(t, "init", "i1")
	r = env.Berth("start", "-a", "i1")
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "hello from init" {
		t.Errorf("start -a after a second init:\n%s", r)
	}
}

// TestLifecycleSurvivesCLI checks that a detached container does not depend
// on the berth process that started it.
func TestLifecycleSurvivesCLI(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "bg", "busybox", "sleep", "1000")
	// berth has exited; nothing of it is left but conmon.
	for _, p := range processesUnder(env.Dir) {
		if !p.isConmon() {
			t.Errorf("process left after run -d: %s", p)
		}
	}
	pid := paAtoi(t, paInspect(t, env, "bg", "{{.State.Pid}}"))
	conmon := paAtoi(t, paInspect(t, env, "bg", "{{.State.ConmonPid}}"))
	if !paPidAlive(pid) || !paPidAlive(conmon) {
		t.Fatalf("container pid %d / conmon pid %d not alive after berth exited", pid, conmon)
	}
	// conmon must not be a child of a berth process that will go away.
	if st, ok := readStat(conmon); ok && st.ppid != 1 {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", st.ppid)); err == nil && strings.TrimSpace(string(b)) == "berth" {
			t.Errorf("conmon %d is a child of berth %d", conmon, st.ppid)
		}
	}
	if st := paStatus(env, "bg"); st != "running" {
		t.Errorf("status %q, want running", st)
	}
	env.MustBerth(t, "stop", "-t", "0", "bg")
	if st := paStatus(env, "bg"); st != "exited" {
		t.Errorf("after stop: %q, want exited", st)
	}
	WaitFor(t, paWaitTimeout, func() bool { return !paPidAlive(conmon) })
}

// TestLifecycleDetachedRmRemovesItself: nobody waits for a `run -d --rm`
// container; conmon's exit command must remove it.
func TestLifecycleDetachedRmRemovesItself(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--rm", "--name", "short", "busybox", "sleep", "1")
	env.MustBerth(t, append([]string{"run", "-d", "--rm", "--name", "gated", "busybox"}, paWaitGo(0)...)...)
	paWaitStatus(t, env, "gated", "running")
	paTouch(t, env, "gated", "/tmp/go")
	WaitFor(t, paWaitTimeout, func() bool { return len(paPsNames(t, env)) == 0 })
	WaitFor(t, paWaitTimeout, func() bool { return len(paStorageContainers(t, env)) == 0 })
	WaitFor(t, paWaitTimeout, func() bool { return len(processesUnder(env.Dir)) == 0 })
	if m := env.unexpectedMounts(); len(m) != 0 {
		t.Errorf("mounts left after --rm containers exited: %v", m[0].Mountpoint)
	}
}

// TestLifecycleRmAfterCLIKilled: the attached `run --rm` CLI is SIGKILLed
// while the container runs; the container keeps running, and when it exits
// conmon's exit command removes it.
func TestLifecycleRmAfterCLIKilled(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	ctx, cancel := context.WithTimeout(context.Background(), paWaitTimeout)
	defer cancel()
	cmd := env.Command(ctx, append([]string{"run", "--rm", "--name", "orphan", "busybox"}, paWaitGo(0)...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, paWaitTimeout, func() bool { return strings.Contains(out.String(), "ready") })
	// Kill only berth itself, not its process group.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	if st := paStatus(env, "orphan"); st != "running" {
		t.Fatalf("after the CLI was killed: status %q, want running", st)
	}
	paTouch(t, env, "orphan", "/tmp/go")
	WaitFor(t, paWaitTimeout, func() bool { return len(paPsNames(t, env)) == 0 })
	WaitFor(t, paWaitTimeout, func() bool { return len(paStorageContainers(t, env)) == 0 })
	WaitFor(t, paWaitTimeout, func() bool { return len(processesUnder(env.Dir)) == 0 })
}

// TestLifecycleAttachedRunCancelsExitCommand: an attached run cleans up
// itself, so the exit command conmon holds back (--exit-delay) is cancelled
// and conmon is gone at once, not after the delay. Without the cancel,
// conmon would wait out its 2 s delay and then start a second berth.
func TestLifecycleAttachedRunCancelsExitCommand(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	for _, rm := range []bool{true, false} {
		args := []string{"run", "--network", "none", "--name", fmt.Sprintf("cancel-%v", rm)}
		if rm {
			args = append(args, "--rm")
		}
		env.MustBerth(t, append(args, "busybox", "true")...)
		deadline := time.Now().Add(time.Second)
		for len(processesUnder(env.Dir)) > 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if left := processesUnder(env.Dir); len(left) > 0 {
			t.Fatalf("rm=%v: processes left 1 s after an attached run returned: %v", rm, left[0].argv)
		}
	}
	if st := paStatus(env, "cancel-false"); st != "exited" {
		t.Errorf("cancel-false: status %q, want exited", st)
	}
}

// TestLifecycleSigProxy: signals sent to an attached `run` reach the
// container (--sig-proxy defaults to true) and run exits with the
// container's code; with --sig-proxy=false the CLI dies and the container
// keeps running.
func TestLifecycleSigProxy(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		trap  string
		proxy bool
		code  int
	}{
		{"term", syscall.SIGTERM, "TERM", true, 5},
		{"int", syscall.SIGINT, "INT", true, 6},
		{"hup", syscall.SIGHUP, "HUP", true, 7},
		{"noproxy", syscall.SIGTERM, "TERM", false, 128 + int(syscall.SIGTERM)},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), paWaitTimeout)
		defer cancel()
		args := []string{"run", "--name", tc.name}
		if !tc.proxy {
			args = append(args, "--sig-proxy=false")
		}
		script := fmt.Sprintf(`trap "echo got %s; exit %d" %s; echo ready; while :; do sleep 0.05; done`, tc.trap, tc.code, tc.trap)
		cmd := env.Command(ctx, append(args, "busybox", "sh", "-c", script)...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		WaitFor(t, paWaitTimeout, func() bool { return strings.Contains(out.String(), "ready") })
		if err := cmd.Process.Signal(tc.sig); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if got := cmd.ProcessState.ExitCode(); tc.proxy && got != tc.code {
			t.Errorf("%s: run exited %d, want %d (container's code):\n%s", tc.name, got, tc.code, out.String())
		}
		if tc.proxy {
			if !strings.Contains(out.String(), "got "+tc.trap) {
				t.Errorf("%s: the container did not get SIG%s:\n%s", tc.name, tc.trap, out.String())
			}
			if got := paInspect(t, env, tc.name, "{{.State.Status}} {{.State.ExitCode}}"); got != fmt.Sprintf("exited %d", tc.code) {
				t.Errorf("%s: inspect %q, want exited %d", tc.name, got, tc.code)
			}
			continue
		}
		// Without the proxy the container never saw the signal.
		if st := paStatus(env, tc.name); st != "running" {
			t.Errorf("%s: status %q after the CLI died, want running", tc.name, st)
		}
		if strings.Contains(out.String(), "got ") {
			t.Errorf("%s: the signal reached the container:\n%s", tc.name, out.String())
		}
		env.MustBerth(t, "stop", "-t", "0", tc.name)
	}
}
