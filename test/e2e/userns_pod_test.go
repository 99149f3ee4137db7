package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A pod's user namespace (pod create --userns): the infra container owns
// it, every member joins it with a rootfs of its own made with the pod's
// maps, and pod rm gives an auto range back.

func TestUsernsPodAuto(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--userns", "auto", "--network", "none", "--name", "p1")
	if got := env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraConfig.UserNS}}", "p1"); got != "auto" {
		t.Errorf("pod inspect userns = %q, want auto", got)
	}
	env.MustBerth(t, "volume", "create", "shared")
	script := "cat /proc/self/uid_map; readlink /proc/self/ns/user; id -u; touch /data/$0 /rootfs-ok && echo ok"
	m1 := env.MustBerth(t, "run", "--rm", "--pod", "p1", "-v", "shared:/data", "busybox", "sh", "-c", script, "m1")
	m2 := env.MustBerth(t, "run", "--rm", "--pod", "p1", "-v", "shared:/data", "busybox", "sh", "-c", script, "m2")
	l1, l2 := strings.Split(m1, "\n"), strings.Split(m2, "\n")
	if len(l1) != 4 || len(l2) != 4 || l1[2] != "0" || l1[3] != "ok" {
		t.Fatalf("members: %q and %q, want a uid_map, a namespace, root and a writable rootfs", m1, m2)
	}
	if l1[0] != l2[0] || l1[1] != l2[1] {
		t.Errorf("members differ: %q / %q", m1, m2)
	}
	_, hostStart, size := idMapLine(t, l1[0])
	if hostStart == 0 || size < 65536 {
		t.Errorf("member uid_map %q: want the pod's range (not the host's, 65536 IDs)", l1[0])
	}
	infraMap := env.MustBerth(t, "inspect", "--format", "{{json .HostConfig.IDMappings.UIDMap}}", infraOf(t, env, "p1"))
	if !strings.Contains(infraMap, strings.Join(strings.Fields(l1[0]), ":")) {
		t.Errorf("infra IDMappings %s, member uid_map %q: want the same map", infraMap, l1[0])
	}
	// The files the members wrote are owned by the pod's root on the host.
	mp := env.MustBerth(t, "volume", "inspect", "--format", "{{.Mountpoint}}", "shared")
	for _, f := range []string{"m1", "m2"} {
		st, err := os.Stat(filepath.Join(mp, f))
		if err != nil {
			t.Fatal(err)
		}
		if sys := st.Sys().(*syscall.Stat_t); uint64(sys.Uid) != hostStart {
			t.Errorf("%s on the host: uid %d, want %d", f, sys.Uid, hostStart)
		}
	}

	// A second pod gets another range; a removed pod's range is reused.
	env.MustBerth(t, "pod", "create", "--userns", "auto:size=2000", "--network", "none", "--name", "p2")
	first := func(pod string) string {
		m := env.MustBerth(t, "inspect", "--format", "{{index .HostConfig.IDMappings.UIDMap 0}}", infraOf(t, env, pod))
		return strings.Split(m, ":")[1]
	}
	p1, p2 := first("p1"), first("p2")
	if p1 == p2 {
		t.Errorf("two auto pods share host ID %s", p1)
	}
	if got := env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraConfig.UserNS}}", "p2"); got != "auto:size=2000" {
		t.Errorf("pod inspect userns = %q, want auto:size=2000", got)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "p1")
	env.MustBerth(t, "pod", "create", "--userns", "auto", "--network", "none", "--name", "p3")
	if p3 := first("p3"); p3 != p1 {
		t.Errorf("after pod rm p1 (host ID %s), a new auto pod got %s, want the freed range", p1, p3)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "p2", "p3")
}

// infraOf is a pod's infra container ID.
func infraOf(t *testing.T, env *Env, pod string) string {
	t.Helper()
	return env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraContainerID}}", pod)
}

// A pod with fixed maps (--uidmap/--gidmap); a member asking for its own
// user namespace is refused as podman does, and bad pod modes are one
// line with nothing made.
func TestUsernsPodBadInput(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--uidmap", "0:600000:5000", "--gidmap", "0:700000:5000", "--network", "none", "--name", "fixed")
	got := env.MustBerth(t, "run", "--rm", "--pod", "fixed", "busybox", "sh", "-c", "head -1 /proc/self/uid_map; head -1 /proc/self/gid_map")
	if f := strings.Fields(got); len(f) != 6 || f[1] != "600000" || f[4] != "700000" {
		t.Errorf("member of a pod with --uidmap/--gidmap: %q", got)
	}
	for _, args := range [][]string{{"--userns", "auto"}, {"--uidmap", "0:1000:10", "--gidmap", "0:1000:10"}} {
		r := env.Berth(append(append([]string{"create", "--pod", "fixed"}, args...), "busybox", "true")...)
		paExpectError(t, r, 125, "cannot set user namespace mode when joining pod with infra container")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--userns", "bogus"}, "unrecognized namespace mode"},
		{[]string{"--userns", "ns:/proc/self/ns/user"}, "invalid pod user namespace mode"},
		{[]string{"--userns", "container:x"}, "invalid pod user namespace mode"},
		{[]string{"--userns", "keep-id"}, "keep-id is only supported in rootless mode"},
		{[]string{"--userns", "auto", "--infra=false"}, "no infra container to hold its user namespace"},
		{[]string{"--userns", "auto", "--uidmap", "0:1:2"}, "mutually exclusive"},
	} {
		r := env.Berth(append([]string{"pod", "create", "--name", "bad"}, tc.args...)...)
		paExpectError(t, r, 125, tc.want)
		if strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("%v: more than one line: %s", tc.args, r)
		}
	}
	if out := env.MustBerth(t, "pod", "ps", "--format", "{{.Name}}"); out != "fixed" {
		t.Errorf("bad pod input left pods: %q", out)
	}
	if out := env.MustBerth(t, "ps", "-aq"); len(strings.Fields(out)) != 1 {
		t.Errorf("bad input left containers: %q", out)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "fixed")
}

