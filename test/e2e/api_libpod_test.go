package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// podmanCLI runs Debian's podman (4.3) as a remote client of berth's
// libpod API. It gets a configuration of its own (HOME, XDG dirs,
// containers.conf, storage.conf, registries.conf all under a temp dir), so
// nothing of the host's podman is read or touched, and being remote it
// never opens a storage of its own.
type podmanCLI struct {
	t   *testing.T
	uri string
	env []string
}

func newPodmanCLI(t *testing.T, uri string) podmanCLI {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("podman not on PATH: the libpod API's client tests need it")
	}
	dir := t.TempDir()
	for _, d := range []string{"home/.config", "run", "data", "storage"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"containers.conf": "",
		"registries.conf": "",
		"storage.conf":    "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + dir + "/storage\"\nrunroot = \"" + dir + "/run/storage\"\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"HOME=" + dir + "/home", "XDG_CONFIG_HOME=" + dir + "/home/.config", "XDG_RUNTIME_DIR=" + dir + "/run",
		"XDG_DATA_HOME=" + dir + "/data", "CONTAINERS_CONF=" + dir + "/containers.conf",
		"CONTAINERS_STORAGE_CONF=" + dir + "/storage.conf", "CONTAINERS_REGISTRIES_CONF=" + dir + "/registries.conf",
	}
	return podmanCLI{t: t, uri: uri, env: env}
}

func (p podmanCLI) run(args ...string) (stdout, stderr string, code int) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "podman", append([]string{"--url", p.uri}, args...)...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONTAINER_HOST=") && !strings.HasPrefix(kv, "CONTAINER_CONNECTION=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, p.env...)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		p.t.Fatalf("podman %v: %v", args, err)
	}
	return strings.TrimSpace(o.String()), strings.TrimSpace(e.String()), code
}

func (p podmanCLI) must(args ...string) string {
	p.t.Helper()
	out, errOut, code := p.run(args...)
	if code != 0 {
		p.t.Fatalf("podman %v: exit %d\nstdout: %s\nstderr: %s", args, code, out, errOut)
	}
	return out
}

