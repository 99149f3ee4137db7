package e2e

import (
	"os"
	"path/filepath"
	"strings"
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
