package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lfState is the container's status and exit code as inspect shows them.
func lfState(t *testing.T, env *Env, name string) string {
	t.Helper()
	return env.MustBerth(t, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name)
}

// lfTrapScript exits with 7 on SIGUSR1 and logs the signals it is sent:
// PID 1 ignores signals it has no handler for, so a handler is the only way
// to see which one arrived.
const lfTrapScript = `trap "echo usr1" USR1; trap "echo hup" HUP; trap "echo rt1" 35; trap "exit 7" USR2; echo ready; while :; do sleep 0.1; done`

func lfWaitLog(t *testing.T, env *Env, name, line string, n int) {
	t.Helper()
	WaitFor(t, 20*time.Second, func() bool {
		return strings.Count(env.Berth("logs", name).Stdout(), line+"\n") >= n
	})
}

// stop -s sends the given signal instead of the stop signal; --timeout is
// podman's alias of -t; --ignore, --cidfile, --latest, --filter pick the
// containers as in podman.
func TestLifecycleFlagsStop(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "trap", "busybox", "sh", "-c", lfTrapScript)
	lfWaitLog(t, env, "trap", "ready", 1)
	if out := env.MustBerth(t, "stop", "-s", "SIGUSR2", "--timeout", "10", "trap"); out != "trap" {
		t.Errorf("stop -s printed %q, want trap", out)
	}
	if got := lfState(t, env, "trap"); got != "exited 7" {
		t.Errorf("after stop -s SIGUSR2: %q, want \"exited 7\" (the trap's exit, not a kill)", got)
	}

	// --ignore: a missing name is no error and prints nothing.
	if r := env.Berth("stop", "--ignore", "nosuch"); r.ExitCode() != 0 || r.Stdout() != "" {
		t.Errorf("stop --ignore nosuch: want exit 0 and no output\n%s", r)
	}
	paExpectError(t, env.Berth("stop", "nosuch"), 125, `no container with name or ID "nosuch" found`)

	// --cidfile: the ID in the file, printed as read.
	id := env.MustBerth(t, "run", "-d", "--name", "c1", "busybox", "sleep", "1000")
	cid := filepath.Join(t.TempDir(), "cid")
	if err := os.WriteFile(cid, []byte(id), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := env.MustBerth(t, "stop", "-t", "0", "--cidfile", cid); out != id {
		t.Errorf("stop --cidfile printed %q, want %s", out, id)
	}
	if got := lfState(t, env, "c1"); got != "exited 137" {
		t.Errorf("c1 after stop --cidfile: %q", got)
	}
	missing := filepath.Join(t.TempDir(), "none")
	paExpectError(t, env.Berth("stop", "--cidfile", missing), 125, "reading CIDFile", "no such file or directory")
	if r := env.Berth("stop", "--ignore", "--cidfile", missing); r.ExitCode() != 0 {
		t.Errorf("stop --ignore --cidfile MISSING: want 0\n%s", r)
	}

	// --filter: only the matching running containers, by full ID.
	a := env.MustBerth(t, "run", "-d", "--name", "fa", "--label", "grp=x", "busybox", "sleep", "1000")
	b := env.MustBerth(t, "run", "-d", "--name", "fb", "busybox", "sleep", "1000")
	if out := env.MustBerth(t, "stop", "-t", "0", "--filter", "label=grp=x"); out != a {
		t.Errorf("stop --filter label=grp=x printed %q, want %s", out, a)
	}
	if got := lfState(t, env, "fb"); got != "running 0" {
		t.Errorf("fb (not matching) is %q, want running", got)
	}
	// --latest: the newest container (fb).
	if out := env.MustBerth(t, "stop", "-t", "0", "--latest"); out != b || lfState(t, env, "fb") != "exited 137" {
		t.Errorf("stop --latest printed %q (want %s), fb is %s", out, b, lfState(t, env, "fb"))
	}
}

// Bad combinations are refused with podman's words, exit 125, and nothing
// is stopped.
func TestLifecycleFlagsBadInput(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "up", "busybox", "sleep", "1000")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"stop", "-a", "up"}, "no arguments are needed with --all"},
		{[]string{"stop", "--filter", "name=up", "up"}, "--filter takes no arguments"},
		{[]string{"stop", "-a", "-l"}, "--all and --latest cannot be used together"},
		{[]string{"stop", "-l", "up"}, "no arguments are needed with --latest or --cidfile"},
		{[]string{"kill", "-a", "--cidfile", "/nonexistent"}, "--all, --latest, and --cidfile cannot be used together"},
		{[]string{"stop"}, "you must provide at least one name or id"},
		{[]string{"stop", "-s", "FOO", "up"}, "invalid signal: FOO"},
		{[]string{"restart", "--signal", "RTMIN+99", "up"}, "invalid signal: RTMIN+99"},
		{[]string{"kill", "-s", "SIGNOPE", "up"}, "invalid signal: SIGNOPE"},
		{[]string{"stop", "--filter", "nosuchkey=1"}, "invalid filter"},
		{[]string{"rm", "-f", "--filter", "name=up", "up"}, "--filter takes no arguments"},
		{[]string{"pause", "-l", "up"}, "no arguments are needed with --latest or --cidfile"},
	}
	for _, c := range cases {
		paExpectError(t, env.Berth(c.args...), 125, c.want)
	}
	if got := lfState(t, env, "up"); got != "running 0" {
		t.Errorf("after refused commands up is %q, want running", got)
	}
}

