package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	out := env.MustBerth(t, "version")
	if !strings.Contains(strings.ToLower(out), "version") {
		t.Errorf("berth version printed %q, want a line with the version", out)
	}
}

// TestNoTraceHookInShippedBinary: the shipped binary runs as root, so the
// environment must not make it create a file at a path of its choosing
// (BERTH_TRACE is only read by a build with the tag berth_trace).
func TestNoTraceHookInShippedBinary(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	target := filepath.Join(t.TempDir(), "trace.out")
	env.Environ = append(env.Environ, "BERTH_TRACE="+target)
	env.MustBerth(t, "version")
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("BERTH_TRACE made berth create %s (lstat: %v)", target, err)
	}
}
