package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// nsLinks prints the namespace links of the shell itself, one a line.
const nsLinks = `for k in ipc uts pid net; do readlink /proc/self/ns/$k; done`

// inspectPod returns `pod inspect NAME` decoded.
func inspectPod(t *testing.T, env *Env, name string) map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "pod", "inspect", name)), &out); err != nil || len(out) != 1 {
		t.Fatalf("pod inspect %s: %v (%d items)", name, err, len(out))
	}
	return out[0]
}

// Members share the infra container's network (127.0.0.1 between them,
// the pod's published port from the host), IPC, UTS (the pod's name as
// hostname) and, with --share +pid, their processes.
func TestPodSharedNamespaces(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	port := freePort(t)
	podID := env.MustBerth(t, "pod", "create", "--name", "web", "--share", "+pid", "-p", fmt.Sprintf("127.0.0.1:%d:80", port))
	if len(podID) != 64 {
		t.Fatalf("pod create printed %q, want the pod ID", podID)
	}
	env.MustBerth(t, "run", "-d", "--pod", "web", "--name", "srv", "busybox", "sh", "-c",
		"mkdir /www && echo hello-from-pod > /www/index.html && echo shm > /dev/shm/mark && exec httpd -f -p 80 -h /www")
	WaitFor(t, 10*time.Second, func() bool {
		return env.Berth("exec", "srv", "wget", "-qO-", "http://127.0.0.1:80/").Stdout() == "hello-from-pod\n"
	})
	out := env.MustBerth(t, "run", "--rm", "--pod", "web", "busybox", "sh", "-c",
		"wget -qO- http://127.0.0.1:80/ && hostname && cat /etc/hostname && echo $HOSTNAME && cat /dev/shm/mark && ps -o args")
	for _, want := range []string{"hello-from-pod", "\nweb\nweb\nweb\n", "shm", "httpd -f -p 80", "/catatonit -P"} {
		if !strings.Contains(out, want) {
			t.Errorf("a second member saw:\n%s\nwant %q in it", out, want)
		}
	}
	a := env.MustBerth(t, "exec", "srv", "sh", "-c", nsLinks)
	b := env.MustBerth(t, "run", "--rm", "--pod", "web", "busybox", "sh", "-c", nsLinks)
	if a != b || strings.Count(a, "\n") != 3 {
		t.Errorf("members' namespaces differ:\n%s\nvs\n%s", a, b)
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		t.Fatalf("the pod's published port: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello-from-pod\n" {
		t.Errorf("GET on the pod's port = %q", body)
	}
	// Without +pid, members keep their own pid namespace.
	env.MustBerth(t, "pod", "create", "--name", "nopid")
	env.MustBerth(t, "run", "-d", "--pod", "nopid", "--name", "sleeper", "busybox", "sleep", "1000")
	if out := env.MustBerth(t, "run", "--rm", "--pod", "nopid", "busybox", "ps", "-o", "args"); strings.Contains(out, "sleep 1000") {
		t.Errorf("a member of a pod without pid sharing sees the others' processes:\n%s", out)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "web", "nopid")
}

// The pod's life: create, start, stop, restart, pause, kill, and a pod rm
// -f that leaves no container, network namespace or cgroup behind.
func TestPodLifecycle(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := env.MustBerth(t, "pod", "create", "--name", "life", "--label", "app=x", "--memory", "64m", "--cpus", "0.5")
	p := inspectPod(t, env, "life")
	infra, _ := p["InfraContainerID"].(string)
	if p["State"] != "Created" || p["Hostname"] != "life" || p["NumContainers"] != 1.0 || infra == "" {
		t.Fatalf("pod inspect of a new pod = %v", p)
	}
	if got := env.MustBerth(t, "ps", "-a", "--filter", "pod="+id, "--format", "{{.Names}}"); got != id[:12]+"-infra" {
		t.Errorf("the infra container is %q, want %s-infra", got, id[:12])
	}
	env.MustBerth(t, "create", "--pod", "life", "--name", "a", "busybox", "sleep", "1000")
	env.MustBerth(t, "create", "--pod", id[:12], "--name", "b", "busybox", "sleep", "1000")
	for i := 0; i < 2; i++ {
		if got := env.MustBerth(t, "pod", "start", "life"); got != id {
			t.Errorf("pod start printed %q, want the pod ID", got)
		}
		if got := env.MustBerth(t, "pod", "ps", "--format", "{{.Name}} {{.Status}} {{.NumberOfContainers}}"); got != "life Running 3" {
			t.Errorf("pod ps after start = %q", got)
		}
		if got := env.MustBerth(t, "pod", "stop", "-t", "0", "life"); got != id {
			t.Errorf("pod stop printed %q", got)
		}
		if got := env.MustBerth(t, "pod", "ps", "--format", "{{.Status}}", "--filter", "label=app=x"); got != "Exited" {
			t.Errorf("pod ps after stop = %q", got)
		}
	}
	env.MustBerth(t, "pod", "restart", "-t", "0", "life")
	// The pod's cgroup carries its limits; the members sit in it.
	mem, err := os.ReadFile(filepath.Join("/sys/fs/cgroup/memory/berth", "berth-pod-"+id, "memory.limit_in_bytes"))
	if err == nil && strings.TrimSpace(string(mem)) != "67108864" {
		t.Errorf("pod memory limit = %s, want 64m", mem)
	}
	if err == nil {
		if out := env.MustBerth(t, "exec", "a", "cat", "/proc/self/cgroup"); !strings.Contains(out, "berth-pod-"+id) {
			t.Errorf("member cgroup = %s, want it under the pod's", out)
		}
	}
	env.MustBerth(t, "pod", "pause", "life")
	if got := env.MustBerth(t, "pod", "ps", "--format", "{{.Status}}"); got != "Paused" {
		t.Errorf("pod ps after pause = %q", got)
	}
	env.MustBerth(t, "pod", "unpause", "life")
	env.MustBerth(t, "pod", "kill", "-s", "KILL", "life")
	WaitFor(t, 10*time.Second, func() bool {
		return env.MustBerth(t, "pod", "ps", "--format", "{{.Status}}") == "Exited"
	})
	env.MustBerth(t, "pod", "start", "life")
	// Running members keep the pod unless forced.
	r := env.Berth("pod", "rm", "life")
	if r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "running") {
		t.Errorf("pod rm of a running pod: %s", r)
	}
	ids := env.MustBerth(t, "ps", "-aq", "--no-trunc")
	if got := env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "life"); got != id {
		t.Errorf("pod rm -f printed %q", got)
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("containers left after pod rm -f: %s", got)
	}
	if r := env.Berth("pod", "exists", "life"); r.ExitCode() != 1 {
		t.Errorf("pod exists after rm: %s", r)
	}
	for _, cid := range strings.Fields(ids) {
		if m, _ := filepath.Glob("/sys/fs/cgroup/*/*/*/berth-" + cid); len(m) > 0 {
			t.Errorf("member cgroup left: %v", m)
		}
		if _, err := os.Stat(filepath.Join(env.RunRoot, "berth", "netns", cid)); err == nil {
			t.Errorf("network namespace of %s left", cid)
		}
	}
	if m, _ := filepath.Glob("/sys/fs/cgroup/*/berth/berth-pod-" + id); len(m) > 0 {
		t.Errorf("pod cgroup left: %v", m)
	}
}

