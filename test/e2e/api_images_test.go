package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The docker CLI manages local images through berth's API: images with
// filters, inspect, tag, history, rmi (untag, in use, missing), commit,
// save | load, import and image prune.
func TestAPIDockerCLIImages(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	d := newDockerCLI(t, apiService(t, env))

	if out := d.must("images", "--format", "{{.Repository}}:{{.Tag}}"); out != "localhost/busybox:latest" {
		t.Errorf("docker images: %q", out)
	}
	id := env.MustBerth(t, "images", "-q", "--no-trunc")
	if q := d.must("images", "-q"); q != strings.TrimPrefix(id, "sha256:")[:12] {
		t.Errorf("docker images -q = %q, berth knows %s", q, id)
	}
	if got := d.must("image", "inspect", "--format", "{{.Id}} {{.Os}} {{json .Config.Cmd}} {{.RootFS.Type}}", "localhost/busybox:latest"); got != id+` linux ["/bin/sh","-c","/bin/sh"] layers` {
		t.Errorf("docker image inspect: %q (id %s)", got, id)
	}
	if _, e, code := d.run("image", "inspect", "nosuch"); code == 0 || !strings.Contains(strings.ToLower(e), "no such image") {
		t.Errorf("docker image inspect nosuch: %d %s", code, e)
	}
	if h := d.must("history", "--format", "{{.ID}}", "busybox"); !strings.HasPrefix(h, strings.TrimPrefix(id, "sha256:")[:12]) {
		t.Errorf("docker history: %q", h)
	}

	d.must("tag", "busybox", "localhost/mine:v1")
	if out := d.must("images", "--filter", "reference=mine", "--format", "{{.Repository}}:{{.Tag}}"); out != "localhost/mine:v1" {
		t.Errorf("docker images --filter reference=mine: %q", out)
	}
	if out := d.must("rmi", "localhost/mine:v1"); out != "Untagged: localhost/mine:v1" {
		t.Errorf("docker rmi of one of two names: %q", out)
	}

	d.must("run", "-d", "--name", "user", "busybox", "sh", "-c", "echo made > /marker; exec sleep 1000")
	WaitFor(t, 10*time.Second, func() bool {
		return env.Berth("exec", "user", "cat", "/marker").Stdout() == "made\n"
	})
	if _, e, code := d.run("rmi", "busybox"); code != 1 || !strings.Contains(e, "in use") {
		t.Errorf("docker rmi of an image in use: %d %s", code, e)
	}
	if _, e, code := d.run("rmi", "nosuch"); code != 1 || !strings.Contains(strings.ToLower(e), "no such image") {
		t.Errorf("docker rmi nosuch: %d %s", code, e)
	}

	cid := d.must("commit", "-c", "ENV FROM_COMMIT=1", "user", "localhost/committed:1")
	if !strings.HasPrefix(cid, "sha256:") {
		t.Errorf("docker commit printed %q", cid)
	}
	if out := d.must("run", "--rm", "localhost/committed:1", "sh", "-c", "cat /marker; echo $FROM_COMMIT"); out != "made\n1" {
		t.Errorf("the committed image holds %q", out)
	}
	if _, e, code := d.run("commit", "nosuch", "localhost/x:1"); code == 0 || !strings.Contains(strings.ToLower(e), "no such container") {
		t.Errorf("docker commit nosuch: %d %s", code, e)
	}

	archive := filepath.Join(env.TmpDir, "committed.tar")
	d.must("save", "-o", archive, "localhost/committed:1")
	d.must("rmi", "localhost/committed:1")
	if out := d.must("load", "-i", archive); !strings.Contains(out, "Loaded image: localhost/committed:1") {
		t.Errorf("docker load: %q", out)
	}
	if out := d.must("images", "-q", "localhost/committed:1"); out == "" {
		t.Errorf("docker load did not bring the image back")
	}

	imported := d.must("import", "--change", "CMD [\"/bin/true\"]", BusyboxTar(), "localhost/imported:1")
	if !strings.HasPrefix(imported, "sha256:") {
		t.Errorf("docker import printed %q", imported)
	}
	if cmd := d.must("image", "inspect", "--format", "{{json .Config.Cmd}}", "localhost/imported:1"); cmd != `["/bin/true"]` {
		t.Errorf("imported image Cmd = %s", cmd)
	}

	// A commit without a name is dangling: prune removes it, and only it.
	dangling := d.must("commit", "user")
	if out := d.must("images", "-q", "--filter", "dangling=true"); out != strings.TrimPrefix(dangling, "sha256:")[:12] {
		t.Errorf("docker images --filter dangling=true: %q (dangling %s)", out, dangling)
	}
	if out := d.must("image", "prune", "-f"); !strings.Contains(out, "deleted: "+dangling) || !strings.Contains(out, "Total reclaimed space") {
		t.Errorf("docker image prune: %q", out)
	}
	if out := d.must("images", "-q", "--filter", "dangling=true"); out != "" {
		t.Errorf("after prune, dangling: %q", out)
	}
	d.must("rm", "-f", "user")
	d.must("rmi", "localhost/committed:1", "localhost/imported:1")
}