// kill takes every signal spelling podman does: names with and without
// SIG, any case, numbers, RTMIN+n.
func TestLifecycleFlagsKillSpellings(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := env.MustBerth(t, "run", "-d", "--name", "trap", "busybox", "sh", "-c", lfTrapScript)
	lfWaitLog(t, env, "trap", "ready", 1)
	cid := filepath.Join(t.TempDir(), "cid")
	if err := os.WriteFile(cid, []byte(id+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args []string
		line string
		n    int
	}{
		{[]string{"kill", "-s", "SIGUSR1", "trap"}, "usr1", 1},
		{[]string{"kill", "-s", "usr1", "trap"}, "usr1", 2},
		{[]string{"kill", "--signal", "10", "trap"}, "usr1", 3},
		{[]string{"kill", "-s", "RTMIN+1", "trap"}, "rt1", 1},
		{[]string{"kill", "-s", "SIGRTMIN+1", "--latest"}, "rt1", 2},
		{[]string{"kill", "-s", "hup", "--cidfile", cid}, "hup", 1},
		{[]string{"kill", "-s", "1", "trap"}, "hup", 2},
	}
	for _, s := range steps {
		env.MustBerth(t, s.args...)
		lfWaitLog(t, env, "trap", s.line, s.n)
	}
	if got := lfState(t, env, "trap"); got != "running 0" {
		t.Errorf("after trapped signals: %q, want running", got)
	}
	if out := env.MustBerth(t, "kill", "--cidfile", cid); out != id {
		t.Errorf("kill --cidfile printed %q, want %s", out, id)
	}
}

// restart -a --running leaves exited containers alone; start --filter,
// pause/unpause --latest, rm --filter/--cidfile/--latest pick as podman.
func TestLifecycleFlagsSelection(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "up", "busybox", "sleep", "1000")
	env.MustBerth(t, "run", "--name", "done", "busybox", "true")
	out := env.MustBerth(t, "restart", "-a", "--running", "-t", "0")
	if strings.Count(out, "\n") != 0 || out == "" {
		t.Errorf("restart -a --running printed %q, want one ID", out)
	}
	if got := lfState(t, env, "done"); got != "exited 0" {
		t.Errorf("done after restart --running: %q, want exited 0", got)
	}
	cr := env.MustBerth(t, "create", "--name", "cr", "--label", "k=v", "busybox", "sleep", "1000")
	if out := env.MustBerth(t, "start", "--filter", "label=k=v"); out != cr {
		t.Errorf("start --filter printed %q, want %s", out, cr)
	}
	if got := lfState(t, env, "cr"); got != "running 0" {
		t.Errorf("cr after start --filter: %q", got)
	}
	env.MustBerth(t, "pause", "--latest")
	if got := lfState(t, env, "cr"); got != "paused 0" {
		t.Errorf("cr after pause -l: %q", got)
	}
	env.MustBerth(t, "unpause", "-l")
	if out := env.MustBerth(t, "rm", "-f", "-t", "0", "--filter", "name=cr"); out != cr {
		t.Errorf("rm --filter printed %q, want %s", out, cr)
	}
	cid := filepath.Join(t.TempDir(), "cid")
	env.MustBerth(t, "create", "--cidfile", cid, "--name", "viafile", "busybox")
	b, _ := os.ReadFile(cid)
	if out := env.MustBerth(t, "rm", "--cidfile", cid); out != string(b) {
		t.Errorf("rm --cidfile printed %q, want %s", out, b)
	}
	if r := env.Berth("rm", "--ignore", "--cidfile", cid); r.ExitCode() != 0 || r.Stdout() != "" {
		t.Errorf("rm --ignore --cidfile of a removed container: want 0 and nothing\n%s", r)
	}
	if out := env.MustBerth(t, "rm", "-l"); out == "" || env.Berth("container", "exists", "done").ExitCode() != 1 {
		t.Errorf("rm -l did not remove the newest container (done): %q", out)
	}
}

// wait --ignore prints -1 for a missing container; -i takes podman's
// interval (a duration, or milliseconds); mount/umount -l act on the
// newest container and mount --format json lists podman's fields.
func TestLifecycleFlagsWaitMount(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	if r := env.Berth("run", "--name", "three", "busybox", "sh", "-c", "exit 3"); r.ExitCode() != 3 {
		t.Fatalf("run exit 3:\n%s", r)
	}
	if got := env.MustBerth(t, "wait", "--ignore", "-i", "100", "nosuch", "three"); got != "-1\n3" {
		t.Errorf("wait --ignore nosuch three = %q, want -1 and 3", got)
	}
	paExpectError(t, env.Berth("wait", "nosuch"), 125, "nosuch")
	paExpectError(t, env.Berth("wait", "-i", "soon", "three"), 125, `invalid --interval "soon"`)

	id := env.MustBerth(t, "create", "--name", "m", "busybox")
	mp := env.MustBerth(t, "mount", "-l")
	if !strings.HasPrefix(mp, "/") {
		t.Fatalf("mount -l printed %q, want a mountpoint", mp)
	}
	var got []struct {
		ID         string   `json:"id"`
		Names      []string `json:"names"`
		Mountpoint string   `json:"mountpoint"`
	}
	if err := json.Unmarshal([]byte(env.MustBerth(t, "mount", "--format", "json")), &got); err != nil || len(got) != 1 ||
		got[0].ID != id || len(got[0].Names) != 1 || got[0].Names[0] != "m" || got[0].Mountpoint != mp {
		t.Errorf("mount --format json = %+v (%v), want [{%s [m] %s}]", got, err, id, mp)
	}
	if out := env.MustBerth(t, "umount", "-l"); out != id {
		t.Errorf("umount -l printed %q, want %s", out, id)
	}
	if out := env.MustBerth(t, "mount"); out != "" {
		t.Errorf("mount after umount -l lists %q", out)
	}
}
