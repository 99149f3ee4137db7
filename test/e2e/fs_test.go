package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMountUmount(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := env.MustBerth(t, "create", "--name", "m", "busybox", "cat", "/from-host")

	mnt := env.MustBerth(t, "mount", "m")
	if !filepath.IsAbs(mnt) || !strings.HasPrefix(mnt, env.Root) {
		t.Fatalf("mount printed %q, want a path under --root %s", mnt, env.Root)
	}
	if _, err := os.Stat(filepath.Join(mnt, "bin", "busybox")); err != nil {
		t.Fatalf("mount point does not show the rootfs: %v", err)
	}
	// Mounting again prints the same path.
	if again := env.MustBerth(t, "mount", "m"); again != mnt {
		t.Errorf("second mount printed %q, want %q", again, mnt)
	}
	// mount without arguments lists mounted containers.
	list := env.MustBerth(t, "mount")
	if f := strings.Fields(list); len(f) != 2 || f[0] != id[:12] || f[1] != mnt {
		t.Errorf("mount (list) = %q, want %q", list, id[:12]+"  "+mnt)
	}

	if err := os.WriteFile(filepath.Join(mnt, "from-host"), []byte("written via mount\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := env.Berth("start", "-a", "m"); r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "written via mount" {
		t.Errorf("container does not see the file written through the mount point:\n%s", r)
	}

	// Unmount (twice mounted: umount -f drops all references).
	r := env.Berth("umount", "-f", "m")
	// podman echoes the name or ID it was given.
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "m" {
		t.Errorf("umount m: want exit 0 printing m\n%s", r)
	}
	if got := env.MustBerth(t, "mount"); got != "" {
		t.Errorf("mount list after umount = %q, want empty", got)
	}
	if _, err := os.Stat(filepath.Join(mnt, "bin", "busybox")); err == nil {
		t.Errorf("%s still shows the rootfs after umount", mnt)
	}
	// The file stays in the container's layer.
	if got := env.MustBerth(t, "start", "-a", "m"); got != "written via mount" {
		t.Errorf("after umount the container prints %q", got)
	}

	if r := env.Berth("mount", "nosuch"); r.ExitCode() != 125 {
		t.Errorf("mount of a missing container: exit %d, want 125", r.ExitCode())
	}
}

func TestMountRunningContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "r", "busybox", "sh", "-c",
		"echo inside > /inside; while [ ! -f /stop ]; do sleep 0.1; done; cat /stop")
	mnt := env.MustBerth(t, "mount", "r")
	WaitFor(t, 20*time.Second, func() bool {
		b, err := os.ReadFile(filepath.Join(mnt, "inside"))
		return err == nil && string(b) == "inside\n"
	})
	if err := os.WriteFile(filepath.Join(mnt, "stop"), []byte("stopped by host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := env.MustBerth(t, "wait", "r"); got != "0" {
		t.Errorf("wait = %q, want 0", got)
	}
	if got := env.MustBerth(t, "logs", "r"); got != "stopped by host" {
		t.Errorf("container output = %q, want the content written through the mount", got)
	}
	env.MustBerth(t, "umount", "r")
}

func TestExport(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "wr", "busybox", "sh", "-c", "echo hello > /data.txt")

	out := filepath.Join(env.TmpDir, "export.tar")
	env.MustBerth(t, "export", "-o", out, "wr")
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	names := pbTarNames(t, f)
	f.Close()
	for _, want := range []string{"bin/busybox", "data.txt", "etc/passwd"} {
		if !slices.Contains(names, want) {
			t.Errorf("export -o: tar lacks %s (%d entries)", want, len(names))
		}
	}
	if got := string(pbTarFile(t, out, "data.txt")); got != "hello\n" {
		t.Errorf("data.txt in the export = %q", got)
	}

	r := env.Berth("export", "wr")
	if r.ExitCode() != 0 {
		t.Fatalf("export to stdout: exit %d: %s", r.ExitCode(), r.Stderr())
	}
	names = pbTarNames(t, strings.NewReader(r.Stdout()))
	if !slices.Contains(names, "data.txt") || !slices.Contains(names, "bin/busybox") {
		t.Errorf("export to stdout lacks data.txt or bin/busybox (%d entries)", len(names))
	}

	// The export imports back as an image with the file.
	env.MustBerth(t, "import", out, "exported")
	if got := env.MustBerth(t, "run", "--rm", "exported", "cat", "/data.txt"); got != "hello" {
		t.Errorf("re-imported export: cat /data.txt = %q", got)
	}

	if r := env.Berth("export", "-o", filepath.Join(env.TmpDir, "x.tar"), "nosuch"); r.ExitCode() != 125 {
		t.Errorf("export of a missing container: exit %d, want 125", r.ExitCode())
	}
}

