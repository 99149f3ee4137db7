package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// podWithTwo makes a running pod named name with two busybox members
// (NAME-a and NAME-b) that print a line each and sleep; the pod is
// removed at the end of the test.
func podWithTwo(t *testing.T, env *Env, name string) {
	t.Helper()
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--name", name)
	t.Cleanup(func() { env.Berth("pod", "rm", "-f", name) })
	for _, m := range []string{"a", "b"} {
		env.MustBerth(t, "run", "-d", "--pod", name, "--name", name+"-"+m, "busybox",
			"sh", "-c", "echo hello-from-"+m+"; exec sleep 100"+map[string]string{"a": "1", "b": "2"}[m])
	}
	WaitFor(t, 20*time.Second, func() bool {
		return strings.Contains(env.Berth("logs", name+"-b").Stdout(), "hello-from-b") &&
			strings.Contains(env.Berth("logs", name+"-a").Stdout(), "hello-from-a")
	})
}

// TestPodTopStatsLogs reads a two-member pod back with pod top, pod stats
// and pod logs.
func TestPodTopStatsLogs(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	podWithTwo(t, env, "tsl")

	out := env.MustBerth(t, "pod", "top", "tsl")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if h := strings.Fields(lines[0]); len(h) != 8 || h[0] != "USER" || h[7] != "COMMAND" {
		t.Errorf("pod top header = %q", lines[0])
	}
	for _, want := range []string{"sleep 1001", "sleep 1002", "/catatonit -P"} {
		if !strings.Contains(out, want) {
			t.Errorf("pod top lacks %q:\n%s", want, out)
		}
	}
	out = env.MustBerth(t, "pod", "top", "tsl", "pid,comm")
	if c := tsColumn(out, 1); len(c) != 3 {
		t.Errorf("pod top pid,comm: %q, want catatonit and two sleeps\n%s", c, out)
	}
	if out := env.MustBerth(t, "pod", "top", "--latest", "comm"); !strings.Contains(out, "sleep") {
		t.Errorf("pod top --latest:\n%s", out)
	}

	out = env.MustBerth(t, "pod", "stats", "--no-stream", "tsl")
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "POD ") || !strings.Contains(lines[0], "MEM USAGE/ LIMIT") || !strings.HasSuffix(lines[0], "PIDS") {
		t.Errorf("pod stats header = %q", lines[0])
	}
	podID := env.MustBerth(t, "pod", "inspect", "--format", "{{.ID}}", "tsl")
	if len(lines) != 4 {
		t.Fatalf("pod stats: %d rows, want infra + 2 members:\n%s", len(lines)-1, out)
	}
	for _, want := range []string{"tsl-a", "tsl-b", "-infra"} {
		if !strings.Contains(out, want) {
			t.Errorf("pod stats lacks %q:\n%s", want, out)
		}
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, strings.TrimSpace(podID)[:12]+" ") {
			t.Errorf("pod stats row %q does not start with the pod ID", l)
		}
	}
	out = env.MustBerth(t, "pod", "stats", "--no-stream", "--format", "json", "tsl")
	var rows []map[string]string
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("pod stats json: %v\n%s", err, out)
	}
	for _, k := range []string{"CPU", "MemUsage", "MemUsageBytes", "Mem", "NetIO", "BlockIO", "PIDS", "Pod", "CID", "Name"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("pod stats json lacks %s: %v", k, rows[0])
		}
	}
	out = env.MustBerth(t, "pod", "stats", "--no-stream", "--format", "{{.Name}}", "tsl")
	if got := strings.Fields(out); len(got) != 3 {
		t.Errorf("pod stats --format {{.Name}} = %q", got)
	}
	if out := env.MustBerth(t, "pod", "stats", "-a", "--no-stream", "--format", "table {{.CID}} {{.PIDS}}"); !strings.HasPrefix(out, "CID") {
		t.Errorf("pod stats table template:\n%s", out)
	}

	ids := map[string]string{}
	for _, m := range []string{"a", "b"} {
		ids[m] = strings.TrimSpace(env.MustBerth(t, "inspect", "--format", "{{.Id}}", "tsl-"+m))[:12]
	}
	out = env.MustBerth(t, "pod", "logs", "tsl")
	for _, m := range []string{"a", "b"} {
		if want := ids[m] + " hello-from-" + m; !strings.Contains(out, want) {
			t.Errorf("pod logs lacks %q:\n%s", want, out)
		}
	}
	out = env.MustBerth(t, "pod", "logs", "--names", "tsl")
	if !strings.Contains(out, "tsl-a hello-from-a") || !strings.Contains(out, "tsl-b hello-from-b") {
		t.Errorf("pod logs --names:\n%s", out)
	}
	out = env.MustBerth(t, "pod", "logs", "-c", "tsl-b", "tsl")
	if strings.TrimSpace(out) != "hello-from-b" {
		t.Errorf("pod logs -c tsl-b = %q, want the one line, unprefixed", out)
	}
	r := env.Berth("pod", "logs", "-c", "nosuch", "tsl")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "container nosuch is not in pod tsl") {
		t.Errorf("pod logs -c nosuch: %s", r)
	}
}

