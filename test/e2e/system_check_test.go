package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSystemCheck: a clean store has no problems; a damaged image layer is
// found (exit 125, naming the layer and the image); --repair keeps an image
// a container uses, --repair --force removes the image and that container
// (berth's record too), after which the store checks clean.
func TestSystemCheck(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	imgID := env.MustBerth(t, "images", "-q", "--no-trunc")
	imgID = strings.TrimPrefix(strings.TrimSpace(imgID), "sha256:")
	if out := env.MustBerth(t, "system", "check"); out != "No problems found" {
		t.Fatalf("system check of a clean store: %q", out)
	}
	env.MustBerth(t, "create", "--name", "victim", "busybox", "true")

	files, _ := filepath.Glob(filepath.Join(env.Root, "overlay", "*", "diff", "bin", "busybox"))
	if len(files) != 1 {
		t.Skipf("expected one overlay layer holding bin/busybox, found %v (storage driver?)", files)
	}
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}

	r := env.Berth("system", "check")
	if r.ExitCode() != 125 || !strings.Contains(r.Stdout(), "Damaged layers:") || !strings.Contains(r.Stdout(), imgID) ||
		!strings.Contains(r.Stderr(), "damage found in local storage") {
		t.Fatalf("system check of a damaged layer:\n%s", r)
	}
	if r := env.Berth("system", "check", "--max", "soon"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `invalid --max "soon"`) {
		t.Errorf("system check --max soon:\n%s", r)
	}

	env.MustBerth(t, "system", "check", "--repair")
	if out := env.MustBerth(t, "images", "-q"); out == "" {
		t.Errorf("--repair without --force removed the image the container uses")
	}
	if got := paPsNames(t, env); len(got) != 1 {
		t.Errorf("--repair without --force: containers %v, want victim", got)
	}

	out := env.MustBerth(t, "system", "check", "--repair", "--force")
	if !strings.Contains(out, "Deleted images:") || !strings.Contains(out, imgID) {
		t.Errorf("system check --repair --force:\n%s", out)
	}
	if got := paPsNames(t, env); len(got) != 0 {
		t.Errorf("after --repair --force: containers %v, want none", got)
	}
	if out := env.MustBerth(t, "images", "-q"); out != "" {
		t.Errorf("after --repair --force: images %q", out)
	}
	if out := env.MustBerth(t, "system", "check"); out != "No problems found" {
		t.Errorf("system check after the repair: %q", out)
	}
}

// TestSystemCheckStaleDirs: bundle and static directories of a container
// berth has no record of (a crash mid-removal) are reported (exit 125);
// --repair removes them, but never one with a mount below it; a live
// container's directories are left alone.
func TestSystemCheckStaleDirs(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "--name", "live", "busybox", "true")
	ghost := strings.Repeat("cd", 32)
	bundle := filepath.Join(env.RunRoot, "berth", "containers", ghost)
	static := filepath.Join(env.Root, "berth", "containers", ghost)
	for _, d := range []string{bundle, static} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "config.json"), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := env.Berth("system", "check")
	if r.ExitCode() != 125 || !strings.Contains(r.Stdout(), "Stale container directories:") || !strings.Contains(r.Stdout(), ghost) ||
		!strings.Contains(r.Stdout(), bundle) || !strings.Contains(r.Stdout(), static) {
		t.Fatalf("system check with stale directories:\n%s", r)
	}
	// A stale directory with a mount below it is never emptied.
	mounted := filepath.Join(env.Root, "berth", "containers", strings.Repeat("ef", 32), "shm")
	if err := os.MkdirAll(mounted, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", mounted, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mounted, syscall.MNT_DETACH) })
	keep := filepath.Join(mounted, "keep")
	if err := os.WriteFile(keep, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r = env.Berth("system", "check", "--repair")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "still has mounts") || !strings.Contains(r.Stdout(), ghost) {
		t.Errorf("system check --repair with a mounted stale directory:\n%s", r)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file on the mount under a stale directory: %v", err)
	}
	if err := syscall.Unmount(mounted, 0); err != nil {
		t.Fatal(err)
	}
	out := env.MustBerth(t, "system", "check", "--repair")
	if !strings.Contains(out, "Deleted stale container directories:") || !strings.Contains(out, strings.Repeat("ef", 32)) {
		t.Errorf("system check --repair:\n%s", out)
	}
	for _, d := range []string{bundle, static} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s still there after --repair: %v", d, err)
		}
	}
	if out := env.MustBerth(t, "system", "check"); out != "No problems found" {
		t.Errorf("system check after the repair: %q", out)
	}
	if out := env.MustBerth(t, "start", "--attach", "live"); out != "" {
		t.Errorf("the live container after the repair: %q", out)
	}
}
