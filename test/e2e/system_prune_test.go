package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSystemPrune removes a stopped container, an unused network and,
// with --build, the working container a killed build left in storage.
func TestSystemPrune(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.250.7.0/24", "p6prune")
	id := env.MustBerth(t, "create", "--network", "none", "busybox", "true")
	keep := env.MustBerth(t, "run", "-d", "--network", "none", "busybox", "sleep", "1000")

	// A build killed while its RUN sleeps leaves its working container.
	ctxDir := filepath.Join(env.TmpDir, "ctx")
	_ = os.MkdirAll(ctxDir, 0o755)
	_ = os.WriteFile(filepath.Join(ctxDir, "f"), []byte("x"), 0o644)
	_ = os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte("FROM busybox\nCOPY f /f\nRUN sleep 60\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := env.Command(ctx, "build", "-t", "killed", ctxDir)
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, time.Minute, func() bool {
		return strings.Contains(env.MustBerth(t, "ps", "-a", "--external", "--format", "{{.Names}}"), "berth-build-")
	})
	_ = syscall.Kill(-b.Process.Pid, syscall.SIGKILL)
	_ = b.Wait()
	// The killed RUN step's container may still be recorded: wait until
	// only storage rows remain of the build.
	wantRefused(t, env.Berth("system", "prune", "--external", "-a"), "--external cannot be combined")

	out := env.MustBerth(t, "system", "prune", "-f", "--build")
	for _, want := range []string{"Deleted Containers", id, "Deleted Networks", "p6prune"} {
		if !strings.Contains(out, want) {
			t.Errorf("system prune --build output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, keep) {
		t.Errorf("system prune removed a running container:\n%s", out)
	}
	if got := env.MustBerth(t, "ps", "-a", "--external", "--format", "{{.Names}}"); strings.Contains(got, "berth-build-") {
		t.Errorf("build container left after prune --build: %q", got)
	}
	env.MustBerth(t, "container", "exists", keep)
	// Nothing external is left: --external removes nothing more.
	if got := env.MustBerth(t, "system", "prune", "-f", "--external"); got != "" {
		t.Errorf("second prune --external removed %q", got)
	}
	env.MustBerth(t, "container", "exists", keep)
}
