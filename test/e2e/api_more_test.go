package e2e

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// runStdin runs the docker client with stdin fed from in.
func (d dockerCLI) runStdin(in string, args ...string) (stdout, stderr string, code int) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.uri, "DOCKER_CONFIG="+d.t.TempDir())
	cmd.Stdin = strings.NewReader(in)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatalf("docker %v: %v", args, err)
	}
	return strings.TrimSpace(o.String()), strings.TrimSpace(e.String()), code
}

// apiStatus sends one request to the service at uri and returns the
// status and body: docker's CLI hides statuses, these tests check them.
func apiStatus(t *testing.T, uri, method, path, body string) (int, string) {
	t.Helper()
	code, out, err := apiDo(uri, method, path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return code, out
}

// apiDo sends one request to the API on uri's socket and returns the
// status and body.
func apiDo(uri, method, path, body string) (int, string, error) {
	sock := strings.TrimPrefix(uri, "unix://")
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}, Timeout: 60 * time.Second}
	req, err := http.NewRequest(method, "http://d/v1.51"+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), nil
}

// The docker CLI's exec through berth's API: output, env, user, working
// directory, stderr apart, exit codes, piped stdin, detached sessions, and
// a stopped container refused with 409.
func TestAPIDockerCLIExec(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	d := newDockerCLI(t, uri)

	d.must("run", "-d", "--name", "ex", "busybox", "sleep", "1000")
	if out := d.must("exec", "ex", "echo", "hi"); out != "hi" {
		t.Errorf("docker exec echo printed %q", out)
	}
	if out := d.must("exec", "-e", "FOO=bar", "ex", "sh", "-c", "echo $FOO"); out != "bar" {
		t.Errorf("docker exec -e printed %q", out)
	}
	if out := d.must("exec", "-u", "1000:1000", "ex", "id", "-u"); out != "1000" {
		t.Errorf("docker exec -u printed %q", out)
	}
	if out := d.must("exec", "-w", "/tmp", "ex", "pwd"); out != "/tmp" {
		t.Errorf("docker exec -w printed %q", out)
	}
	if o, e, code := d.run("exec", "ex", "sh", "-c", "echo out; echo err >&2; exit 7"); code != 7 || o != "out" || e != "err" {
		t.Errorf("docker exec exit 7: code %d stdout %q stderr %q", code, o, e)
	}
	if o, e, code := d.runStdin("piped\nlines\n", "exec", "-i", "ex", "cat"); code != 0 || o != "piped\nlines" {
		t.Errorf("docker exec -i cat: code %d stdout %q stderr %q", code, o, e)
	}
	d.must("exec", "-d", "ex", "sh", "-c", "sleep 0.2; echo done > /tmp/d")
	WaitFor(t, 10*time.Second, func() bool {
		o, _, _ := d.run("exec", "ex", "cat", "/tmp/d")
		return o == "done"
	})
	if _, e, code := d.run("exec", "ex", "/nosuch"); code != 127 || !strings.Contains(e, "/nosuch") {
		t.Errorf("docker exec of a missing binary: %d %s", code, e)
	}

	// Inspect of a session the CLI left behind shows its exit code.
	st, body := apiStatus(t, uri, "POST", "/containers/ex/exec", `{"Cmd":["sh","-c","exit 4"],"AttachStdout":true}`)
	if st != 201 || !strings.Contains(body, `"Id"`) {
		t.Fatalf("exec create: %d %s", st, body)
	}
	id := body[strings.Index(body, `"Id":"`)+6:]
	id = id[:strings.Index(id, `"`)]
	if st, body := apiStatus(t, uri, "GET", "/exec/"+id+"/json", ""); st != 200 || !strings.Contains(body, `"Running":false`) || !strings.Contains(body, `"ExitCode":null`) || !strings.Contains(body, `"entrypoint":"sh"`) {
		t.Errorf("inspect of a created exec: %d %s", st, body)
	}
	if st, body := apiStatus(t, uri, "POST", "/exec/"+id+"/start", `{"Detach":true}`); st != 200 {
		t.Errorf("detached exec start: %d %s", st, body)
	}
	WaitFor(t, 10*time.Second, func() bool {
		_, body := apiStatus(t, uri, "GET", "/exec/"+id+"/json", "")
		return strings.Contains(body, `"ExitCode":4`)
	})
	if st, body := apiStatus(t, uri, "POST", "/exec/"+id+"/start", `{"Detach":true}`); st != 409 {
		t.Errorf("second start of an exec: %d %s", st, body)
	}
	if st, body := apiStatus(t, uri, "GET", "/exec/nosuch/json", ""); st != 404 {
		t.Errorf("inspect of an unknown exec: %d %s", st, body)
	}
	if st, body := apiStatus(t, uri, "POST", "/exec/nosuch/resize?h=10&w=10", ""); st != 404 {
		t.Errorf("resize of an unknown exec: %d %s", st, body)
	}

	d.must("create", "--name", "stopped", "busybox", "true")
	if st, body := apiStatus(t, uri, "POST", "/containers/stopped/exec", `{"Cmd":["true"]}`); st != 409 {
		t.Errorf("exec in a stopped container: %d %s", st, body)
	}
	if _, e, code := d.run("exec", "stopped", "true"); code == 0 || !strings.Contains(e, "running") {
		t.Errorf("docker exec in a stopped container: %d %s", code, e)
	}
	if st, body := apiStatus(t, uri, "POST", "/containers/nosuch/exec", `{"Cmd":["true"]}`); st != 404 {
		t.Errorf("exec in a missing container: %d %s", st, body)
	}
	d.must("rm", "-f", "ex", "stopped")
}

