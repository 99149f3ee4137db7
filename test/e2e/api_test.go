package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// apiService starts `berth system service -t 0` on a socket of env's own
// and returns its unix:// URI; the service is stopped (SIGTERM, by PID)
// at cleanup.
func apiService(t *testing.T, env *Env) string {
	t.Helper()
	sock := filepath.Join(env.Dir, "api.sock")
	uri := "unix://" + sock
	cmd := env.Command(context.Background(), "system", "service", "-t", "0", uri)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
			t.Errorf("system service did not stop on SIGTERM")
		}
		if _, err := os.Stat(sock); err == nil {
			t.Errorf("system service left its socket %s", sock)
		}
	})
	WaitFor(t, 15*time.Second, func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return uri
}

// dockerCLI runs the docker client against uri.
type dockerCLI struct {
	t   *testing.T
	uri string
	// env is added to the client's environment (DOCKER_BUILDKIT=0).
	env []string
}

func newDockerCLI(t *testing.T, uri string) dockerCLI {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker CLI not on PATH: the API's docker-client tests need it")
	}
	return dockerCLI{t: t, uri: uri}
}

func (d dockerCLI) run(args ...string) (stdout, stderr string, code int) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(append(os.Environ(), "DOCKER_HOST="+d.uri, "DOCKER_CONFIG="+d.t.TempDir()), d.env...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatalf("docker %v: %v", args, err)
	}
	return strings.TrimSpace(o.String()), strings.TrimSpace(e.String()), code
}

