package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPodInitContainers: pod start runs the init containers (in creation
// order, each to completion) before the other members; a once container
// is removed after its run, an always one runs at every pod start; an
// init container cannot join a running pod.
func TestPodInitContainers(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "--init-ctr", "always", "busybox", "true"}, "must specify pod value with init-ctr"},
		{[]string{"create", "--init-ctr", "sometimes", "--pod", "nosuch", "busybox", "true"}, "init-ctr value must be 'always' or 'once'"},
	} {
		if r := env.Berth(tc.args...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("%v: %s\nwant exit 125 and %q", tc.args, r, tc.want)
		}
	}
	// exit-policy stop: an init container's exit must not stop the pod.
	env.MustBerth(t, "pod", "create", "--network", "none", "--exit-policy", "stop", "--name", "ip")
	once := env.MustBerth(t, "create", "--init-ctr", "once", "--pod", "ip", "--name", "ip-once", "-v", "ipvol:/d", "busybox", "sh", "-c", "echo once >> /d/log")
	env.MustBerth(t, "create", "--init-ctr", "always", "--pod", "ip", "--name", "ip-always", "-v", "ipvol:/d", "busybox", "sh", "-c", "echo always >> /d/log")
	env.MustBerth(t, "create", "--pod", "ip", "--name", "ip-main", "-v", "ipvol:/d", "busybox", "sh", "-c", "cat /d/log; exec sleep 1000")
	env.MustBerth(t, "pod", "start", "ip")
	WaitFor(t, 10*time.Second, func() bool { return env.Berth("logs", "ip-main").Stdout() != "" })
	if got := env.MustBerth(t, "logs", "ip-main"); got != "once\nalways" {
		t.Errorf("the main container saw %q, want the init containers' lines in order", got)
	}
	if env.Berth("container", "exists", once).ExitCode() != 1 {
		t.Error("the once init container was kept after its run")
	}
	if got := env.MustBerth(t, "ps", "-a", "--filter", "name=ip-always", "--format", "{{.Status}}"); !strings.HasPrefix(got, "Exited (0)") {
		t.Errorf("the always init container is %q", got)
	}
	if got := env.MustBerth(t, "pod", "inspect", "--format", "{{.State}}", "ip"); got != "Running" {
		t.Errorf("pod state %q: an exited init container does not degrade the pod", got)
	}
	r := env.Berth("create", "--init-ctr", "always", "--pod", "ip", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "cannot add init-ctr to a running pod") {
		t.Errorf("init container into a running pod: %s", r)
	}
	// A second start runs the always container again, not the once one.
	env.MustBerth(t, "pod", "stop", "-t", "0", "ip")
	env.MustBerth(t, "pod", "start", "ip")
	if got := env.MustBerth(t, "exec", "ip-main", "cat", "/d/log"); got != "once\nalways\nalways" {
		t.Errorf("after a restart of the pod /d/log is %q", got)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "ip")
}

// TestPodInitContainerFails: a failing init container fails pod start
// with its exit code named; the other members are not started.
func TestPodInitContainerFails(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--network", "none", "--name", "bad")
	env.MustBerth(t, "create", "--init-ctr", "once", "--pod", "bad", "--name", "bad-init", "busybox", "sh", "-c", "exit 3")
	env.MustBerth(t, "create", "--pod", "bad", "--name", "bad-main", "busybox", "sleep", "1000")
	r := env.Berth("pod", "start", "bad")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "exited with code 3") || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
		t.Errorf("pod start with a failing init container: %s", r)
	}
	if got := env.MustBerth(t, "ps", "-a", "--filter", "name=bad-main", "--format", "{{.Status}}"); got != "Created" {
		t.Errorf("the member is %q after its init container failed", got)
	}
	if env.Berth("container", "exists", "bad-init").ExitCode() != 0 {
		t.Error("the failed once init container was removed (kept to read its logs, as podman)")
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "bad")

	// Through the libpod API (berth --url): the type travels as podman's
	// init_container_type.
	uri := apiService(t, env)
	env.MustBerth(t, "pod", "create", "--network", "none", "--name", "rem")
	env.MustBerth(t, "--url", uri, "create", "--init-ctr", "once", "--pod", "rem", "--name", "rem-init", "busybox", "true")
	env.MustBerth(t, "pod", "start", "rem")
	if env.Berth("container", "exists", "rem-init").ExitCode() != 1 {
		t.Error("a once init container created remotely is left after pod start")
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "rem")
}

