package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeBuildContext writes files (name: content) into a new directory.
func writeBuildContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The docker CLI's classic builder (DOCKER_BUILDKIT=0) builds through
// POST /build: build arguments, COPY from the sent context, the image
// runs with what was built; a failing RUN fails `docker build` with the
// command's exit code and output and leaves no container.
func TestAPIBuildDockerCLI(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	d := newDockerCLI(t, apiService(t, env))
	d.env = []string{"DOCKER_BUILDKIT=0"}
	dir := writeBuildContext(t, map[string]string{
		"Dockerfile": "FROM busybox\nARG A\nCOPY hello.txt /hello.txt\nRUN echo \"arg=$A\" > /arg.txt\nCMD [\"cat\", \"/hello.txt\", \"/arg.txt\"]\n",
		"hello.txt":  "hello from the context\n",
	})
	out, errOut, code := d.run("build", "-t", "x:1", "--build-arg", "A=b", dir)
	if code != 0 {
		t.Fatalf("docker build: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"FROM busybox", "Successfully built ", "Successfully tagged x:1"} {
		if !strings.Contains(out, want) {
			t.Errorf("docker build output lacks %q:\n%s", want, out)
		}
	}
	if got := d.must("run", "--rm", "x:1"); got != "hello from the context\narg=b" {
		t.Errorf("docker run of the built image: %q", got)
	}
	// -q prints the ID alone; -f names the Dockerfile inside the context.
	if err := os.WriteFile(filepath.Join(dir, "Other.dockerfile"), []byte("FROM x:1\nLABEL k=v\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	id := d.must("build", "-q", "-f", filepath.Join(dir, "Other.dockerfile"), "-t", "x:2", dir)
	if !strings.HasPrefix(id, "sha256:") {
		t.Errorf("docker build -q printed %q", id)
	}
	if got := d.must("inspect", "-f", "{{.Config.Labels.k}}", "x:2"); got != "v" {
		t.Errorf("label of x:2: %q", got)
	}

	fail := writeBuildContext(t, map[string]string{
		"Dockerfile": "FROM busybox\nRUN echo going-wrong >&2; exit 3\n",
	})
	out, errOut, code = d.run("build", "-t", "bad", fail)
	if code != 3 || !strings.Contains(out+errOut, "going-wrong") || !strings.Contains(errOut, "exit status 3") {
		t.Errorf("docker build of a failing RUN: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := d.must("ps", "-aq"); got != "" {
		t.Errorf("containers left by the failed build: %q", got)
	}
	if _, errOut, code := d.run("build", "-f", "nosuch", dir); code == 0 || !strings.Contains(errOut, "nosuch") {
		t.Errorf("docker build -f nosuch: exit %d %s", code, errOut)
	}
}

// docker-py's images.build returns the image and its log.
func TestAPIBuildDockerPy(t *testing.T) {
	t.Parallel()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import docker").Run(); err != nil {
		t.Skip("docker-py (python3-docker) is not installed: scripts/setup.sh installs it")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	dir := writeBuildContext(t, map[string]string{
		"Dockerfile": "FROM busybox\nRUN echo built > /built.txt\n",
	})
	out, err := exec.Command(python, "testdata/dockerpy_build.py", uri, dir).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("docker-py: %v\n%s", err, out)
	}
}

// A client that goes away mid-build cancels it: the RUN container goes
// and no image is tagged.
func TestAPIBuildClientGone(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	sock := strings.TrimPrefix(apiService(t, env), "unix://")
	var body bytes.Buffer
	tw := tar.NewWriter(&body)
	df := "FROM busybox\nRUN echo sleeping; sleep 100\n"
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(df))}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write([]byte(df))
	tw.Close()
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", "http://d/build?t=gone", &body)
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.Contains(sc.Text(), "sleeping") {
	}
	if out := env.MustBerth(t, "ps", "-aq"); out == "" {
		t.Errorf("no RUN container while the step runs")
	}
	cancel()
	resp.Body.Close()
	WaitFor(t, 20*time.Second, func() bool { return env.Berth("ps", "-aq").Stdout() == "" })
	if r := env.Berth("image", "exists", "gone"); r.ExitCode() == 0 {
		t.Errorf("the cancelled build tagged its image")
	}
}

// podman-remote (4.3) builds through POST /libpod/build.
func TestAPIBuildPodman(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	p := newPodmanCLI(t, apiService(t, env))
	dir := writeBuildContext(t, map[string]string{
		"Containerfile": "FROM busybox\nARG A\nRUN echo \"podman $A\" > /p.txt\n",
	})
	out, errOut, code := p.run("build", "-t", "y", "--build-arg", "A=arg", dir)
	if code != 0 || !strings.Contains(out, "STEP 2/3: ARG A") {
		t.Fatalf("podman build: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := env.MustBerth(t, "run", "--rm", "y", "cat", "/p.txt"); got != "podman arg" {
		t.Errorf("run of the podman-built image: %q", got)
	}
	fail := writeBuildContext(t, map[string]string{"Containerfile": "FROM busybox\nRUN echo failing-now; exit 5\n"})
	out, errOut, code = p.run("build", "-t", "bad", fail)
	if code == 0 || !strings.Contains(out, "failing-now") || !strings.Contains(errOut, "exit status 5") {
		t.Errorf("podman build of a failing RUN: exit %d\n%s\n%s", code, out, errOut)
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("containers left by the failed build: %q", got)
	}
}
