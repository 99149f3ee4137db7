package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCheckpointRestore checks podman's checkpoint/restore flags and that a
// host whose CRIU fails `criu check` (Debian 12's CRIU 3.17 on kernels from
// 6.13 on) gets that reason, exit 125 and a container left running as it was.
func TestCheckpointRestore(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "cnt", "busybox", "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i; sleep 0.2; done")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"container", "checkpoint", "--ignore-rootfs", "cnt"}, "--ignore-rootfs can only be used with --export"},
		{[]string{"container", "checkpoint", "--with-previous", "-P", "cnt"}, "--with-previous can not be used with --pre-checkpoint"},
		{[]string{"container", "checkpoint", "-c", "lz4", "-e", "/tmp/x.tar", "cnt"}, `selected compression algorithm ("lz4") not supported`},
		{[]string{"container", "checkpoint", "-e", "/tmp/x.tar", "-a"}, "--export can only be used with a single container"},
		{[]string{"container", "restore", "--name", "n2", "cnt"}, "--name can only be used with --import"},
		{[]string{"container", "restore", "--ignore-rootfs", "cnt"}, "--ignore-rootfs can only be used with --import"},
		{[]string{"container", "checkpoint"}, "you must provide at least one name or id"},
		{[]string{"container", "checkpoint", "nosuch"}, "no such container"},
	} {
		r := env.Berth(tc.args...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("%v: want 125 and %q\n%s", tc.args, tc.want, r)
		}
	}
	r := env.Berth("container", "checkpoint", "cnt")
	if r.ExitCode() != 125 {
		t.Fatalf("checkpoint on this host: want a refusal (CRIU check or not implemented), got\n%s", r)
	}
	if exec.Command("criu", "check").Run() != nil || !criuCheckClean() {
		if !strings.Contains(r.Stderr(), "criu check") {
			t.Errorf("checkpoint refusal does not name `criu check`:\n%s", r)
		}
	} else if !strings.Contains(r.Stderr(), "not implemented") {
		t.Errorf("checkpoint with a working CRIU:\n%s", r)
	}
	if s := env.MustBerth(t, "inspect", "--format", "{{.State.Status}} {{.State.Checkpointed}} {{.State.Restored}}", "cnt"); s != "running false false" {
		t.Errorf("refused checkpoint left the container %s", s)
	}
	if r := env.Berth("container", "restore", "cnt"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "running") {
		t.Errorf("restore of a running container:\n%s", r)
	}
	env.MustBerth(t, "stop", "-t", "0", "cnt")
	if r := env.Berth("container", "restore", "cnt"); r.ExitCode() != 125 {
		t.Errorf("restore on this host: want a refusal\n%s", r)
	}
	if r := env.Berth("container", "restore", "-i", "/tmp/nosuch.tar.gz", "--name", "n2"); r.ExitCode() != 125 {
		t.Errorf("restore --import on this host: want a refusal\n%s", r)
	}
	if r := env.Berth("container", "exists", "n2"); r.ExitCode() != 1 {
		t.Errorf("refused import created a container\n%s", r)
	}
}

// criuCheckClean reports whether `criu check` prints no error.
func criuCheckClean() bool {
	out, _ := exec.Command("criu", "check").CombinedOutput()
	return !strings.Contains(string(out), "Error")
}