// A pod with a user namespace on a bridge network: the runtime makes the
// infra's network namespace inside its new user namespace, members join
// both (exec too), and a member's server is reached through the pod's
// published port.
func TestUsernsPodNetwork(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "network", "create", "--subnet", "10.253.1.0/24", "unet")
	port := strconv.Itoa(freePort(t))
	env.MustBerth(t, "pod", "create", "--userns", "auto", "--network", "unet", "-p", "127.0.0.1:"+port+":8080", "--name", "np")
	env.MustBerth(t, "run", "-d", "--pod", "np", "--name", "srv", "busybox", "sh", "-c",
		"mkdir /www && head -1 /proc/self/uid_map > /www/i && exec httpd -f -p 8080 -h /www")
	got := strings.TrimSpace(httpGet(t, "http://127.0.0.1:"+port+"/i"))
	if f := strings.Fields(got); len(f) != 3 || f[1] == "0" {
		t.Errorf("member's uid_map through the published port: %q, want the pod's range", got)
	}
	if in := env.MustBerth(t, "exec", "srv", "head", "-1", "/proc/self/uid_map"); strings.Join(strings.Fields(in), " ") != strings.Join(strings.Fields(got), " ") {
		t.Errorf("exec into the member: uid_map %q, want the pod's %q", in, got)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "np")
	env.MustBerth(t, "network", "rm", "unet")
}

// kube play of a pod with hostUsers: false gives it an auto user
// namespace, as podman plays it.
func TestUsernsPodKube(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	file := writeKube(t, env, "userns.yaml", `apiVersion: v1
kind: Pod
metadata: {name: kp}
spec:
  hostUsers: false
  restartPolicy: Never
  containers: [{name: c, image: busybox, command: [sh, -c, "head -1 /proc/self/uid_map"]}]
`)
	env.MustBerth(t, "kube", "play", "--network", "none", file)
	if got := env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraConfig.UserNS}}", "kp"); got != "auto" {
		t.Errorf("pod inspect userns = %q, want auto", got)
	}
	var logs string
	WaitFor(t, DefaultTimeout, func() bool {
		logs = strings.TrimSpace(env.Berth("logs", "kp-c").Stdout())
		return logs != ""
	})
	if f := strings.Fields(logs); len(f) != 3 || f[1] == "0" {
		t.Errorf("member uid_map %q, want a mapped range", logs)
	}
	env.MustBerth(t, "kube", "play", "--down", file)
}

// Through the API (berth --url, podman's PodSpecGenerator userns and
// idmappings) a pod gets its user namespace too.
func TestUsernsPodRemote(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	env.MustBerth(t, "--url", uri, "pod", "create", "--userns", "auto:size=3000", "--network", "none", "--name", "ra")
	env.MustBerth(t, "--url", uri, "pod", "create", "--uidmap", "0:800000:100", "--gidmap", "0:800000:100", "--network", "none", "--name", "rm")
	if got := env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraConfig.UserNS}}", "ra"); got != "auto:size=3000" {
		t.Errorf("remote pod userns = %q, want auto:size=3000", got)
	}
	got := env.MustBerth(t, "run", "--rm", "--pod", "rm", "busybox", "head", "-1", "/proc/self/uid_map")
	if f := strings.Fields(got); len(f) != 3 || f[1] != "800000" || f[2] != "100" {
		t.Errorf("member of a remote pod with --uidmap: %q", got)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "ra", "rm")
}

// pod clone of a pod with an auto user namespace: the copy gets a range
// of its own, and its members join the copy's infra namespace.
func TestUsernsPodClone(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--network", "none", "--userns", "auto", "--name", "orig")
	env.MustBerth(t, "create", "--pod", "orig", "--name", "m", "busybox", "head", "-1", "/proc/self/uid_map")
	env.MustBerth(t, "pod", "clone", "--name", "copy", "orig")
	env.MustBerth(t, "start", "-a", "m")
	env.MustBerth(t, "start", "-a", "m-clone")
	a, b := env.MustBerth(t, "logs", "m"), env.MustBerth(t, "logs", "m-clone")
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != 3 || len(fb) != 3 || fa[1] == fb[1] || fa[1] == "0" || fb[1] == "0" {
		t.Errorf("member of the pod %q, of its copy %q: want two different mapped ranges", a, b)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "orig", "copy")
}