func (d dockerCLI) must(args ...string) string {
	d.t.Helper()
	out, errOut, code := d.run(args...)
	if code != 0 {
		d.t.Fatalf("docker %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// The docker CLI drives containers through berth's API: attached and
// detached runs, exit codes, --rm, ps, inspect, logs with the streams
// apart, stop, rm, published ports, and docker's errors.
func TestAPIDockerCLIContainers(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	d := newDockerCLI(t, apiService(t, env))

	if v := d.must("version", "--format", "{{.Server.APIVersion}}"); v == "" {
		t.Errorf("docker version shows no server API version")
	}
	if drv := d.must("info", "--format", "{{.Driver}}"); drv != "overlay" {
		t.Errorf("docker info Driver = %q", drv)
	}
	if out := d.must("run", "--rm", "busybox", "echo", "hello"); out != "hello" {
		t.Errorf("docker run --rm printed %q", out)
	}
	if _, _, code := d.run("run", "--rm", "busybox", "sh", "-c", "exit 3"); code != 3 {
		t.Errorf("docker run exit code = %d, want 3", code)
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Errorf("--rm containers left: %s", out)
	}

	port := freePort(t)
	id := d.must("run", "-d", "--name", "web", "-p", fmt.Sprintf("127.0.0.1:%d:8080", port), "-e", "GREETING=hi",
		"busybox", "sh", "-c", "echo $GREETING > /tmp/index.html; echo to-err >&2; exec httpd -f -p 8080 -h /tmp")
	if got := env.MustBerth(t, "inspect", "--format", "{{.Id}}", "web"); got != id {
		t.Errorf("docker run -d printed %q, berth knows web as %q", id, got)
	}
	WaitFor(t, 10*time.Second, func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/index.html", port))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	if ps := d.must("ps", "--format", "{{.Names}} {{.State}} {{.Ports}}"); !strings.Contains(ps, "web running") || !strings.Contains(ps, fmt.Sprintf("127.0.0.1:%d->8080/tcp", port)) {
		t.Errorf("docker ps:\n%s", ps)
	}
	if running := d.must("inspect", "--format", "{{.State.Running}}", "web"); running != "true" {
		t.Errorf("docker inspect State.Running = %s", running)
	}
	WaitFor(t, 10*time.Second, func() bool {
		_, e, _ := d.run("logs", "web")
		return e == "to-err"
	})
	d.must("stop", "-t", "1", "web")
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "web"); st != "exited" {
		t.Errorf("after docker stop, web is %s", st)
	}
	d.must("rm", "web")

	if _, e, code := d.run("rm", "nosuch"); code == 0 || !strings.Contains(strings.ToLower(e), "no such container") {
		t.Errorf("docker rm nosuch: %d %s", code, e)
	}
	d.must("create", "--name", "dup", "busybox", "true")
	if _, e, code := d.run("create", "--name", "dup", "busybox", "true"); code == 0 || !strings.Contains(e, "in use") {
		t.Errorf("docker create of a taken name: %d %s", code, e)
	}
	if _, e, code := d.run("run", "--rm", "--storage-opt", "size=1G", "busybox", "true"); code == 0 || !strings.Contains(e, "StorageOpt") {
		t.Errorf("an unsupported field was not refused: %d %s", code, e)
	}
	if out, e, code := d.run("run", "--rm", "--cpuset-cpus", "0", "--oom-score-adj", "300", "busybox", "cat", "/proc/self/oom_score_adj"); code != 0 || out != "300" {
		t.Errorf("docker run --cpuset-cpus 0 --oom-score-adj 300: %q %d %s", out, code, e)
	}
	if out, e, code := d.run("run", "--rm", "--device-read-bps", "/dev/vda:1mb", "busybox", "cat", "/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device"); fileExists("/dev/vda") && fileExists("/sys/fs/cgroup/blkio") && (code != 0 || !strings.HasSuffix(out, " 1048576")) {
		t.Errorf("docker run --device-read-bps: %q %d %s", out, code, e)
	}
	if _, e, code := d.run("run", "--rm", "--memory-swappiness", "200", "busybox", "true"); code == 0 || !strings.Contains(e, "swappiness") {
		t.Errorf("docker run --memory-swappiness 200: %d %s", code, e)
	}
	d.must("rm", "dup")
}

// docker-py (Debian's python3-docker) drives containers through the API.
func TestAPIDockerPy(t *testing.T) {
	t.Parallel()
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import docker").Run(); err != nil {
		t.Skip("docker-py (python3-docker) is not installed: scripts/setup.sh installs it")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	out, err := exec.Command(python, "testdata/dockerpy_containers.py", uri).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("docker-py: %v\n%s", err, out)
	}
}

// docker cp both ways, diff, export and stats through the API.
func TestAPIDockerCLIFiles(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	d := newDockerCLI(t, apiService(t, env))
	d.must("run", "-d", "--name", "files", "busybox", "sh", "-c", "echo inside > /etc/greeting; exec sleep 1000")
	WaitFor(t, 10*time.Second, func() bool {
		return env.Berth("exec", "files", "cat", "/etc/greeting").Stdout() == "inside\n"
	})
	host := filepath.Join(env.TmpDir, "greeting")
	d.must("cp", "files:/etc/greeting", host)
	if b, err := os.ReadFile(host); err != nil || string(b) != "inside\n" {
		t.Errorf("docker cp out: %q %v", b, err)
	}
	if err := os.WriteFile(host, []byte("from host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.must("cp", host, "files:/tmp/")
	if got := env.MustBerth(t, "exec", "files", "cat", "/tmp/greeting"); got != "from host" {
		t.Errorf("docker cp in: %q", got)
	}
	if _, e, code := d.run("cp", "files:/nosuch", host); code == 0 || !strings.Contains(strings.ToLower(e), "no such") {
		t.Errorf("docker cp of a missing path: %d %s", code, e)
	}
	if diff := d.must("diff", "files"); !strings.Contains(diff, "C /etc") || !strings.Contains(diff, "A /etc/greeting") {
		t.Errorf("docker diff:\n%s", diff)
	}
	tarPath := filepath.Join(env.TmpDir, "files.tar")
	d.must("export", "-o", tarPath, "files")
	if out, err := exec.Command("tar", "-tf", tarPath).Output(); err != nil || !strings.Contains(string(out), "etc/greeting") {
		t.Errorf("docker export: %v %s", err, out)
	}
	stats := d.must("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}}", "files")
	if !strings.HasPrefix(stats, "files ") || strings.HasSuffix(stats, " 0") {
		t.Errorf("docker stats: %q", stats)
	}
	d.must("rm", "-f", "files")
}

// docker events: a time window in docker's action names, and a live
// stream that sees a container start.
func TestAPIDockerCLIEvents(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	d := newDockerCLI(t, uri)
	since := strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	live := exec.CommandContext(ctx, "docker", "events", "--filter", "event=start", "--format", "{{.Action}} {{.Actor.Attributes.name}}")
	live.Env = append(os.Environ(), "DOCKER_HOST="+uri, "DOCKER_CONFIG="+t.TempDir())
	var liveOut syncBuffer
	live.Stdout = &liveOut
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = live.Process.Kill(); _ = live.Wait() }()
	time.Sleep(500 * time.Millisecond) // let the stream open before the event

	d.must("run", "--rm", "--name", "evt", "busybox", "true")
	WaitFor(t, 10*time.Second, func() bool { return strings.Contains(liveOut.String(), "start evt") })

	until := strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10)
	out := d.must("events", "--since", since, "--until", until, "--filter", "container=evt", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}")
	for _, want := range []string{"container create evt", "container start evt", "container die evt", "container destroy evt"} {
		if !strings.Contains(out, want) {
			t.Errorf("docker events lacks %q:\n%s", want, out)
		}
	}
	if _, e, code := d.run("events", "--since", since, "--until", until, "--filter", "bogus=1"); code == 0 || !strings.Contains(e, "bogus") {
		t.Errorf("docker events with an unknown filter: %d %s", code, e)
	}
}

// syncBuffer is a strings.Builder safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Debian's docker-compose 1.29 brings a two-service project up through
// the API (network with an alias, named volume, published port,
// environment, depends_on), runs exec, ps and logs, and takes it down
// leaving nothing.
func TestAPIDockerCompose(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Skip("docker-compose is not installed: scripts/setup.sh installs it")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	port := freePort(t)
	dir := filepath.Join(env.TmpDir, "proj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	project := fmt.Sprintf(`version: "3.8"
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo $$GREETING > /data/index.html; echo web-ready; exec httpd -f -p 8080 -h /data"]
    environment:
      GREETING: hello-compose
    ports: ["127.0.0.1:%d:8080"]
    volumes: ["webdata:/data"]
    networks:
      front:
        aliases: [site]
  client:
    image: busybox
    command: ["sleep", "1000"]
    depends_on: [web]
    networks: [front]
volumes:
  webdata:
networks:
  front:
    ipam:
      config:
        - subnet: %s
`, port, freeSubnet24(t))
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(project), 0o644); err != nil {
		t.Fatal(err)
	}
	compose := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "docker-compose", append([]string{"-p", "cmp"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+uri, "DOCKER_CONFIG="+t.TempDir())
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := compose("up", "-d"); err != nil {
		t.Fatalf("compose up: %v\n%s", err, out)
	}
	WaitFor(t, 15*time.Second, func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/index.html", port))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b) == "hello-compose\n"
	})
	if out, err := compose("exec", "-T", "client", "wget", "-qO-", "http://site:8080/index.html"); err != nil || strings.TrimSpace(out) != "hello-compose" {
		t.Errorf("compose exec reaching web by its alias: %v\n%s", err, out)
	}
	if out, err := compose("ps"); err != nil || !strings.Contains(out, "cmp_web_1") || !strings.Contains(out, "cmp_client_1") || strings.Count(out, " Up ") != 2 {
		t.Errorf("compose ps: %v\n%s", err, out)
	}
	if out, err := compose("logs", "web"); err != nil || !strings.Contains(out, "web-ready") {
		t.Errorf("compose logs: %v\n%s", err, out)
	}
	if out, err := compose("up", "-d"); err != nil || !strings.Contains(out, "up-to-date") {
		t.Errorf("a second compose up re-created what it had: %v\n%s", err, out)
	}
	if out, err := compose("down", "-v"); err != nil {
		t.Fatalf("compose down: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"ps", "-aq"}, {"volume", "ls", "-q"}, {"network", "ls", "-q", "--filter", "name=cmp"}} {
		if out := env.MustBerth(t, args...); out != "" {
			t.Errorf("compose down left %v: %s", args, out)
		}
	}
}

// system service -t N exits once idle for N seconds and removes its
// socket; a second service on a live socket is refused.
func TestAPIServiceIdleAndSecond(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	uri := apiService(t, env) // -t 0: stays
	sock := strings.TrimPrefix(uri, "unix://")
	if r := env.Berth("system", "service", "-t", "1", uri); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "already listening") {
		t.Errorf("a second service on a live socket:\n%s", r)
	}
	if _, err := os.Stat(sock); err != nil {
		t.Errorf("the refused second service removed the first one's socket: %v", err)
	}
	idleSock := filepath.Join(env.Dir, "idle.sock")
	// Returning at all (before the harness's timeout) is the idle exit.
	if r := env.Berth("system", "service", "-t", "1", "unix://"+idleSock); r.ExitCode() != 0 {
		t.Fatalf("system service -t 1:\n%s", r)
	}
	if _, err := os.Stat(idleSock); err == nil {
		t.Errorf("an idle exit left the socket %s", idleSock)
	}
	if r := env.Berth("system", "service", "-t", "-1"); r.ExitCode() != 125 {
		t.Errorf("a negative --time:\n%s", r)
	}
}
