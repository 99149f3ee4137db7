package rootless

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestStopPause(t *testing.T) {
	run := t.TempDir()
	// Nothing recorded: nothing to do.
	if err := stopPause(run); err != nil {
		t.Fatalf("no berth/ directory: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(run, "berth"), 0o700); err != nil {
		t.Fatal(err)
	}
	// A process whose comm is berth-pause (a copy of sleep by that name).
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep")
	}
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(t.TempDir(), pauseName)
	if err := os.WriteFile(fake, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(fake, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	if err := os.WriteFile(pauseFile(run), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && livePause(run) == 0; i++ {
		time.Sleep(10 * time.Millisecond) // until the exec names it
	}
	if livePause(run) == 0 {
		t.Fatal("the fake pause process is not seen as one")
	}
	if err := stopPause(run); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the pause process still runs")
	}
	if _, err := os.Stat(pauseFile(run)); !os.IsNotExist(err) {
		t.Errorf("PID file left: %v", err)
	}
	// A PID file naming some other process: that process is left alone.
	other := exec.Command(sleep, "60")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	if err := os.WriteFile(pauseFile(run), []byte(strconv.Itoa(other.Process.Pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := stopPause(run); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(other.Process.Pid, 0); err != nil {
		t.Error("stopPause killed a process that is not berth's pause process")
	}
}
