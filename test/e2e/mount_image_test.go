package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMountImage: --mount type=image gives a container another image's
// root filesystem, read-only unless rw=true (whose writes are thrown
// away), a subpath of it, and keeps the image in use: rmi refuses it
// while the container exists, and the image's mount is dropped when the
// container stops.
func TestMountImage(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "mk", "busybox", "sh", "-c", "mkdir -p /data/sub && echo hello > /data/sub/f")
	env.MustBerth(t, "commit", "-q", "mk", "localhost/dataimg")
	env.MustBerth(t, "rm", "mk")

	if got := env.MustBerth(t, "run", "--rm", "--mount", "type=image,source=localhost/dataimg,destination=/img", "busybox", "cat", "/img/data/sub/f"); got != "hello" {
		t.Errorf("image mount read %q", got)
	}
	r := env.Berth("run", "--rm", "--mount", "type=image,src=dataimg,dst=/img", "busybox", "touch", "/img/x")
	if r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "Read-only file system") {
		t.Errorf("write to a read-only image mount: %s", r)
	}
	got := env.MustBerth(t, "run", "--rm", "--mount", "type=image,src=dataimg,dst=/img,rw=true", "busybox", "sh", "-c", "echo w > /img/x && cat /img/x")
	if got != "w" {
		t.Errorf("rw image mount: %q", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "--mount", "type=image,src=dataimg,dst=/img,subpath=/data/sub", "busybox", "ls", "/img"); got != "f" {
		t.Errorf("subpath image mount lists %q", got)
	}
	// The rw mount's write went to a throw-away layer.
	if got := env.MustBerth(t, "run", "--rm", "--mount", "type=image,src=dataimg,dst=/img", "busybox", "sh", "-c", "test -e /img/x && echo leaked || echo clean"); got != "clean" {
		t.Errorf("rw image mount's write reached the image: %q", got)
	}
	if got := env.MustBerth(t, "image", "mount"); got != "" {
		t.Errorf("images left mounted after the runs: %q", got)
	}

	id := env.MustBerth(t, "create", "--name", "user", "--mount", "type=image,src=dataimg,dst=/img", "busybox", "true")
	var ins []struct {
		Mounts []struct {
			Type, Source, Destination string
			RW                        bool
		}
	}
	if err := json.Unmarshal([]byte(env.MustBerth(t, "inspect", "user")), &ins); err != nil || len(ins) != 1 || len(ins[0].Mounts) != 1 ||
		ins[0].Mounts[0].Type != "image" || ins[0].Mounts[0].Destination != "/img" || ins[0].Mounts[0].RW {
		t.Errorf("inspect mounts: %+v (%v)", ins, err)
	}
	r = env.Berth("rmi", "dataimg")
	if r.ExitCode() == 0 || !strings.Contains(r.Stderr(), id) {
		t.Errorf("rmi of an image a container mounts: %s", r)
	}
	env.MustBerth(t, "rm", "user")
	env.MustBerth(t, "rmi", "dataimg")

	for _, bad := range []struct{ mount, want string }{
		{"type=image,dst=/img", "image needs a source"},
		{"type=image,src=nosuchimage,dst=/img", "nosuchimage"},
		{"type=image,src=busybox,dst=/img,bogus=1", "option bogus is not valid for type image"},
		{"type=image,src=busybox,dst=/img,rw=maybe", "rw must be true or false"},
	} {
		r := env.Berth("create", "--mount", bad.mount, "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), bad.want) {
			t.Errorf("create --mount %s: %s", bad.mount, r)
		}
	}
	r = env.Berth("run", "--rm", "--mount", "type=image,src=busybox,dst=/img,subpath=/nope", "busybox", "true")
	if r.ExitCode() != 126 && r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "subpath /nope does not exist") {
		t.Errorf("run with a missing subpath: %s", r)
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("containers left by bad input: %q", got)
	}
}

// TestMountImageRemote: --mount type=image through the libpod API
// (image_volumes) reaches the service's images.
func TestMountImageRemote(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	r := remoteCLI{t: t, env: env, uri: apiService(t, env)}
	env.MustBerth(t, "tag", "busybox", "localhost/other:1")
	if out := r.run("run", "--rm", "--mount", "type=image,src=localhost/other:1,dst=/img,subpath=/bin", "busybox", "ls", "/img/busybox"); out.ExitCode() != 0 || strings.TrimSpace(out.Stdout()) != "/img/busybox" {
		t.Errorf("remote image mount: %s", out)
	}
	if out := r.run("create", "--name", "rem", "--mount", "type=image,src=localhost/other:1,dst=/img,rw", "busybox", "true"); out.ExitCode() != 0 {
		t.Fatalf("remote create: %s", out)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}}{{end}}", "rem"); got != "image /img true" {
		t.Errorf("mounts of the remotely created container: %q", got)
	}
}