// Networks through the docker CLI: create with a subnet and labels, ls
// with filters, inspect (IPAM, containers), a container reaching another
// by alias, connect, disconnect, rm refused while in use, prune, and the
// default network's docker name.
func TestAPIDockerCLINetworks(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	d := newDockerCLI(t, uri)

	id := d.must("network", "create", "--subnet", "10.232.1.0/24", "--gateway", "10.232.1.1", "--label", "team=api", "apinet1")
	t.Cleanup(func() { env.Berth("network", "rm", "-f", "apinet1", "apinet2") })
	if len(id) != 64 {
		t.Errorf("docker network create printed %q", id)
	}
	if ls := d.must("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}"); !strings.Contains(ls, "apinet1 bridge local") || !strings.Contains(ls, "berth bridge local") {
		t.Errorf("docker network ls:\n%s", ls)
	}
	if ls := d.must("network", "ls", "-q", "--filter", "label=team=api"); !strings.HasPrefix(id, ls) || ls == "" {
		t.Errorf("docker network ls --filter label: %q (id %s)", ls, id)
	}
	if got := d.must("network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Labels.team}}", "apinet1"); got != "10.232.1.0/24 10.232.1.1 api" {
		t.Errorf("docker network inspect: %q", got)
	}
	if got := d.must("network", "inspect", "--format", "{{.Name}}", "bridge"); got != "berth" {
		t.Errorf("docker network inspect bridge: %q", got)
	}

	d.must("run", "-d", "--name", "srv", "--network", "apinet1", "--network-alias", "webalias",
		"busybox", "sh", "-c", "echo served > /tmp/index.html; exec httpd -f -p 8080 -h /tmp")
	t.Cleanup(func() { env.Berth("rm", "-f", "-t", "0", "srv") })
	if got := d.must("network", "inspect", "--format", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}", "apinet1"); !strings.HasPrefix(got, "srv 10.232.1.") {
		t.Errorf("docker network inspect Containers: %q", got)
	}
	var out string
	WaitFor(t, 20*time.Second, func() bool {
		out, _, _ = d.run("run", "--rm", "--network", "apinet1", "busybox", "wget", "-qO-", "http://webalias:8080/index.html")
		return out == "served"
	})

	d.must("network", "create", "--subnet", "10.232.2.0/24", "apinet2")
	d.must("network", "connect", "--alias", "other", "apinet2", "srv")
	if nets := d.must("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "srv"); !strings.Contains(nets, "apinet2") {
		t.Errorf("after connect, srv is on %q", nets)
	}
	d.must("network", "disconnect", "apinet2", "srv")
	if nets := d.must("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "srv"); strings.Contains(nets, "apinet2") {
		t.Errorf("after disconnect, srv is on %q", nets)
	}

	if _, e, code := d.run("network", "rm", "apinet1"); code == 0 || !strings.Contains(e, "srv") {
		t.Errorf("docker network rm of a network in use: %d %s", code, e)
	}
	if st, body := apiStatus(t, uri, "DELETE", "/networks/apinet1", ""); st != 403 {
		t.Errorf("DELETE of a network in use: %d %s", st, body)
	}
	if st, body := apiStatus(t, uri, "DELETE", "/networks/bridge", ""); st != 403 {
		t.Errorf("DELETE of the default network: %d %s", st, body)
	}
	if _, e, code := d.run("network", "inspect", "nosuchnet"); code == 0 || !strings.Contains(e, "not found") {
		t.Errorf("docker network inspect nosuchnet: %d %s", code, e)
	}
	if st, body := apiStatus(t, uri, "GET", "/networks/nosuchnet", ""); st != 404 {
		t.Errorf("GET of an unknown network: %d %s", st, body)
	}
	if st, body := apiStatus(t, uri, "POST", "/networks/nosuchnet/connect", `{"Container":"srv"}`); st != 404 {
		t.Errorf("connect to an unknown network: %d %s", st, body)
	}
	if st, body := apiStatus(t, uri, "POST", "/networks/create", `{"Name":"apibad","Driver":"overlay"}`); st != 400 {
		t.Errorf("create with the overlay driver: %d %s", st, body)
	}

	if out := d.must("network", "prune", "-f"); !strings.Contains(out, "apinet2") || strings.Contains(out, "apinet1") {
		t.Errorf("docker network prune:\n%s", out)
	}
	d.must("rm", "-f", "srv")
	d.must("network", "rm", "apinet1")
	if ls := d.must("network", "ls", "--format", "{{.Name}}"); strings.Contains(ls, "apinet") {
		t.Errorf("networks left after rm and prune:\n%s", ls)
	}
}

