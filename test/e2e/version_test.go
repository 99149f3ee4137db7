package e2e

import (
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
