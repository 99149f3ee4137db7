package e2e

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every failing command prints one line starting with "Error: " on stderr,
// exits with podman's code (125 unless stated) and leaves nothing behind.

func TestErrorsUnknownImage(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	for _, args := range [][]string{
		{"run", "nosuchimage"},
		{"run", "--rm", "nosuchimage", "true"},
		{"run", "-d", "--name", "x", "nosuchimage"},
		{"run", "--pull", "never", "nosuchimage"},
		{"create", "--name", "y", "nosuchimage"},
	} {
		paExpectError(t, env.Berth(args...), 125, "nosuchimage")
	}
	paExpectNoContainers(t, env)
	// The names were not reserved by the failed attempts.
	env.MustBerth(t, "create", "--name", "x", "busybox")
	env.MustBerth(t, "create", "--name", "y", "busybox")
}

func TestErrorsNameInUse(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	id := env.MustBerth(t, "run", "-d", "--name", "dup", "busybox", "sleep", "1000")
	before := paStorageContainers(t, env)
	for _, args := range [][]string{
		{"run", "--name", "dup", "busybox", "true"},
		{"run", "-d", "--rm", "--name", "dup", "busybox", "true"},
		{"create", "--name", "dup", "busybox"},
	} {
		r := env.Berth(args...)
		// podman: the container name "dup" is already in use by <ID>. You
		// have to remove that container to be able to reuse that name
		paExpectError(t, r, 125, `"dup"`, "already in use", id)
	}
	if names := paPsNames(t, env); !slices.Equal(names, []string{"dup"}) {
		t.Errorf("ps -a: %v, want [dup]", names)
	}
	if after := paStorageContainers(t, env); !slices.Equal(after, before) {
		t.Errorf("storage containers changed from %v to %v", before, after)
	}
	if st := paStatus(env, "dup"); st != "running" {
		t.Errorf("the existing container is %q, want running", st)
	}
	// Renaming onto the name is refused too.
	env.MustBerth(t, "create", "--name", "other", "busybox")
	paExpectError(t, env.Berth("rename", "other", "dup"), 125, "dup")
}

func TestErrorsBadUser(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	// podman 4.3 exits 126 ("cannot be invoked") with "unable to find user
	// nosuchuser: no matching entries in passwd file".
	for _, args := range [][]string{
		{"run", "-u", "nosuchuser", "busybox", "id"},
		{"run", "--rm", "-u", "nosuchuser", "busybox", "id"},
		{"run", "-d", "-u", "nosuchuser:berthgroup", "busybox", "id"},
		{"run", "-u", "root:nosuchgroup", "busybox", "id"},
	} {
		r := env.Berth(args...)
		want := "nosuchuser"
		if strings.Contains(strings.Join(args, " "), "nosuchgroup") {
			want = "nosuchgroup"
		}
		paExpectError(t, r, 126, "unable to find", want)
	}
	// run does not leave the container behind.
	paExpectNoContainers(t, env)

	// create does not look the user up; start then fails and the
	// container stays as it was.
	env.MustBerth(t, "create", "--name", "cu", "-u", "nosuchuser", "busybox", "id")
	paExpectError(t, env.Berth("start", "cu"), 125, "unable to find user nosuchuser")
	if st := paStatus(env, "cu"); st != "created" {
		t.Errorf("after the failed start: status %q, want created", st)
	}
	env.MustBerth(t, "rm", "cu")
	paExpectNoContainers(t, env)
}

func TestErrorsBadEnvFile(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	missing := filepath.Join(env.TmpDir, "no-such-env-file")
	for _, cmd := range []string{"run", "create"} {
		r := env.Berth(cmd, "--env-file", missing, "busybox", "true")
		paExpectError(t, r, 125, missing, "no such file or directory")
	}
	// A directory is not an env file either.
	paExpectError(t, env.Berth("run", "--rm", "--env-file", env.TmpDir, "busybox", "true"), 125, env.TmpDir)
	paExpectNoContainers(t, env)
}

func TestErrorsMissingOrNotExecutable(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		// podman: exec: "nosuchcmd": executable file not found in $PATH
		{[]string{"run", "busybox", "nosuchcmd"}, 127, []string{"nosuchcmd", "not found"}},
		{[]string{"run", "--rm", "busybox", "nosuchcmd"}, 127, []string{"nosuchcmd", "not found"}},
		{[]string{"run", "busybox", "/no/such/path"}, 127, []string{"/no/such/path"}},
		// podman: exec: "/etc": permission denied
		{[]string{"run", "busybox", "/etc"}, 126, []string{"/etc", "permission denied"}},
		{[]string{"run", "--rm", "busybox", "/etc/passwd"}, 126, []string{"/etc/passwd", "permission denied"}},
		// Detached: the error comes before run -d prints an ID.
		{[]string{"run", "-d", "busybox", "nosuchcmd"}, 127, []string{"nosuchcmd"}},
	} {
		r := env.Berth(tc.args...)
		paExpectError(t, r, tc.code, tc.want...)
		if strings.TrimSpace(r.Stdout()) != "" {
			t.Errorf("%v printed on stdout: %q", tc.args, r.Stdout())
		}
	}
	// run rolls back the containers that never started.
	paExpectNoContainers(t, env)

	// start of a created container with a missing command: podman's start
	// exits 125 (126/127 are run's codes), the container stays.
	env.MustBerth(t, "create", "--name", "bad", "busybox", "nosuchcmd")
	paExpectError(t, env.Berth("start", "bad"), 125, "nosuchcmd")
	if names := paPsNames(t, env); !slices.Equal(names, []string{"bad"}) {
		t.Errorf("ps -a: %v, want [bad]", names)
	}
}