// create/run --pod new:NAME makes the pod, moving the published ports to
// it; --pod-id-file joins by ID; --replace and --infra=false.
func TestPodNewAndIDFile(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	port := freePort(t)
	env.MustBerth(t, "run", "-d", "--pod", "new:fresh", "-p", fmt.Sprintf("127.0.0.1:%d:8080", port), "--name", "srv", "busybox",
		"sh", "-c", "echo ok > /tmp/index.html && exec httpd -f -p 8080 -h /tmp")
	p := inspectPod(t, env, "fresh")
	if p["NumContainers"] != 2.0 {
		t.Errorf("pod new: has %v containers, want infra + srv", p["NumContainers"])
	}
	WaitFor(t, 10*time.Second, func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/index.html", port))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	idFile := filepath.Join(env.Dir, "pod.id")
	id := env.MustBerth(t, "pod", "create", "--pod-id-file", idFile, "--name", "byfile")
	if b, _ := os.ReadFile(idFile); string(b) != id {
		t.Errorf("pod id file holds %q, want %q", b, id)
	}
	if r := env.Berth("pod", "create", "--pod-id-file", idFile); r.ExitCode() != 125 {
		t.Errorf("pod create with an existing id file: %s", r)
	}
	env.MustBerth(t, "create", "--pod-id-file", idFile, "--name", "joined", "busybox", "true")
	if got := env.MustBerth(t, "inspect", "--format", "{{.Pod}}", "joined"); got != id {
		t.Errorf("--pod-id-file joined pod %q, want %q", got, id)
	}
	replaced := env.MustBerth(t, "pod", "create", "--replace", "--name", "byfile")
	if replaced == id || env.Berth("inspect", "joined").ExitCode() == 0 {
		t.Errorf("pod create --replace kept the old pod or its members")
	}
	// Without infra there is nothing to share; members keep their own.
	env.MustBerth(t, "pod", "create", "--infra=false", "--name", "bare")
	if p := inspectPod(t, env, "bare"); p["NumContainers"] != 0.0 || p["CreateInfra"] != false {
		t.Errorf("pod without infra = %v", p)
	}
	if got := env.MustBerth(t, "run", "--rm", "--pod", "bare", "busybox", "echo", "alone"); got != "alone" {
		t.Errorf("member of a pod without infra printed %q", got)
	}
	env.MustBerth(t, "pod", "rm", "-af", "-t", "0")
	if got := env.MustBerth(t, "pod", "ps", "-q"); got != "" {
		t.Errorf("pods left after pod rm -af: %s", got)
	}
}

// --exit-policy stop stops the pod (its infra container) once the last
// member exits.
func TestPodExitPolicyStop(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--name", "job", "--exit-policy", "stop")
	env.MustBerth(t, "run", "-d", "--pod", "job", "busybox", "sleep", "1")
	WaitFor(t, 20*time.Second, func() bool {
		return env.MustBerth(t, "pod", "ps", "--format", "{{.Status}}") == "Exited"
	})
	env.MustBerth(t, "pod", "create", "--name", "svc")
	env.MustBerth(t, "run", "-d", "--pod", "svc", "busybox", "true")
	time.Sleep(2 * time.Second)
	if got := env.MustBerth(t, "pod", "ps", "--filter", "name=svc", "--format", "{{.Status}}"); got != "Degraded" {
		t.Errorf("a continue pod after its member exited is %q, want Degraded (infra still runs)", got)
	}
	env.MustBerth(t, "pod", "rm", "-af", "-t", "0")
}

// Bad input: a clear error and nothing created.
func TestPodBadInput(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--name", "taken", "-p", fmt.Sprintf("127.0.0.1:%d:80", freePort(t)))
	infra := env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraContainerID}}", "taken")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "--pod", "nope", "busybox"}, "no pod with name or ID nope found"},
		{[]string{"create", "--pod", "taken", "-p", "8080:80", "busybox"}, "network cannot be configured when it is shared with a pod"},
		{[]string{"create", "--pod", "taken", "--network", "none", "busybox"}, "network cannot be configured"},
		{[]string{"create", "--pod", "taken", "--hostname", "h", "busybox"}, "hostname"},
		{[]string{"pod", "create", "--name", "taken"}, "name \"taken\" is in use"},
		{[]string{"pod", "create", "--share", "bogus"}, "invalid kernel namespace to share: bogus"},
		{[]string{"pod", "create", "--infra=false", "--share", "net"}, "without an infra container"},
		{[]string{"pod", "create", "--infra=false", "-p", "80"}, "no infra container"},
		{[]string{"pod", "create", "--exit-policy", "sometimes"}, "--exit-policy"},
		{[]string{"pod", "create", "--memory", "lots"}, "--memory"},
		{[]string{"pod", "start", "nope"}, "no pod with name or ID nope found"},
		{[]string{"rm", "-f", infra}, "is the infra container of pod"},
	} {
		before := env.MustBerth(t, "ps", "-aq")
		pods := env.MustBerth(t, "pod", "ps", "-q")
		r := env.Berth(tc.args...)
		if r.ExitCode() == 0 || !strings.Contains(r.Stderr(), tc.want) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") > 0 {
			t.Errorf("%v: want one line with %q, got %s", tc.args, tc.want, r)
		}
		if after := env.MustBerth(t, "ps", "-aq"); after != before {
			t.Errorf("%v changed the containers: %q -> %q", tc.args, before, after)
		}
		if after := env.MustBerth(t, "pod", "ps", "-q"); after != pods {
			t.Errorf("%v changed the pods: %q -> %q", tc.args, pods, after)
		}
	}
	env.MustBerth(t, "pod", "rm", "-f", "taken")
}

