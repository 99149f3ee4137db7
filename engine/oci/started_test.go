package oci

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStartedFollowsExecFifo(t *testing.T) {
	dir := t.TempDir()
	r := &Runtime{cfg: Config{StateRoot: dir}}
	if r.Started("c1") {
		t.Error("Started() = true for a container the runtime does not know")
	}
	if err := os.MkdirAll(filepath.Join(dir, "c1"), 0o700); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "c1", "exec.fifo")
	if err := os.WriteFile(fifo, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if r.Started("c1") {
		t.Error("Started() = true while the exec fifo waits (created)")
	}
	if err := os.Remove(fifo); err != nil {
		t.Fatal(err)
	}
	if !r.Started("c1") {
		t.Error("Started() = false after start consumed the exec fifo")
	}
}