func TestErrorsInvalidState(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.Berth("run", "--name", "stopped", "busybox", "sh", "-c", "exit 6")
	env.MustBerth(t, "run", "-d", "--name", "up", "busybox", "sleep", "1000")
	env.MustBerth(t, "create", "--name", "new", "busybox")

	for _, tc := range []struct {
		args  []string
		ctr   string
		state string
	}{
		{[]string{"pause", "stopped"}, "stopped", "exited"},
		{[]string{"pause", "new"}, "new", "created"},
		{[]string{"unpause", "up"}, "up", "running"},
		{[]string{"unpause", "stopped"}, "stopped", "exited"},
		{[]string{"kill", "stopped"}, "stopped", "exited"},
		{[]string{"kill", "-s", "HUP", "new"}, "new", "created"},
	} {
		r := env.Berth(tc.args...)
		// The message names the container and its state, e.g. podman's
		// "can only kill running containers. <ID> is in state exited:
		// container state improper".
		paExpectError(t, r, 125, tc.ctr, tc.state, "container state improper")
	}
	for name, want := range map[string]string{"stopped": "exited 6", "up": "running 0", "new": "created 0"} {
		if got := paInspect(t, env, name, "{{.State.Status}} {{.State.ExitCode}}"); got != want {
			t.Errorf("%s after refused operations: %q, want %q", name, got, want)
		}
	}
	// Pausing twice: the second is refused and the container stays paused.
	env.MustBerth(t, "pause", "up")
	paExpectError(t, env.Berth("pause", "up"), 125, "up", "paused")
	if st := paStatus(env, "up"); st != "paused" {
		t.Errorf("after a second pause: %q, want paused", st)
	}
	env.MustBerth(t, "unpause", "up")

	// kill --all signals only running containers: nothing to do is fine.
	env.MustBerth(t, "stop", "-t", "0", "up")
	if r := env.Berth("kill", "-a"); r.ExitCode() != 0 || strings.TrimSpace(r.Stderr()) != "" {
		t.Errorf("kill -a with no running container (podman: exit 0, no output):\n%s", r)
	}
}

func TestErrorsUnknownFlag(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	for _, args := range [][]string{
		{"run", "--nosuchflag", "busybox", "true"},
		{"ps", "--nosuchflag"},
		{"stop", "--nosuchflag", "x"},
		{"--nosuchflag", "ps"},
	} {
		r := env.Berth(args...)
		// podman prints "Error: unknown flag: --nosuchflag" and a hint
		// line "See 'podman run --help'".
		if r.ExitCode() != 125 {
			t.Errorf("exit code %d, want 125:\n%s", r.ExitCode(), r)
		}
		if first, _, _ := strings.Cut(r.Stderr(), "\n"); first != "Error: unknown flag: --nosuchflag" {
			t.Errorf("first stderr line %q, want %q:\n%s", first, "Error: unknown flag: --nosuchflag", r)
		}
		if strings.Count(r.Stderr(), "Error: ") != 1 || r.Stdout() != "" {
			t.Errorf("want exactly one error line and no stdout:\n%s", r)
		}
	}
	paExpectNoContainers(t, env)
	// A missing image argument.
	paExpectError(t, env.Berth("run"), 125, "requires at least 1 arg")
}

func TestErrorsNoSuchContainer(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "exists", "busybox")
	const want = `no container with name or ID "nosuch" found`
	for _, args := range [][]string{
		{"stop", "nosuch"},
		{"start", "nosuch"},
		{"kill", "nosuch"},
		{"pause", "nosuch"},
		{"unpause", "nosuch"},
		{"restart", "nosuch"},
		{"wait", "nosuch"},
		{"init", "nosuch"},
		{"rename", "nosuch", "other"},
	} {
		paExpectError(t, env.Berth(args...), 125, want)
	}
	// podman-rm(1): exit 1 when a container does not exist.
	paExpectError(t, env.Berth("rm", "nosuch"), 1, want)
	paExpectError(t, env.Berth("rm", "nosuch", "exists"), 1, want)
	// rm -f ignores missing containers (podman and docker: exit 0, silent).
	if r := env.Berth("rm", "-f", "nosuch"); r.ExitCode() != 0 || r.Stdout() != "" || r.Stderr() != "" {
		t.Errorf("rm -f nosuch: want exit 0 and no output:\n%s", r)
	}
	env.Berth("rm", "exists") // podman refuses the whole batch, docker removes it
	paExpectNoContainers(t, env)
	// Several missing ones: one error line each, the last one is the
	// "Error: " of the exit.
	r := env.Berth("stop", "nosuch1", "nosuch2")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `"nosuch1"`) || !strings.Contains(r.Stderr(), `"nosuch2"`) {
		t.Errorf("stop nosuch1 nosuch2:\n%s", r)
	}
}