// Volumes through the docker CLI: create with labels, ls with filters,
// inspect, data kept across runs with -v NAME:/data, rm refused while in
// use (409), prune of anonymous volumes and, with -a, of named ones.
func TestAPIDockerCLIVolumes(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	d := newDockerCLI(t, uri)

	if out := d.must("volume", "create", "--label", "k=v", "apivol"); out != "apivol" {
		t.Errorf("docker volume create printed %q", out)
	}
	// Creating it again is no error (compose does it on every up).
	d.must("volume", "create", "apivol")
	if ls := d.must("volume", "ls", "--format", "{{.Name}} {{.Driver}}"); !strings.Contains(ls, "apivol local") {
		t.Errorf("docker volume ls:\n%s", ls)
	}
	if ls := d.must("volume", "ls", "-q", "--filter", "label=k=v"); ls != "apivol" {
		t.Errorf("docker volume ls --filter label: %q", ls)
	}
	if got := d.must("volume", "inspect", "--format", "{{.Name}} {{.Scope}} {{.Labels.k}}", "apivol"); got != "apivol local v" {
		t.Errorf("docker volume inspect: %q", got)
	}
	d.must("run", "--rm", "-v", "apivol:/data", "busybox", "sh", "-c", "echo kept > /data/f")
	if out := d.must("run", "--rm", "-v", "apivol:/data", "busybox", "cat", "/data/f"); out != "kept" {
		t.Errorf("volume data read back as %q", out)
	}

	d.must("run", "-d", "--name", "user", "-v", "apivol:/data", "busybox", "sleep", "1000")
	if _, e, code := d.run("volume", "rm", "apivol"); code == 0 || !strings.Contains(e, "being used") {
		t.Errorf("docker volume rm of a volume in use: %d %s", code, e)
	}
	if st, body := apiStatus(t, uri, "DELETE", "/volumes/apivol", ""); st != 409 {
		t.Errorf("DELETE of a volume in use: %d %s", st, body)
	}
	d.must("rm", "-f", "user")
	d.must("volume", "rm", "apivol")
	if _, e, code := d.run("volume", "inspect", "apivol"); code == 0 || !strings.Contains(strings.ToLower(e), "no such volume") {
		t.Errorf("docker volume inspect of a removed volume: %d %s", code, e)
	}
	if st, body := apiStatus(t, uri, "DELETE", "/volumes/apivol", ""); st != 404 {
		t.Errorf("DELETE of a missing volume: %d %s", st, body)
	}
	if st, body := apiStatus(t, uri, "DELETE", "/volumes/apivol?force=1", ""); st != 204 {
		t.Errorf("forced DELETE of a missing volume: %d %s", st, body)
	}

	// prune takes anonymous volumes; -a named ones too.
	d.must("volume", "create", "named")
	d.must("create", "--name", "anon", "-v", "/anon", "busybox", "true")
	d.must("rm", "anon")
	if n := len(strings.Fields(d.must("volume", "ls", "-q"))); n != 2 {
		t.Fatalf("want the named and the anonymous volume, have %d", n)
	}
	if out := d.must("volume", "prune", "-f"); strings.Contains(out, "named") || !strings.Contains(out, "Deleted Volumes") {
		t.Errorf("docker volume prune:\n%s", out)
	}
	if ls := d.must("volume", "ls", "-q"); ls != "named" {
		t.Errorf("after prune: %q", ls)
	}
	if out := d.must("volume", "prune", "-af"); !strings.Contains(out, "named") {
		t.Errorf("docker volume prune -a:\n%s", out)
	}
	if ls := d.must("volume", "ls", "-q"); ls != "" {
		t.Errorf("after prune -a: %q", ls)
	}
}