// Sixteen operations on pods and their members at once neither deadlock
// nor leave orphans: every member belongs to a pod that exists, and
// removing everything leaves nothing.
func TestPodConcurrency(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	const pods = 4
	for i := 0; i < pods; i++ {
		env.MustBerth(t, "pod", "create", "--name", fmt.Sprintf("cp%d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			pod := fmt.Sprintf("cp%d", i%pods)
			var args []string
			switch i % 4 {
			case 0, 1:
				args = []string{"run", "-d", "--pod", pod, "busybox", "sleep", "1000"}
			case 2:
				args = []string{"pod", "start", pod}
			case 3:
				args = []string{"pod", "stop", "-t", "0", pod}
			}
			if r := env.Berth(args...); r.Err != nil {
				errs <- r.String()
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("hung or failed to run: %s", e)
	}
	var listed []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "pod", "ps", "--format", "json")), &listed); err != nil || len(listed) != pods {
		t.Fatalf("pod ps after the storm: %v, %d pods", err, len(listed))
	}
	members := 0
	for _, p := range listed {
		ctrs, _ := p["Containers"].([]any)
		members += len(ctrs)
	}
	if all := len(strings.Fields(env.MustBerth(t, "ps", "-aq"))); all != members {
		t.Errorf("%d containers but the pods list %d members", all, members)
	}
	env.MustBerth(t, "pod", "rm", "-af", "-t", "0")
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("containers left: %s", got)
	}
}

