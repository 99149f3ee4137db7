package e2e

import (
	"fmt"
	"runtime"
	"testing"
)

// --cpus follows docker's range, 0.01 to the host's CPUs, whatever the
// value; 1e15 once overflowed the quota and was reported as too small.
func TestCPUsRange(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	n := runtime.NumCPU()
	want := fmt.Sprintf("range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", n, n)
	for _, v := range []string{"1e15", fmt.Sprint(n + 1), "-1", "0.001"} {
		paExpectError(t, env.Berth("run", "--rm", "--cpus", v, "busybox", "true"), 125, "--cpus", want)
	}
	for _, v := range []string{"NaN", "Inf"} {
		paExpectError(t, env.Berth("create", "--cpus", v, "busybox"), 125, "--cpus", "must be a number")
	}
	paExpectNoContainers(t, env)
	// 0 is docker's and podman's "no limit"; the host's count is allowed.
	env.MustBerth(t, "run", "--rm", "--cpus", "0", "busybox", "true")
	env.MustBerth(t, "run", "--rm", "--cpus", fmt.Sprint(n), "busybox", "true")
}
