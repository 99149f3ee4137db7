package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

// The journald driver needs a running journal; its detection is faked
// here (this host has none), the refusal is what a host without it gets.
func TestWithLogDriverJournald(t *testing.T) {
	old := journalSocket
	t.Cleanup(func() { journalSocket = old })
	journalSocket = filepath.Join(t.TempDir(), "socket")

	var cfg define.ContainerConfig
	err := WithLogDriver("journald", "")(&cfg)
	if !errors.Is(err, define.ErrInvalidArg) || !strings.Contains(err.Error(), "systemd journal is not running") {
		t.Fatalf("journald without a journal: %v", err)
	}
	if err := os.WriteFile(journalSocket, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WithLogDriver("journald", "")(&cfg); err != nil || cfg.LogDriver != "journald" {
		t.Fatalf("journald with a journal: %v, driver %q", err, cfg.LogDriver)
	}
}

func TestJournalEntryLogLine(t *testing.T) {
	e := journalEntry{Message: "boom", Priority: "3", Realtime: "1700000000123456"}
	l, err := ParseLogLine(e.logLine())
	if err != nil || l.Stream != "stderr" || l.Partial || string(l.Content) != "boom" || l.Time.UnixMicro() != 1700000000123456 {
		t.Errorf("stderr entry = %+v, %v", l, err)
	}
	e = journalEntry{Message: "part", Priority: "6", Realtime: "1", Partial: "true"}
	if l, err := ParseLogLine(e.logLine()); err != nil || l.Stream != "stdout" || !l.Partial {
		t.Errorf("partial stdout entry = %+v, %v", l, err)
	}
}
