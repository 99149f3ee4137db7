package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSystemPrune: system prune removes stopped containers, unused
// networks and (with --volumes) unused volumes, keeping what the filters
// exclude and what is in use; prints podman's sections and total; asks
// first without -f.
func TestSystemPrune(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	stopped := env.MustBerth(t, "create", "--network", "none", "busybox", "true")
	env.MustBerth(t, "create", "--name", "kept", "-l", "keep=1", "--network", "none", "busybox", "true")
	env.MustBerth(t, "run", "-d", "--name", "up", "--network", "none", "-v", "used:/u", "busybox", "sleep", "300")
	env.MustBerth(t, "volume", "create", "spare")
	env.MustBerth(t, "network", "create", "--subnet", "10.246.9.0/24", "spare-net")

	// No: nothing goes.
	r := env.BerthStdin(strings.NewReader("n\n"), "system", "prune")
	if r.ExitCode() != 0 || !strings.Contains(r.Stdout(), "WARNING! This command removes:") || strings.Contains(r.Stdout(), "Deleted") {
		t.Fatalf("system prune answered no:\n%s", r)
	}
	if n := len(strings.Fields(env.MustBerth(t, "ps", "-aq"))); n != 3 {
		t.Fatalf("%d containers after a refused prune", n)
	}

	out := env.MustBerth(t, "system", "prune", "-f", "--volumes", "--filter", "label!=keep=1")
	want := "Deleted Containers\n" + stopped + "\nDeleted Volumes\nspare\nDeleted Networks\nspare-net\nTotal reclaimed space: "
	if !strings.HasPrefix(out, want) {
		t.Errorf("system prune output:\n%s\nwant prefix:\n%s", out, want)
	}
	names := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}")
	if !strings.Contains(names, "kept") || !strings.Contains(names, "up") || len(strings.Fields(names)) != 2 {
		t.Errorf("containers left: %q", names)
	}
	if vols := env.MustBerth(t, "volume", "ls", "-q"); vols != "used" {
		t.Errorf("volumes left: %q", vols)
	}
	if nets := env.MustBerth(t, "network", "ls", "--format", "{{.Name}}"); strings.Contains(nets, "spare-net") {
		t.Errorf("networks left: %q", nets)
	}
	if r := env.Berth("system", "prune", "-f", "--filter", "bogus=1"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "invalid filter") {
		t.Errorf("bad filter:\n%s", r)
	}

	// An empty pod: container prune leaves its infra container (it goes
	// with the pod), system prune removes the pod first, as podman's.
	env.MustBerth(t, "pod", "create", "--name", "idle")
	leftover := env.MustBerth(t, "create", "--network", "none", "busybox", "true")
	infra := env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraContainerID}}", "idle")
	out = env.MustBerth(t, "container", "prune", "-f")
	if !strings.Contains(out, leftover) || strings.Contains(out, infra) {
		t.Errorf("container prune with an empty pod: %q, want %s and not the infra %s", out, leftover, infra)
	}
	env.MustBerth(t, "create", "--name", "kept", "-l", "keep=1", "--network", "none", "busybox", "true")
	if r := env.Berth("pod", "exists", "idle"); r.ExitCode() != 0 {
		t.Errorf("container prune removed the pod:\n%s", r)
	}
	env.MustBerth(t, "create", "--network", "none", "busybox", "true")
	out = env.MustBerth(t, "system", "prune", "-f")
	if !strings.Contains(out, "Deleted Pods\n") || !strings.Contains(out, "Deleted Containers\n") {
		t.Errorf("system prune with an empty pod:\n%s", out)
	}
	if pods := env.MustBerth(t, "pod", "ps", "-q"); pods != "" {
		t.Errorf("pods left after system prune: %q", pods)
	}

	// -a: the image goes once no container uses it.
	env.MustBerth(t, "rm", "-f", "-t", "0", "kept", "up")
	out = env.MustBerth(t, "system", "prune", "-a", "-f")
	if !strings.Contains(out, "Deleted Images\n") {
		t.Errorf("system prune -a:\n%s", out)
	}
	if imgs := env.MustBerth(t, "images", "-q"); imgs != "" {
		t.Errorf("images left after prune -a: %q", imgs)
	}
}

// TestSystemDFVerbose: system df -v lists each image, container and
// volume under podman's headings.
func TestSystemDFVerbose(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "dfc", "--network", "none", "-v", "dfv:/data", "busybox", "sh", "-c", "echo hi > /data/f")
	out := env.MustBerth(t, "system", "df", "-v")
	for _, want := range []string{"Images space usage:\n\nREPOSITORY", "localhost/busybox", "Containers space usage:\n\nCONTAINER ID",
		"LOCAL VOLUMES", "dfc", "Local Volumes space usage:\n\nVOLUME NAME", "dfv "} {
		if !strings.Contains(out, want) {
			t.Errorf("system df -v lacks %q:\n%s", want, out)
		}
	}
	if r := env.Berth("system", "df", "-v", "--format", "json"); r.ExitCode() != 125 {
		t.Errorf("-v with --format:\n%s", r)
	}
}

// TestSystemPruneBuildExternal removes a stopped container, an unused network and,
// with --build, the working container a killed build left in storage.
func TestSystemPruneBuildExternal(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.250.7.0/24", "p6prune")
	id := env.MustBerth(t, "create", "--network", "none", "busybox", "true")
	keep := env.MustBerth(t, "run", "-d", "--network", "none", "busybox", "sleep", "1000")

	// A build killed (BERTH_FAULT) right after it made a working
	// container for its COPY leaves that container in storage.
	ctxDir := filepath.Join(env.TmpDir, "ctx")
	_ = os.MkdirAll(ctxDir, 0o755)
	_ = os.WriteFile(filepath.Join(ctxDir, "f"), []byte("x"), 0o644)
	_ = os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte("FROM busybox\nCOPY f /f\nRUN true\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := env.Command(ctx, "build", "-t", "killed", ctxDir)
	b.Env = append(b.Env, "BERTH_FAULT=build-working")
	if out, err := b.CombinedOutput(); err == nil {
		t.Fatalf("the build with BERTH_FAULT=build-working succeeded:\n%s", out)
	}
	if got := env.MustBerth(t, "ps", "-a", "--external", "--format", "{{.Names}}"); !strings.Contains(got, "berth-build-") {
		t.Fatalf("no build container in ps --external after a killed build: %q", got)
	}
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