// A pod's volumes, --add-host and --dns reach every member: the infra
// container holds them, members mount its volumes and see its files.
func TestPodVolumesAndNames(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	host := filepath.Join(env.Dir, "shared")
	if err := os.MkdirAll(host, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(host, "f"), []byte("from-host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "pod", "create", "--name", "vp", "-v", host+":/data:ro", "-v", "podvol:/pv",
		"--add-host", "db.example:10.9.9.9", "--dns", "10.1.2.3", "--hostname", "podhost")
	out := env.MustBerth(t, "run", "--rm", "--pod", "vp", "busybox", "sh", "-c",
		"cat /data/f && echo kept > /pv/x && cat /etc/hosts /etc/resolv.conf && hostname && (touch /data/g 2>/dev/null && echo writable || echo readonly)")
	for _, want := range []string{"from-host", "10.9.9.9\tdb.example", "nameserver 10.1.2.3", "podhost", "readonly"} {
		if !strings.Contains(out, want) {
			t.Errorf("member saw:\n%s\nwant %q", out, want)
		}
	}
	if got := env.MustBerth(t, "run", "--rm", "--pod", "vp", "busybox", "cat", "/pv/x"); got != "kept" {
		t.Errorf("a second member reads %q from the pod's volume, want kept", got)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "vp")
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "podvol" {
		t.Errorf("after pod rm the named volume list is %q, want podvol (named volumes survive)", got)
	}
}

// --requires: starting a container, or its pod, starts what it requires
// first; the required container cannot be removed before it; a missing
// one is refused at create and leaves nothing.
func TestPodRequires(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--name", "ordered")
	env.MustBerth(t, "create", "--pod", "ordered", "--name", "db", "busybox", "sleep", "1000")
	env.MustBerth(t, "create", "--pod", "ordered", "--name", "app", "--requires", "db", "busybox", "sleep", "1000")
	env.MustBerth(t, "start", "app")
	if got := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "db"); got != "running" {
		t.Errorf("start app left its required db %s", got)
	}
	env.MustBerth(t, "pod", "stop", "-t", "0", "ordered")
	env.MustBerth(t, "pod", "start", "ordered")
	for _, c := range []string{"db", "app"} {
		if got := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", c); got != "running" {
			t.Errorf("after pod start, %s is %s", c, got)
		}
	}
	if r := env.Berth("rm", "-f", "db"); r.ExitCode() == 0 {
		t.Errorf("rm of a required container succeeded:\n%s", r)
	}
	if r := env.Berth("create", "--name", "orphan", "--requires", "db,nosuch", "busybox", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuch") {
		t.Errorf("--requires a missing container:\n%s", r)
	}
	if r := env.Berth("container", "exists", "orphan"); r.ExitCode() != 1 {
		t.Errorf("a refused --requires left container orphan")
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "ordered")
}