func TestCommit(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "wr", "busybox", "sh", "-c", "echo hello > /data.txt")

	out := env.MustBerth(t, "commit", "-q",
		"--change", "ENV=COMMITTED=1",
		"--change", `CMD ["cat", "/data.txt"]`,
		"--change", "LABEL=from=commit",
		"--message", "my commit", "--author", "Jane <jane@example.org>",
		"-f", "docker",
		"wr", "committed:v1")
	id := strings.TrimPrefix(out, "sha256:")
	if !pbFullID.MatchString(id) {
		t.Fatalf("commit -q printed %q, want the image ID", out)
	}
	if got := pbImageID(t, env, "committed:v1"); got != id {
		t.Errorf("commit printed %s, image has ID %s", id, got)
	}
	img := pbInspect(t, env, "--type", "image", "committed:v1")[0]
	if img["Author"] != "Jane <jane@example.org>" {
		t.Errorf("Author = %v", img["Author"])
	}
	if img["Comment"] != "my commit" {
		t.Errorf("Comment = %v", img["Comment"])
	}
	if got := pbStrings(pbField(t, img, "Config.Env")); !slices.Contains(got, "COMMITTED=1") {
		t.Errorf("Config.Env = %v, want COMMITTED=1", got)
	}
	if got := pbStrings(pbField(t, img, "Config.Cmd")); !slices.Equal(got, []string{"cat", "/data.txt"}) {
		t.Errorf("Config.Cmd = %v", got)
	}
	if l, _ := pbField(t, img, "Config.Labels").(map[string]any); l["from"] != "commit" {
		t.Errorf("Config.Labels = %v", l)
	}
	if got := img["ManifestType"]; got != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Errorf("commit -f docker: ManifestType = %v, want the docker v2s2 type", got)
	}
	layers := pbStrings(pbField(t, img, "RootFS.Layers"))
	if len(layers) != 2 {
		t.Errorf("RootFS.Layers = %v, want the base layer plus the container's diff", layers)
	}

	// The committed image runs with the file and the changes.
	if got := env.MustBerth(t, "run", "--rm", "committed:v1"); got != "hello" {
		t.Errorf("run committed:v1 = %q, want hello", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "committed:v1", "sh", "-c", "echo $COMMITTED"); got != "1" {
		t.Errorf("COMMITTED in a container of the committed image = %q", got)
	}

	// Without a name: a dangling image, listed by ID.
	out = env.MustBerth(t, "commit", "-q", "wr")
	anon := strings.TrimPrefix(out, "sha256:")
	if !pbFullID.MatchString(anon) {
		t.Fatalf("commit without a name printed %q", out)
	}
	if r := env.Berth("image", "exists", anon); r.ExitCode() != 0 {
		t.Errorf("unnamed commit: image %s does not exist", anon)
	}

	if r := env.Berth("commit", "nosuch", "x"); r.ExitCode() != 125 {
		t.Errorf("commit of a missing container: exit %d, want 125", r.ExitCode())
	}
	if r := env.Berth("commit", "--change", "BOGUS=1", "wr", "x"); r.ExitCode() != 125 {
		t.Errorf("commit with a bad --change: exit %d, want 125", r.ExitCode())
	}
}

func TestCommitRunningWithPause(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "live", "busybox", "sh", "-c", "echo state > /state; echo ready; exec sleep 1000")
	WaitFor(t, 20*time.Second, func() bool { return strings.TrimSpace(env.Berth("logs", "live").Stdout()) == "ready" })
	env.MustBerth(t, "commit", "-q", "--pause", "live", "snap")
	// The container keeps running, unpaused.
	if got := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "live"); got != "running" {
		t.Errorf("after commit --pause the container is %q, want running", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "snap", "cat", "/state"); got != "state" {
		t.Errorf("committed snapshot: cat /state = %q", got)
	}
	// Also without --pause.
	env.MustBerth(t, "commit", "-q", "live", "snap2")
	if got := env.MustBerth(t, "run", "--rm", "snap2", "cat", "/state"); got != "state" {
		t.Errorf("commit of a running container without --pause: cat /state = %q", got)
	}
}

func TestCommitKeepsContainerConfig(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "cfg", "-e", "FOO=bar", "--workdir", "/tmp", "--user", "daemon", "busybox", "true")
	env.MustBerth(t, "commit", "-q", "cfg", "cfgimg")
	cfg, _ := pbInspect(t, env, "--type", "image", "cfgimg")[0]["Config"].(map[string]any)
	// podman and docker: the image config is the container's config.
	if got := pbStrings(cfg["Env"]); !slices.Contains(got, "FOO=bar") {
		t.Errorf("committed Config.Env = %v, want FOO=bar from the container", got)
	}
	if got := cfg["WorkingDir"]; got != "/tmp" {
		t.Errorf("committed Config.WorkingDir = %v, want /tmp", got)
	}
	if got := cfg["User"]; got != "daemon" {
		t.Errorf("committed Config.User = %v, want daemon", got)
	}
	if got := pbStrings(cfg["Cmd"]); !slices.Equal(got, []string{"true"}) {
		t.Errorf("committed Config.Cmd = %v, want [true]", got)
	}
}

func TestContainerExists(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := env.MustBerth(t, "create", "--name", "here", "busybox", "true")
	for _, ref := range []string{"here", id, id[:12]} {
		if r := env.Berth("container", "exists", ref); r.ExitCode() != 0 {
			t.Errorf("container exists %s: exit %d, want 0\n%s", ref, r.ExitCode(), r)
		}
	}
	if r := env.Berth("container", "exists", "nothere"); r.ExitCode() != 1 || r.Stdout() != "" {
		t.Errorf("container exists nothere: exit %d, want 1 and no output\n%s", r.ExitCode(), r)
	}
	// An image is not a container.
	if r := env.Berth("container", "exists", "busybox"); r.ExitCode() != 1 {
		t.Errorf("container exists <image>: exit %d, want 1", r.ExitCode())
	}
	env.MustBerth(t, "rm", "here")
	if r := env.Berth("container", "exists", id); r.ExitCode() != 1 {
		t.Errorf("container exists after rm: exit %d, want 1", r.ExitCode())
	}
}
