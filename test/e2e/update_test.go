package e2e

import (
	"strings"
	"testing"
)

// update changes the limits of a running container live (its cgroup sees
// them) and for later starts, and its restart policy; bad values change
// nothing. The same verb through the API with the docker CLI, which also
// gets a 400 for a limit berth cannot change.
func TestUpdate(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "upd", "busybox", "sleep", "1000")
	id := env.MustBerth(t, "inspect", "--format", "{{.Id}}", "upd")

	if out := env.MustBerth(t, "update", "--memory", "64m", "--pids-limit", "100", "--restart", "always", "upd"); out != id {
		t.Errorf("update printed %q, want the ID", out)
	}
	cgroup := func(file string) string {
		return strings.TrimSpace(env.MustBerth(t, "exec", "upd", "cat", "/sys/fs/cgroup/"+file))
	}
	if got := cgroup("memory/memory.limit_in_bytes"); got != "67108864" {
		t.Errorf("live memory limit = %s", got)
	}
	if got := cgroup("pids/pids.max"); got != "100" {
		t.Errorf("live pids limit = %s", got)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}", "upd"); got != "67108864 100 always" {
		t.Errorf("inspect after update: %q", got)
	}

	// The CFS period and quota, cpuset and soft limit, live.
	env.MustBerth(t, "update", "--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-cpus", "0", "--memory-reservation", "20m", "upd")
	for file, want := range map[string]string{"cpu/cpu.cfs_period_us": "50000", "cpu/cpu.cfs_quota_us": "25000",
		"cpuset/cpuset.cpus": "0", "memory/memory.soft_limit_in_bytes": "20971520"} {
		if got := cgroup(file); got != want {
			t.Errorf("live %s = %s, want %s", file, got, want)
		}
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.CpusetCpus}} {{.HostConfig.MemoryReservation}}", "upd"); got != "50000 25000 0 20971520" {
		t.Errorf("inspect after update: %q", got)
	}

	for _, args := range [][]string{{"--memory", "1k"}, {"--cpus", "999"}, {"--restart", "sometimes"}, {}, {"--cpu-period", "5"},
		{"--cpuset-cpus", "999"}, {"--memory-reservation", "1g"}} {
		r := env.Berth(append(append([]string{"update"}, args...), "upd")...)
		if r.ExitCode() != 125 || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("update %v:\n%s", args, r)
		}
	}
	if r := env.Berth("update", "--memory", "64m", "nosuch"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "no such container") {
		t.Errorf("update of a missing container:\n%s", r)
	}
	if got := cgroup("memory/memory.limit_in_bytes"); got != "67108864" {
		t.Errorf("a refused update changed the live memory limit to %s", got)
	}

	// Stored for the next start; a stopped container takes new limits.
	env.MustBerth(t, "stop", "-t", "0", "upd")
	env.MustBerth(t, "update", "--cpus", "0.5", "upd")
	env.MustBerth(t, "start", "upd")
	if got := cgroup("memory/memory.limit_in_bytes"); got != "67108864" {
		t.Errorf("memory limit after a restart = %s", got)
	}
	if got := cgroup("cpu/cpu.cfs_quota_us"); got != "50000" {
		t.Errorf("cpu quota after a restart = %s", got)
	}

	d := newDockerCLI(t, apiService(t, env))
	d.must("update", "--memory", "96m", "--memory-swap", "200m", "--restart", "on-failure:2", "upd")
	if got := cgroup("memory/memory.limit_in_bytes"); got != "100663296" {
		t.Errorf("live memory limit after docker update = %s", got)
	}
	if got := d.must("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "upd"); got != "100663296 209715200 on-failure:2" {
		t.Errorf("docker inspect after docker update: %q", got)
	}
	d.must("update", "--cpuset-cpus", "0", "--cpu-quota", "30000", "upd")
	if got := cgroup("cpu/cpu.cfs_quota_us") + " " + cgroup("cpuset/cpuset.cpus"); got != "30000 0" {
		t.Errorf("live cpu quota and cpuset after docker update = %s", got)
	}
	if _, e, code := d.run("update", "--cpu-rt-period", "1000", "upd"); code == 0 || !strings.Contains(e, "CpuRealtime* cannot be updated") {
		t.Errorf("docker update --cpu-rt-period: %d %s", code, e)
	}
	d.must("run", "-d", "--rm", "--name", "auto", "busybox", "sleep", "1000")
	if _, e, code := d.run("update", "--restart", "always", "auto"); code == 0 || !strings.Contains(e, "AutoRemove") {
		t.Errorf("docker update --restart of a --rm container: %d %s", code, e)
	}
	d.must("rm", "-f", "auto", "upd")
}