// TestPodClone copies a pod with its members and runs the copy.
func TestPodClone(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	podWithTwo(t, env, "orig")
	t.Cleanup(func() { env.Berth("pod", "rm", "-f", "orig-clone", "second") })

	id := strings.TrimSpace(env.MustBerth(t, "pod", "clone", "--start", "orig"))
	name := strings.TrimSpace(env.MustBerth(t, "pod", "inspect", "--format", "{{.Name}} {{.NumContainers}} {{.State}}", id))
	if name != "orig-clone 3 Running" {
		t.Errorf("clone: %q, want orig-clone with 3 containers, running", name)
	}
	out := env.MustBerth(t, "ps", "--filter", "pod=orig-clone", "--format", "{{.Names}}")
	for _, want := range []string{"orig-a-clone", "orig-b-clone"} {
		if !strings.Contains(out, want) {
			t.Errorf("clone members lack %s:\n%s", want, out)
		}
	}
	WaitFor(t, 20*time.Second, func() bool {
		return strings.Contains(env.Berth("pod", "logs", "orig-clone").Stdout(), "hello-from-b")
	})
	// The copy shares its infra container's namespaces, not the original's.
	infra := strings.TrimSpace(env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraContainerID}}", id))
	ns := env.MustBerth(t, "inspect", "--format", "{{.HostConfig.NetworkMode}}", "orig-a-clone")
	if !strings.Contains(ns, infra) {
		t.Errorf("clone member network mode %q, want the clone's infra %s", ns, infra)
	}
	// A name given; --destroy removes the original.
	env.MustBerth(t, "pod", "clone", "--name", "second", "--destroy", "orig-clone")
	if r := env.Berth("pod", "exists", "orig-clone"); r.ExitCode() != 1 {
		t.Errorf("pod clone --destroy left the original: %s", r)
	}
	if out := env.MustBerth(t, "pod", "inspect", "--format", "{{.NumContainers}}", "second"); strings.TrimSpace(out) != "3" {
		t.Errorf("second clone has %s containers", out)
	}
}

// TestPsPod shows the pod columns and filters by pod name and ID.
func TestPsPod(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	podID := strings.TrimSpace(env.MustBerth(t, "pod", "create", "--name", "pspod"))
	t.Cleanup(func() { env.Berth("pod", "rm", "-f", "pspod") })
	env.MustBerth(t, "create", "--pod", "pspod", "--name", "member", "busybox", "true")
	env.MustBerth(t, "create", "--name", "loner", "busybox", "true")
	t.Cleanup(func() { env.Berth("rm", "-f", "loner") })

	out := env.MustBerth(t, "ps", "-a", "--pod")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.Contains(lines[0], "NAMES") || !strings.HasSuffix(strings.Join(strings.Fields(lines[0]), " "), "NAMES POD ID PODNAME") {
		t.Errorf("ps --pod header = %q", lines[0])
	}
	var sawMember bool
	for _, l := range lines[1:] {
		if strings.Contains(l, "member") {
			sawMember = true
			if !strings.HasSuffix(l, podID[:12]+"  pspod") {
				t.Errorf("ps --pod member row = %q", l)
			}
		}
	}
	if !sawMember {
		t.Errorf("ps --pod lacks the member:\n%s", out)
	}
	for _, f := range []string{"pod=pspod", "pod=" + podID[:8], "pod=" + podID} {
		got := strings.Fields(env.MustBerth(t, "ps", "-a", "--filter", f, "--format", "{{.Names}}"))
		if len(got) != 2 || !strings.Contains(strings.Join(got, " "), "member") {
			t.Errorf("ps --filter %s = %q, want member and the infra container", f, got)
		}
	}
	if out := env.MustBerth(t, "ps", "-a", "--filter", "pod=nosuch", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("ps --filter pod=nosuch = %q, want nothing", out)
	}
	if out := env.MustBerth(t, "ps", "-a", "--filter", "name=member", "--format", "{{.PodName}}"); strings.TrimSpace(out) != "pspod" {
		t.Errorf("ps --format {{.PodName}} = %q", out)
	}
}

// TestPodMoreBadInput checks podman's errors for missing pods and bad
// arguments: exit 125, nothing created.
func TestPodMoreBadInput(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pod", "top", "nosuch"}, "unable to look up requested container: no pod with name or ID nosuch found: no such pod"},
		{[]string{"pod", "top"}, "you must provide the name or id of a running pod"},
		{[]string{"pod", "stats", "--no-stream", "nosuch"}, "unable to get list of pods: no pod with name or ID nosuch found: no such pod"},
		{[]string{"pod", "stats", "--no-stream", "-a", "nosuch"}, "--all, --latest and arguments cannot be used together"},
		{[]string{"pod", "logs", "nosuch"}, "no pod with name or ID nosuch found: no such pod"},
		{[]string{"pod", "clone", "nosuch"}, "no pod with name or ID nosuch found: no such pod"},
		{[]string{"pod", "top", "--latest"}, "no pods"},
	} {
		r := env.Berth(tc.args...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("%v: %s\nwant exit 125 and %q", tc.args, r, tc.want)
		}
	}
	if out := env.MustBerth(t, "pod", "ps", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("bad inputs left pods: %q", out)
	}
	// No pods: the stats table says so with a row of dashes, as podman's.
	out := env.MustBerth(t, "pod", "stats", "--no-stream")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], "--") {
		t.Errorf("pod stats with no pods:\n%s", out)
	}
}