// TestKubePlayInitStartFalse: play --start=false creates the init
// containers; a later pod start runs them first. The init type comes
// from podman's annotation (once by default); generate writes an always
// init container back under initContainers.
func TestKubePlayInitStartFalse(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	file := writeKube(t, env, "init.yaml", `
apiVersion: v1
kind: Pod
metadata: {name: ionce}
spec:
  restartPolicy: Never
  initContainers:
  - {name: prep, image: busybox, command: [sh, -c, "echo prepared > /w/mark"], volumeMounts: [{name: w, mountPath: /w}]}
  containers:
  - {name: app, image: busybox, command: [sh, -c, "cat /w/mark; exec sleep 1000"], volumeMounts: [{name: w, mountPath: /w}]}
  volumes: [{name: w, emptyDir: {}}]
---
apiVersion: v1
kind: Pod
metadata:
  name: ialways
  annotations: {io.podman.annotations.init.container.type: always}
spec:
  restartPolicy: Never
  initContainers:
  - {name: prep, image: busybox, command: [sh, -c, "echo again >> /w/mark"], volumeMounts: [{name: w, mountPath: /w}]}
  containers:
  - {name: app, image: busybox, command: [sh, -c, "cat /w/mark; exec sleep 1000"], volumeMounts: [{name: w, mountPath: /w}]}
  volumes: [{name: w, emptyDir: {}}]
`)
	out := env.MustBerth(t, "kube", "play", "--network", "none", "--start=false", file)
	if strings.Count(out, "Init container:\n") != 2 {
		t.Errorf("play printed:\n%s", out)
	}
	for _, c := range []string{"ionce-prep", "ionce-app", "ialways-prep"} {
		if got := env.MustBerth(t, "ps", "-a", "--filter", "name=^"+c+"$", "--format", "{{.Status}}"); got != "Created" {
			t.Errorf("--start=false: %s is %q", c, got)
		}
	}
	env.MustBerth(t, "pod", "start", "ionce", "ialways")
	WaitFor(t, 10*time.Second, func() bool {
		return env.Berth("logs", "ionce-app").Stdout() != "" && env.Berth("logs", "ialways-app").Stdout() != ""
	})
	if got := env.MustBerth(t, "logs", "ionce-app"); got != "prepared" {
		t.Errorf("ionce-app saw %q", got)
	}
	if got := env.MustBerth(t, "logs", "ialways-app"); got != "again" {
		t.Errorf("ialways-app saw %q", got)
	}
	if env.Berth("container", "exists", "ionce-prep").ExitCode() != 1 {
		t.Error("the once init container is left after pod start")
	}
	if env.Berth("container", "exists", "ialways-prep").ExitCode() != 0 {
		t.Error("the always init container was removed")
	}
	y := env.MustBerth(t, "kube", "generate", "ialways")
	if !strings.Contains(y, "initContainers:\n  - command:") || !strings.Contains(y, "io.podman.annotations.init.container.type: always") {
		t.Errorf("generate of a pod with an always init container:\n%s", y)
	}
	env.MustBerth(t, "kube", "down", file)
}

// TestPodInfraConmonPidFileAnyStart: the infra container's conmon PID
// file is written however the pod comes up, here by starting a member.
func TestPodInfraConmonPidFileAnyStart(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	pidFile := filepath.Join(env.TmpDir, "infra.pid")
	env.MustBerth(t, "pod", "create", "--network", "none", "--name", "pf", "--infra-conmon-pidfile", pidFile)
	env.MustBerth(t, "run", "-d", "--pod", "pf", "--name", "pf-main", "busybox", "sleep", "1000")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("run --pod did not write the infra conmon PID file: %v", err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatalf("pid file holds %q", b)
	}
	if comm, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm"); err != nil || strings.TrimSpace(string(comm)) != "conmon" {
		t.Errorf("pid %d is %q (%v), want conmon", pid, comm, err)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "pf")
}