// The docker CLI logs in to, pushes to and pulls from a local registry
// (plain HTTP on 127.0.0.1, which dockerd trusts by default) through
// berth's API; its credentials travel in X-Registry-Auth.
func TestAPIDockerCLIRegistry(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{Auth: true})
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker CLI not on PATH")
	}
	cfg := t.TempDir() // one docker config, so the login is kept
	docker := func(args ...string) (string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "docker", args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+uri, "DOCKER_CONFIG="+cfg, "DOCKER_BUILDKIT=0")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("docker %v: %v", args, err)
		}
		return strings.TrimSpace(string(out)), code
	}

	if out, code := docker("login", "-u", reg.User, "-p", "wrong", reg.Addr); code == 0 || !strings.Contains(out, "invalid username/password") {
		t.Errorf("docker login with a wrong password: %d %s", code, out)
	}
	// docker's status for refused credentials.
	if st, body := apiStatus(t, uri, "POST", "/auth", fmt.Sprintf(`{"username":%q,"password":"wrong","serveraddress":%q}`, reg.User, reg.Addr)); st != 401 {
		t.Errorf("POST /auth with a wrong password: %d %s", st, body)
	}
	if out, code := docker("login", "-u", reg.User, "-p", reg.Password, reg.Addr); code != 0 || !strings.Contains(out, "Login Succeeded") {
		t.Fatalf("docker login: %d %s", code, out)
	}
	ref := reg.Ref("busybox:v1")
	if out, code := docker("tag", "busybox", ref); code != 0 {
		t.Fatalf("docker tag: %s", out)
	}
	out, code := docker("push", ref)
	if code != 0 || !strings.Contains(out, "The push refers to repository ["+reg.Addr+"/busybox]") || !strings.Contains(out, ": Pushed") || !regexp.MustCompile(`v1: digest: sha256:[0-9a-f]{64} size: [1-9][0-9]*`).MatchString(out) {
		t.Fatalf("docker push: %d %s", code, out)
	}
	t.Logf("docker push:\n%s", out)
	if out, code := docker("rmi", ref); code != 0 {
		t.Fatalf("docker rmi: %s", out)
	}
	out, code = docker("pull", ref)
	if code != 0 || !strings.Contains(out, "v1: Pulling from busybox") || !strings.Contains(out, ": Pull complete") || strings.Contains(out, "Copying") ||
		!strings.Contains(out, "Digest: sha256:") || !strings.Contains(out, "Status: Downloaded newer image for "+ref) {
		t.Fatalf("docker pull: %d %s", code, out)
	}
	t.Logf("docker pull:\n%s", out)
	if out, _ := docker("images", "--format", "{{.Repository}}:{{.Tag}}", reg.Addr+"/busybox"); out != ref {
		t.Errorf("pulled image listed as %q", out)
	}
	if out, code := docker("pull", reg.Ref("nosuch:v1")); code == 0 {
		t.Errorf("docker pull of a missing image succeeded: %s", out)
	}
	// The classic builder pulls FROM with the credentials docker sends in
	// X-Registry-Config.
	ctxDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM "+ref+"\nLABEL from=registry\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	build := func() (string, int) {
		if out, code := docker("rmi", "-f", ref); code != 0 {
			t.Fatalf("docker rmi: %s", out)
		}
		return docker("build", "-t", "fromreg:1", ctxDir)
	}
	if out, code := build(); code != 0 || !strings.Contains(out, "Successfully tagged fromreg:1") {
		t.Errorf("docker build FROM an authenticated registry: %d %s", code, out)
	}
	// Without the login the registry refuses the pull.
	if out, code := docker("logout", reg.Addr); code != 0 {
		t.Fatalf("docker logout: %s", out)
	}
	if out, code := docker("pull", ref); code == 0 {
		t.Errorf("docker pull without credentials succeeded: %s", out)
	}
	if out, code := build(); code == 0 {
		t.Errorf("docker build FROM the registry without credentials succeeded: %s", out)
	}
}
