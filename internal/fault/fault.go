// Package fault is the fault-injection hook of the e2e suite
// (test/e2e/fault_test.go): BERTH_FAULT=STEP makes the berth process that
// reaches STEP kill itself with SIGKILL there, as a crash or `kill -9`
// would; BERTH_FAULT=STEP:conmon or STEP:init kills the container's conmon
// or init process at that point instead and goes on. Unset (always, outside
// tests) it costs one getenv at start-up and a string comparison per step.
package fault

import (
	"os"
	"strings"
	"syscall"
)

// step and target are BERTH_FAULT split at the colon.
var step, target, _ = strings.Cut(os.Getenv("BERTH_FAULT"), ":")

// Enabled reports whether a fault is injected at all.
func Enabled() bool { return step != "" }

// At is a step where a process may be killed: this process, or (with a
// target) the container's conmon or init, whose PIDs are given (0: not
// known at this step, nothing is killed).
func At(name string, conmonPID, initPID int) {
	if step == "" || name != step {
		return
	}
	switch target {
	case "":
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is delivered before anything else runs
	case "conmon":
		killPID(conmonPID)
	case "init":
		killPID(initPID)
	}
}

func killPID(pid int) {
	if pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}