// podman-remote's container verbs through berth's libpod API: version,
// info, run -d, ps, logs, exec, stats, cp, inspect, stop, wait, events,
// start, rm -f, and a
// create option berth cannot honour refused naming the field.
func TestAPILibpodPodmanContainers(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	pm := newPodmanCLI(t, apiService(t, env))

	if out := pm.must("version"); !strings.Contains(out, "Server:") || !strings.Contains(out, "API Version:  5.0.0") {
		t.Errorf("podman version:\n%s", out)
	}
	if out := pm.must("info", "--format", "{{.Host.OCIRuntime.Name}} {{.Store.ImageStore.Number}}"); !strings.HasSuffix(out, " 1") {
		t.Errorf("podman info: %q", out)
	}
	if out := pm.must("images", "--format", "{{.Repository}}:{{.Tag}}"); out != "localhost/busybox:latest" {
		t.Errorf("podman images: %q", out)
	}
	id := pm.must("run", "-d", "--name", "web", "-e", "GREETING=hi", "busybox", "sh", "-c", "echo out; echo err >&2; exec sleep 300")
	if len(id) != 64 {
		t.Fatalf("podman run -d printed %q", id)
	}
	if out := pm.must("ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Status}}"); !strings.HasPrefix(out, "web localhost/busybox:latest Up ") {
		t.Errorf("podman ps -a: %q", out)
	}
	WaitFor(t, 10*time.Second, func() bool {
		out, errOut, _ := pm.run("logs", "web")
		return out == "out" && errOut == "err"
	})
	if out := pm.must("exec", "web", "sh", "-c", "echo $GREETING from exec"); out != "hi from exec" {
		t.Errorf("podman exec: %q", out)
	}
	if _, _, code := pm.run("exec", "web", "sh", "-c", "exit 3"); code != 3 {
		t.Errorf("podman exec exit 3: exit %d", code)
	}
	if out := pm.must("inspect", "--format", "{{.Id}} {{.State.Status}} {{.Config.StopSignal}}", "web"); out != id+" running 15" {
		t.Errorf("podman inspect: %q", out)
	}
	if out := pm.must("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}}", "web"); out != "web 1" {
		t.Errorf("podman stats: %q", out)
	}
	// cp both ways: podman stats the target and copies to its linkTarget.
	hostFile := filepath.Join(t.TempDir(), "in.txt")
	if err := os.WriteFile(hostFile, []byte("copied in\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pm.must("cp", hostFile, "web:/tmp/new.txt")
	if out := pm.must("exec", "web", "cat", "/tmp/new.txt"); out != "copied in" {
		t.Errorf("file copied in: %q", out)
	}
	back := filepath.Join(t.TempDir(), "back.txt")
	pm.must("cp", "web:/tmp/new.txt", back)
	if data, err := os.ReadFile(back); err != nil || string(data) != "copied in\n" {
		t.Errorf("file copied out: %q %v", data, err)
	}
	// berth's own CLI sees what the API made.
	if out := env.MustBerth(t, "ps", "--format", "{{.Names}}"); out != "web" {
		t.Errorf("berth ps after podman run: %q", out)
	}
	pm.must("stop", "-t", "0", "web")
	if out := pm.must("wait", "web"); out != "137" {
		t.Errorf("podman wait after stop: %q", out)
	}
	pm.must("start", "web")
	if out := pm.must("inspect", "--format", "{{.State.Running}}", "web"); out != "true" {
		t.Errorf("running after start: %q", out)
	}
	pm.must("create", "--name", "quick", "--entrypoint", "/bin/sh", "--read-only", "--tmpfs", "/scratch:size=1m", "--ulimit", "nofile=100:200",
		"--restart", "on-failure:3", "--stop-signal", "SIGINT", "--cpus", "0.5", "busybox", "-c", "exit 7")
	if out := pm.must("inspect", "--format", "{{.Config.Entrypoint}} {{.Config.StopSignal}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NanoCpus}}", "quick"); out != "/bin/sh 2 on-failure 500000000" {
		t.Errorf("podman inspect of a create with options: %q", out)
	}
	pm.must("start", "quick")
	if out := pm.must("wait", "quick"); out != "7" {
		t.Errorf("podman wait of exit 7: %q", out)
	}
	// (The engine may log a died twice when the waiter and the cleanup
	// both see the exit: every line must say the same.)
	out := pm.must("events", "--stream=false", "--filter", "event=died", "--filter", "container=quick", "--format", "{{.Status}} {{.Name}} {{.ContainerExitCode}}")
	if lines := strings.Split(out, "\n"); lines[0] != "died quick 7" || strings.Count(out, "died quick 7") != len(lines) {
		t.Errorf("podman events: %q", out)
	}
	if out := pm.must("rm", "-f", "web", "quick"); !strings.Contains(out, "web") || !strings.Contains(out, "quick") {
		t.Errorf("podman rm -f: %q", out)
	}
	if out := pm.must("ps", "-a", "-q"); out != "" {
		t.Errorf("containers left after rm -f: %q", out)
	}
	// A healthcheck berth has no way to run is refused by name, and
	// nothing is created.
	_, errOut, code := pm.run("create", "--name", "hc", "--health-cmd", "true", "busybox")
	if code == 0 || !strings.Contains(errOut, "healthconfig is not supported by berth") {
		t.Errorf("create --health-cmd: exit %d, %q", code, errOut)
	}
	if _, _, code := pm.run("container", "exists", "hc"); code != 1 {
		t.Errorf("container exists hc after refused create: exit %d", code)
	}
	if _, errOut, code := pm.run("inspect", "--type", "container", "nosuch"); code == 0 || !strings.Contains(errOut, "no such") {
		t.Errorf("inspect nosuch: exit %d %q", code, errOut)
	}
}

// podman-remote's pods, volumes and networks (connect and disconnect
// too) through the libpod API.
func TestAPILibpodPodmanPodsVolumesNetworks(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	pm := newPodmanCLI(t, apiService(t, env))

	podID := pm.must("pod", "create", "--name", "pa")
	if len(podID) != 64 {
		t.Fatalf("pod create printed %q", podID)
	}
	pm.must("run", "-d", "--pod", "pa", "--name", "member", "busybox", "sleep", "300")
	if out := pm.must("pod", "ps", "--format", "{{.Name}} {{.Status}} {{.NumberOfContainers}}"); out != "pa Running 2" {
		t.Errorf("pod ps: %q", out)
	}
	pm.must("pod", "stop", "-t", "0", "pa")
	if out := pm.must("pod", "ps", "--format", "{{.Status}}"); out != "Exited" {
		t.Errorf("pod ps after stop: %q", out)
	}
	pm.must("pod", "start", "pa")
	if out := pm.must("pod", "inspect", "--format", "{{.State}}", "pa"); out != "Running" {
		t.Errorf("pod inspect after start: %q", out)
	}
	if out := pm.must("pod", "top", "pa"); !strings.Contains(out, "sleep 300") {
		t.Errorf("pod top: %q", out)
	}
	pm.must("pod", "rm", "-f", "pa")
	if out := pm.must("pod", "ps", "-q"); out != "" {
		t.Errorf("pods left after pod rm -f: %q", out)
	}
	if out := env.MustBerth(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("containers left after pod rm -f: %q", out)
	}

	pm.must("volume", "create", "--label", "k=v", "vol1")
	if out := pm.must("volume", "ls", "--format", "{{.Name}} {{.Driver}}"); out != "vol1 local" {
		t.Errorf("volume ls: %q", out)
	}
	if out := pm.must("volume", "inspect", "--format", "{{.Name}} {{.Labels.k}}", "vol1"); out != "vol1 v" {
		t.Errorf("volume inspect: %q", out)
	}
	pm.must("run", "--rm", "-v", "vol1:/data", "busybox", "sh", "-c", "echo kept > /data/f")
	if out := pm.must("run", "--rm", "-v", "vol1:/data", "busybox", "cat", "/data/f"); out != "kept" {
		t.Errorf("volume content: %q", out)
	}
	pm.must("volume", "rm", "vol1")
	if _, _, code := pm.run("volume", "exists", "vol1"); code != 1 {
		t.Errorf("volume exists after rm: exit %d", code)
	}

	pm.must("network", "create", "lpnet")
	if out := pm.must("network", "ls", "--format", "{{.Name}}"); !strings.Contains(out, "lpnet") {
		t.Errorf("network ls: %q", out)
	}
	pm.must("run", "-d", "--name", "onnet", "--network", "lpnet", "busybox", "sleep", "300")
	if out := pm.must("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}", "onnet"); out != "lpnet" {
		t.Errorf("container networks: %q", out)
	}
	pm.must("network", "create", "lpnet2")
	pm.must("network", "connect", "--alias", "web", "lpnet2", "onnet")
	if out := pm.must("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "onnet"); out != "lpnet lpnet2" {
		t.Errorf("networks after connect: %q", out)
	}
	pm.must("network", "disconnect", "lpnet2", "onnet")
	pm.must("network", "rm", "lpnet2")
	if _, errOut, code := pm.run("network", "rm", "lpnet"); code == 0 || !strings.Contains(errOut, "onnet") {
		t.Errorf("network rm of a network in use: exit %d %q", code, errOut)
	}
	pm.must("network", "rm", "-f", "lpnet")
	if out := pm.must("network", "ls", "--format", "{{.Name}}"); strings.Contains(out, "lpnet") {
		t.Errorf("network left after rm -f: %q", out)
	}
}

// podman-remote pulls from a registry through the libpod API (its
// streamed reports), then tags, lists and removes the image.
func TestAPILibpodPodmanPull(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	env.ImportBusybox(t)
	ref := reg.Ref("busybox:v1")
	env.MustBerth(t, "push", "--tls-verify=false", "busybox", ref)
	pm := newPodmanCLI(t, apiService(t, env))

	out, errOut, code := pm.run("pull", "--tls-verify=false", ref)
	if code != 0 || len(out) != 64 {
		t.Fatalf("podman pull: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	// The pull gave the local image (same ID) a second name: podman lists
	// every name of the images the filter selects.
	if out := pm.must("images", "--format", "{{.Repository}}:{{.Tag}}", reg.Addr+"/busybox"); !strings.Contains(out, ref) {
		t.Errorf("pulled image listed as %q", out)
	}
	pm.must("tag", ref, "localhost/again:t")
	if _, _, code := pm.run("image", "exists", "localhost/again:t"); code != 0 {
		t.Errorf("image exists of a new tag: exit %d", code)
	}
	if out := pm.must("rmi", "localhost/again:t"); !strings.Contains(out, "Untagged: localhost/again:t") {
		t.Errorf("rmi of a tag: %q", out)
	}
	if _, errOut, code := pm.run("pull", "--tls-verify=false", reg.Ref("nosuch:v1")); code == 0 || errOut == "" {
		t.Errorf("pull of a missing image: exit %d %q", code, errOut)
	}
	if _, errOut, code := pm.run("rmi", "nosuch"); code != 1 || !strings.Contains(errOut, "nosuch") {
		t.Errorf("rmi nosuch: exit %d %q", code, errOut)
	}
}

// libpodRequest sends one request to the service at uri with podman's
// path prefix and returns the response and its body.
func libpodRequest(t *testing.T, uri, method, path string) (*http.Response, string) {
	t.Helper()
	sock := strings.TrimPrefix(uri, "unix://")
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}, Timeout: 30 * time.Second}
	req, err := http.NewRequest(method, "http://d"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, strings.TrimSpace(string(data))
}

// The libpod API's wire details a client relies on: the version headers
// of _ping under any version prefix, podman's error body, 404 for routes
// berth does not serve, exists answers, and wait's bare exit code.
func TestAPILibpodRaw(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	for _, prefix := range []string{"/v4.3.0", "/v5.0.0", ""} {
		resp, body := libpodRequest(t, uri, "GET", prefix+"/libpod/_ping")
		if resp.StatusCode != 200 || body != "OK" || resp.Header.Get("Libpod-API-Version") == "" {
			t.Errorf("%s/libpod/_ping: %d %q %v", prefix, resp.StatusCode, body, resp.Header)
		}
	}
	var e struct {
		Cause    string `json:"cause"`
		Message  string `json:"message"`
		Response int    `json:"response"`
	}
	resp, body := libpodRequest(t, uri, "GET", "/v4.3.0/libpod/containers/nosuch/json")
	if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != 404 || e.Response != 404 || e.Cause != "no such container" || !strings.Contains(e.Message, "nosuch") {
		t.Errorf("inspect of a missing container: %d %s", resp.StatusCode, body)
	}
	resp, body = libpodRequest(t, uri, "GET", "/v5.0.0/libpod/nosuch/route")
	if err := json.Unmarshal([]byte(body), &e); err != nil || resp.StatusCode != 404 || e.Response != 404 {
		t.Errorf("unknown libpod route: %d %s", resp.StatusCode, body)
	}
	if resp, _ := libpodRequest(t, uri, "GET", "/v5.0.0/libpod/images/busybox/exists"); resp.StatusCode != 204 {
		t.Errorf("image exists: %d", resp.StatusCode)
	}
	if resp, _ := libpodRequest(t, uri, "GET", "/v5.0.0/libpod/containers/nosuch/exists"); resp.StatusCode != 404 {
		t.Errorf("container exists of a missing one: %d", resp.StatusCode)
	}
	if r := env.Berth("run", "--name", "done", "busybox", "sh", "-c", "exit 4"); r.ExitCode() != 4 {
		t.Fatalf("run exit 4: %s", r)
	}
	if resp, body := libpodRequest(t, uri, "POST", "/v5.0.0/libpod/containers/done/wait?condition=exited&condition=stopped"); resp.StatusCode != 200 || body != "4" {
		t.Errorf("wait: %d %q", resp.StatusCode, body)
	}
	if resp, body := libpodRequest(t, uri, "POST", "/v5.0.0/libpod/containers/done/wait?condition=healthy"); resp.StatusCode != 400 {
		t.Errorf("wait for healthy: %d %q", resp.StatusCode, body)
	}
	resp, body = libpodRequest(t, uri, "DELETE", "/v5.0.0/libpod/containers/done")
	var reports []map[string]any
	if err := json.Unmarshal([]byte(body), &reports); err != nil || resp.StatusCode != 200 || len(reports) != 1 || reports[0]["Id"] == "" {
		t.Errorf("delete: %d %s", resp.StatusCode, body)
	}
}
