package service

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

func TestExecConfigEnv(t *testing.T) {
	f := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(f, []byte("# c\nA=file\nB=file\nFROMHOST\nUNSET_IN_HOST\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FROMHOST", "h")
	t.Setenv("FLAGHOST", "fh")
	cfg, err := execConfig(ExecOptions{
		Command:  []string{"env"},
		EnvFiles: []string{f},
		Env:      []string{"B=flag", "FLAGHOST", "C="},
		User:     "1000", WorkDir: "/tmp", Terminal: true, Interactive: true, Privileged: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Files first, then -e, in order; the engine lets later keys win.
	want := []string{"A=file", "B=file", "FROMHOST=h", "B=flag", "FLAGHOST=fh", "C="}
	if !slices.Equal(cfg.Env, want) {
		t.Errorf("env = %q, want %q", cfg.Env, want)
	}
	if cfg.User != "1000" || cfg.WorkDir != "/tmp" || !cfg.Terminal || !cfg.Stdin || !cfg.Privileged {
		t.Errorf("config = %+v", cfg)
	}
	for _, bad := range []ExecOptions{
		{},
		{Command: []string{"true"}, Env: []string{"=x"}},
		{Command: []string{"true"}, Env: []string{"A B=x"}},
		{Command: []string{"true"}, EnvFiles: []string{filepath.Join(t.TempDir(), "missing")}},
	} {
		if _, err := execConfig(bad); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("execConfig(%+v) = %v, want an invalid-argument error", bad, err)
		}
	}
}
