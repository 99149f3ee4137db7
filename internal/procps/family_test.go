package procps

import (
	"os"
	"os/exec"
	"slices"
	"testing"
)

func TestCommAndParentChildren(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	comm, ppid, err := CommAndParent(cmd.Process.Pid)
	if err != nil || comm != "sleep" || ppid != os.Getpid() {
		t.Fatalf("CommAndParent = %q, %d, %v; want sleep, %d", comm, ppid, err, os.Getpid())
	}
	if kids := Children(os.Getpid()); !slices.Contains(kids, cmd.Process.Pid) {
		t.Errorf("Children(self) = %v, want it to hold sleep %d", kids, cmd.Process.Pid)
	}
	if _, _, err := CommAndParent(-1); err == nil {
		t.Error("CommAndParent(-1) succeeded")
	}
}

// This test's process is in its own PID namespace's list (the host's).
func TestInPIDNamespace(t *testing.T) {
	pids, err := InPIDNamespace(os.Getpid())
	if err != nil || !slices.Contains(pids, os.Getpid()) || !slices.IsSorted(pids) {
		t.Errorf("InPIDNamespace(self): %v %v", len(pids), err)
	}
	if _, err := InPIDNamespace(1 << 30); err == nil {
		t.Error("a PID that does not exist: want an error")
	}
}
