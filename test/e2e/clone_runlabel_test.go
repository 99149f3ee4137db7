package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestContainerClone(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "orig", "-e", "K=v", "-l", "app=x", "--network", "none", "busybox", "sh", "-c", "echo $K")
	id := env.MustBerth(t, "container", "clone", "orig")
	if got := paInspect(t, env, "orig-clone", "{{.ID}} {{.Config.Labels.app}}"); got != id+" x" {
		t.Errorf("clone: inspect = %q, want %q", got, id+" x")
	}
	if got := env.MustBerth(t, "start", "-a", "orig-clone"); got != "v" {
		t.Errorf("clone ran %q, want v", got)
	}
	// A second copy is numbered; NAME positional and --run.
	env.MustBerth(t, "container", "clone", "orig")
	if st := paStatus(env, "orig-clone1"); st != "created" {
		t.Errorf("orig-clone1 is %q", st)
	}
	env.MustBerth(t, "container", "clone", "--run", "orig", "named")
	WaitFor(t, DefaultTimeout, func() bool { return paStatus(env, "named") == "exited" })
	if got := env.MustBerth(t, "logs", "named"); got != "v" {
		t.Errorf("named logs %q", got)
	}
	// --destroy of a running original needs -f; refused, nothing made.
	env.MustBerth(t, "run", "-d", "--name", "busy", "--network", "none", "busybox", "sleep", "1000")
	paExpectError(t, env.Berth("container", "clone", "--destroy", "busy"), 125, "cannot remove container", "running or paused containers cannot be removed without force")
	if r := env.Berth("container", "exists", "busy-clone"); r.ExitCode() != 1 {
		t.Errorf("a refused clone exists: %s", r)
	}
	env.MustBerth(t, "container", "clone", "--destroy", "-f", "busy", "busy2")
	if r := env.Berth("container", "exists", "busy"); r.ExitCode() != 1 {
		t.Errorf("--destroy -f kept the original: %s", r)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"container", "clone", "nosuch"}, "nosuch"},
		{[]string{"container", "clone", "-f", "orig"}, "cannot set --force without --destroy"},
		{[]string{"container", "clone", "orig", "orig"}, `"orig" is already in use`},
		{[]string{"container", "clone", "--name", "a", "orig", "b"}, "cannot specify a container name both as an argument and with --name"},
	} {
		paExpectError(t, env.Berth(tc.args...), 125, tc.want)
	}
	if got := strings.Join(paPsNames(t, env), " "); strings.Count(got, " ")+1 != 5 {
		t.Errorf("containers after the failures: %s", got)
	}
}

func TestContainerRunlabel(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.MustBerth(t, "import", "--change", "CMD=/bin/sh",
		"--change", `LABEL RUN="podman run --name NAME --network none IMAGE echo ran NAME"`,
		"--change", `LABEL install="/bin/sh -c 'echo installing $IMAGE into $PWD'"`,
		BusyboxTar(), "labelled")
	if got := env.MustBerth(t, "container", "runlabel", "--display", "RUN", "labelled"); got != "command: "+berthBinary+" run --name labelled --network none localhost/labelled:latest echo ran labelled" {
		t.Errorf("--display = %q", got)
	}
	if got := env.MustBerth(t, "container", "runlabel", "run", "labelled", "extra"); got != "ran labelled extra" {
		t.Errorf("runlabel run = %q", got)
	}
	if got := paStatus(env, "labelled"); got != "exited" {
		t.Errorf("the label's container is %q", got)
	}
	// The name is taken now: --replace removes the old container first.
	// (The nested run's error, then podman's "exit status 125".)
	if r := env.Berth("container", "runlabel", "RUN", "labelled"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "already in use") ||
		!strings.HasSuffix(r.Stderr(), "Error: exit status 125\n") {
		t.Errorf("runlabel onto a taken name: %s", r)
	}
	if got := env.MustBerth(t, "container", "runlabel", "--replace", "-n", "other", "RUN", "labelled"); got != "ran other" {
		t.Errorf("runlabel --replace -n other = %q", got)
	}
	wd, _ := os.Getwd()
	if got := env.MustBerth(t, "container", "runlabel", "INSTALL", "labelled"); got != "installing localhost/labelled:latest into "+filepath.Clean(wd) {
		t.Errorf("runlabel INSTALL = %q", got)
	}
	if got := env.MustBerth(t, "container", "runlabel", "-q", "INSTALL", "labelled"); got != "" {
		t.Errorf("runlabel -q printed %q", got)
	}
	paExpectError(t, env.Berth("container", "runlabel", "NOPE", "labelled"), 125, "cannot find the value of label: NOPE in image: labelled")
	paExpectError(t, env.Berth("container", "runlabel", "RUN", "nosuchimage"), 125, "nosuchimage")
	paExpectError(t, env.Berth("container", "runlabel", "RUN"), 125, "requires at least 2 arg(s), only received 1")
}
