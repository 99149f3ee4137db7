package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// User namespaces of root containers, seen from inside (/proc/self/uid_map)
// and from the host (/proc/PID/uid_map, the owner of what the container
// wrote in its upper directory).

// idMapLine parses the first line of a uid_map/gid_map.
func idMapLine(t *testing.T, s string) (ctr, host, size uint64) {
	t.Helper()
	f := strings.Fields(s)
	if len(f) < 3 {
		t.Fatalf("id map %q: want 3 fields", s)
	}
	var n [3]uint64
	for i := range n {
		v, err := strconv.ParseUint(f[i], 10, 32)
		if err != nil {
			t.Fatalf("id map %q: %v", s, err)
		}
		n[i] = v
	}
	return n[0], n[1], n[2]
}

// hostUIDMap reads the uid_map of a running container's process from the
// host.
func hostUIDMap(t *testing.T, env *Env, name string) string {
	t.Helper()
	pid := env.MustBerth(t, "inspect", "--format", "{{.State.Pid}}", name)
	b, err := os.ReadFile("/proc/" + pid + "/uid_map")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// exec into a container with a user namespace of its own on a bridge
// network: the runtime makes the network namespace inside the user
// namespace and berth connects it after the create, so runc 1.1's exec
// (user namespace first) may enter it. Also after a restart, with the
// published port served and nothing left pinned after rm.
func TestUsernsExecNetwork(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	port := strconv.Itoa(freePort(t))
	env.MustBerth(t, "run", "-d", "--name", "ux", "--userns", "auto", "-p", "127.0.0.1:"+port+":8080", "busybox", "sh", "-c",
		"mkdir -p /www && echo userns-web > /www/i && exec httpd -f -p 8080 -h /www")
	check := func(when string) {
		t.Helper()
		ip := env.MustBerth(t, "inspect", "--format", "{{.NetworkSettings.IPAddress}}", "ux")
		got := env.MustBerth(t, "exec", "ux", "sh", "-c", "head -1 /proc/self/uid_map; ip -4 -o addr show eth0")
		lines := strings.Split(got, "\n")
		if len(lines) != 2 || strings.Fields(lines[0])[1] == "0" || ip == "" || !strings.Contains(lines[1], " "+ip+"/") {
			t.Errorf("%s: exec saw %q, want a mapped root and eth0 with %s", when, got, ip)
		}
		if got := strings.TrimSpace(httpGet(t, "http://127.0.0.1:"+port+"/i")); got != "userns-web" {
			t.Errorf("%s: published port: %q", when, got)
		}
	}
	check("first start")
	env.MustBerth(t, "restart", "-t", "0", "ux")
	check("after restart")
	id := env.MustBerth(t, "inspect", "--format", "{{.Id}}", "ux")
	env.MustBerth(t, "rm", "-f", "-t", "0", "ux")
	if _, err := os.Stat(filepath.Join(env.RunRoot, "berth", "netns", id)); !os.IsNotExist(err) {
		t.Errorf("network namespace still pinned after rm: %v", err)
	}
}

func TestUsernsUIDMap(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := inside(t, env, []string{"--uidmap", "0:300000:5000", "--gidmap", "0:400000:5000"},
		`cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /f && stat -c %u:%g /f`)
	lines := strings.Split(out, "\n")
	if len(lines) != 4 {
		t.Fatalf("inside: %q", out)
	}
	if c, h, n := idMapLine(t, lines[0]); c != 0 || h != 300000 || n != 5000 {
		t.Errorf("uid_map inside = %q, want 0 300000 5000", lines[0])
	}
	if c, h, n := idMapLine(t, lines[1]); c != 0 || h != 400000 || n != 5000 {
		t.Errorf("gid_map inside = %q, want 0 400000 5000", lines[1])
	}
	if lines[2] != "0" || lines[3] != "0:0" {
		t.Errorf("inside: id %q, owner %q, want root and 0:0", lines[2], lines[3])
	}

	// From the host: the process's map and the owner of a file it wrote.
	env.MustBerth(t, "run", "-d", "--name", "mapped", "--network", "none", "--uidmap", "0:300000:5000",
		"busybox", "sh", "-c", "touch /written; mkdir /d; sleep 300")
	WaitFor(t, DefaultTimeout, func() bool {
		return env.Berth("exec", "mapped", "test", "-d", "/d").ExitCode() == 0
	})
	if c, h, n := idMapLine(t, hostUIDMap(t, env, "mapped")); c != 0 || h != 300000 || n != 5000 {
		t.Errorf("host view of uid_map: %d %d %d, want 0 300000 5000", c, h, n)
	}
	upper := env.MustBerth(t, "inspect", "--format", "{{.GraphDriver.Data.UpperDir}}", "mapped")
	st, err := os.Stat(filepath.Join(upper, "written"))
	if err != nil {
		t.Fatal(err)
	}
	if sys := st.Sys().(*syscall.Stat_t); sys.Uid != 300000 || sys.Gid != 300000 {
		t.Errorf("the container's file is owned by %d:%d on the host, want 300000:300000 (--gidmap follows --uidmap)", sys.Uid, sys.Gid)
	}
	// An exec joins the same namespace.
	if got := env.MustBerth(t, "exec", "mapped", "cat", "/proc/self/uid_map"); !strings.Contains(got, "300000") {
		t.Errorf("exec uid_map = %q, want the container's", got)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "mapped")

	// :U gives a bind source to the container's root as the host sees it.
	src := filepath.Join(env.TmpDir, "chowned")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	inside(t, env, []string{"--uidmap", "0:300000:5000", "-v", src + ":/data:U"}, "touch /data/f")
	for _, p := range []string{src, filepath.Join(src, "f")} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if sys := st.Sys().(*syscall.Stat_t); sys.Uid != 300000 {
			t.Errorf("%s with :U is owned by %d on the host, want 300000", p, sys.Uid)
		}
	}
	// --privileged in a user namespace: every capability, in that
	// namespace only.
	out = inside(t, env, []string{"--privileged", "--uidmap", "0:300000:5000"}, "grep CapEff /proc/self/status; cat /proc/self/uid_map")
	eff, err := strconv.ParseUint(statusField(out, "CapEff"), 16, 64)
	if err != nil || eff&(1<<21) == 0 || !strings.Contains(out, "300000") {
		t.Errorf("--privileged with --uidmap: %q", out)
	}
}

func TestUsernsAutoRanges(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	// Created, not started: each takes its range at create.
	env.MustBerth(t, "create", "--name", "a1", "--network", "none", "--userns", "auto:size=2000", "busybox", "sleep", "300")
	env.MustBerth(t, "create", "--name", "a2", "--network", "none", "--userns", "auto", "busybox", "sleep", "300")
	env.MustBerth(t, "start", "a1", "a2")
	type rng struct{ host, size uint64 }
	var got []rng
	for _, name := range []string{"a1", "a2"} {
		c, h, n := idMapLine(t, hostUIDMap(t, env, name))
		if c != 0 || h == 0 {
			t.Fatalf("%s: uid map %d %d %d, want container root mapped to a host ID other than 0", name, c, h, n)
		}
		got = append(got, rng{h, n})
	}
	if got[0].size != 2000 {
		t.Errorf("a1: size %d, want 2000 (size=)", got[0].size)
	}
	// Without size=, sized to the image (busybox's files and users are all
	// root's): storage.conf's default minimum, 1024; a numeric --user
	// grows it to cover that user.
	if got[1].size != 1024 {
		t.Errorf("a2: size %d, want 1024 (the image's IDs, at least auto-userns-min-size)", got[1].size)
	}
	if out := env.MustBerth(t, "run", "--rm", "--network", "none", "--userns", "auto", "--user", "3000:3500", "busybox", "sh", "-c", "id -u; id -g; cat /proc/self/uid_map"); !strings.HasPrefix(out, "3000\n3500\n") || !strings.HasSuffix(out, " 3501") {
		t.Errorf("auto with --user 3000:3500: %q, want that user in a namespace of 3501 IDs", out)
	}
	if a, b := got[0], got[1]; a.host < b.host+b.size && b.host < a.host+a.size {
		t.Errorf("auto ranges overlap: %+v and %+v", a, b)
	}
	// Inside, the container sees itself as root of its own namespace.
	if out := env.MustBerth(t, "exec", "a2", "sh", "-c", "id -u; cat /proc/self/uid_map"); !strings.HasPrefix(out, "0\n") {
		t.Errorf("a2 inside: %q", out)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "a1", "a2")
	// On the default network the runtime makes the network namespace in
	// the user namespace, which can then mount a sysfs of its own: only
	// the container's interfaces, not the host's.
	out := env.MustBerth(t, "run", "--rm", "--userns", "auto", "busybox", "sh", "-c", "cat /proc/self/uid_map; ls /sys/class/net | tr '\\n' ' '")
	if !strings.HasSuffix(out, "eth0 lo") || strings.HasPrefix(strings.TrimSpace(out), "0 0 ") {
		t.Errorf("auto on the default network: %q, want a mapped root and a sysfs with eth0 and lo", out)
	}
	// Joining the host's, it runs with the host's /sys bound.
	env.MustBerth(t, "run", "--rm", "--userns", "auto", "--network", "host", "busybox", "test", "-d", "/sys/class/net/lo")
}

func TestUsernsBadInput(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--userns", "bad"}, "unrecognized namespace mode bad passed"},
		{[]string{"--userns", "host", "--uidmap", "0:1000:10"}, "mutually exclusive"},
		{[]string{"--userns", "auto", "--gidmap", "0:1000:10"}, "mutually exclusive"},
		{[]string{"--uidmap", "0:1000:10", "--uidmap", "5:5000:10"}, "container IDs 0-9 and 5-14 overlap"},
		{[]string{"--uidmap", "0:1000:10", "--uidmap", "20:1005:10"}, "host IDs 1000-1009 and 1005-1014 overlap"},
		{[]string{"--uidmap", "0:1000"}, ""}, // a valid one-ID map (checked to succeed below)
		{[]string{"--uidmap", "x:1:1"}, `"x" is not an ID`},
		{[]string{"--uidmap", "0:1:0"}, "the size must be at least 1"},
		{[]string{"--uidmap", "0:4294967290:100"}, "beyond the largest ID"},
		{[]string{"--userns", "auto:size=0"}, "size must be a positive number"},
		{[]string{"--userns", "auto:bogus=1"}, "unknown option"},
		{[]string{"--userns", "keep-id"}, "keep-id is only supported in rootless mode"},
		{[]string{"--userns", "keep-id:uid=1000"}, "keep-id is only supported in rootless mode"},
		{[]string{"--userns", "nomap"}, "nomap is only supported in rootless mode"},
		{[]string{"--userns", "ns:relative"}, "absolute path"},
		{[]string{"--subuidname", "no-such-user-xyz"}, "no-such-user-xyz"},
		{[]string{"-v", "/tmp:/x:idmap"}, "idmap needs a user namespace (--userns auto or private, or --uidmap)"},
		{[]string{"--mount", "type=bind,src=/tmp,dst=/x,idmap"}, "idmap needs a user namespace"},
		// pasta started by real root changes to nobody (podman refuses it too).
		{[]string{"--network", "pasta"}, "pasta networking is only supported for rootless mode"},
		{[]string{"--userns", "auto", "--user", "70000"}, "the container needs a user namespace with size 70001 that is bigger than the maximum value allowed with userns=auto 65536"},
	} {
		r := env.Berth(append(append([]string{"create"}, tc.args...), "busybox", "true")...)
		if tc.want == "" {
			if r.ExitCode() != 0 {
				t.Errorf("%v: %s", tc.args, r)
			} else {
				env.MustBerth(t, "rm", strings.TrimSpace(r.Stdout()))
			}
			continue
		}
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("%v: want exit 125 and one line with %q, got %s", tc.args, tc.want, r)
		}
	}
	for _, tc := range []struct{ mode, want string }{
		{"keep-id", "keep-id is only supported in rootless mode"},
		{"nomap", "nomap is only supported in rootless mode"},
		{"bogus", "unrecognized namespace mode"},
	} {
		r := env.Berth("pod", "create", "--userns", tc.mode, "--name", "upod")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("pod create --userns %s: want exit 125 and one line with %q, got %s", tc.mode, tc.want, r)
		}
	}
	if out := env.MustBerth(t, "pod", "ps", "-q"); out != "" {
		t.Errorf("bad pod input left pods: %q", out)
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Errorf("bad input left containers: %q", out)
	}
	b, err := os.ReadFile(filepath.Join(env.Root, "overlay-containers", "containers.json"))
	if err == nil && strings.Contains(string(b), `"id"`) {
		t.Errorf("bad input left storage containers: %s", b)
	}
}

// The APIs take user namespaces too: docker's HostConfig.UsernsMode (with
// podman's values, as podman's compat API) and libpod's userns and
// idmappings.
func TestUsernsAPI(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	code, out := apiStatus(t, uri, "POST", "/containers/create?name=dk",
		`{"Image":"busybox","Cmd":["true"],"HostConfig":{"UsernsMode":"auto:size=3000","NetworkMode":"none"}}`)
	if code != 201 {
		t.Fatalf("docker create with UsernsMode auto: %d %s", code, out)
	}
	code, out = apiStatus(t, uri, "POST", "/libpod/containers/create",
		`{"name":"lp","image":"busybox","command":["true"],"netns":{"nsmode":"none"},"idmappings":{"UIDMap":[{"container_id":0,"host_id":500000,"size":100}],"GIDMap":[{"container_id":0,"host_id":500000,"size":100}]}}`)
	if code != 201 {
		t.Fatalf("libpod create with idmappings: %d %s", code, out)
	}
	for name, want := range map[string]string{"dk": ":3000\"", "lp": `"0:500000:100"`} {
		if out := env.MustBerth(t, "start", "-a", name); out != "" {
			t.Errorf("%s: %q", name, out)
		}
		mode := env.MustBerth(t, "inspect", "--format", "{{.HostConfig.UsernsMode}}", name)
		maps := env.MustBerth(t, "inspect", "--format", "{{json .HostConfig.IDMappings}}", name)
		if !strings.Contains(maps, want) || (name == "dk") != (mode == "auto") {
			t.Errorf("%s: UsernsMode %q, IDMappings %s; want auto for dk and a map with %s", name, mode, maps, want)
		}
	}
	code, out = apiStatus(t, uri, "POST", "/containers/create?name=bad",
		`{"Image":"busybox","HostConfig":{"UsernsMode":"bogus"}}`)
	if code != 400 || !strings.Contains(out, "unrecognized namespace mode") {
		t.Errorf("docker create with a bad UsernsMode: %d %s, want 400", code, out)
	}
}

// --userns container:X joins X's namespace, with X's maps for its own
// rootfs; a container without a user namespace cannot be joined so.
func TestUsernsJoinContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "owner", "--network", "none", "--userns", "auto", "busybox", "sleep", "300")
	env.MustBerth(t, "run", "-d", "--name", "plain", "--network", "none", "busybox", "sleep", "300")
	pid := env.MustBerth(t, "inspect", "--format", "{{.State.Pid}}", "owner")
	ownerNS, err := os.Readlink("/proc/" + pid + "/ns/user")
	if err != nil {
		t.Fatal(err)
	}
	out := env.MustBerth(t, "run", "--rm", "--network", "none", "--userns", "container:owner", "busybox", "sh", "-c",
		"readlink /proc/self/ns/user; touch /x && echo writable")
	if out != ownerNS+"\nwritable" {
		t.Errorf("joiner: %q, want %s and a writable root", out, ownerNS)
	}
	r := env.Berth("run", "--rm", "--network", "none", "--userns", "container:plain", "busybox", "true")
	paExpectError(t, r, 125, "has no user namespace of its own")
	r = env.Berth("create", "--userns", "container:nosuch", "busybox", "true")
	if r.ExitCode() != 125 {
		t.Errorf("joining a missing container: %s", r)
	}
	if got := env.MustBerth(t, "ps", "-aq"); len(strings.Fields(got)) != 2 {
		t.Errorf("failed joins left containers: %q", got)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "owner", "plain")
}

// A pod without a user namespace of its own (no pod create --userns):
// its members may take one each and still share the pod's network.
func TestUsernsPodMember(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--name", "up")
	env.MustBerth(t, "run", "-d", "--pod", "up", "--name", "srv", "busybox", "sh", "-c",
		"mkdir /www && echo pod-net > /www/i && exec httpd -f -p 8080 -h /www")
	got := env.MustBerth(t, "run", "--rm", "--pod", "up", "--userns", "auto", "busybox", "sh", "-c",
		"head -1 /proc/self/uid_map; wget -q -O - http://127.0.0.1:8080/i")
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || strings.Fields(lines[0])[1] == "0" || lines[1] != "pod-net" {
		t.Errorf("a member with --userns auto: got %q, want a mapped root and the pod's network", got)
	}
	// exec into such a member: runc 1.1 enters its user namespace, then
	// cannot enter the pod's network namespace; berth says why.
	env.MustBerth(t, "run", "-d", "--pod", "up", "--userns", "auto", "--name", "own", "busybox", "sleep", "100")
	if r := env.Berth("exec", "own", "true"); r.ExitCode() != 0 && !strings.Contains(r.Stderr(), "joins a network namespace owned by another") {
		t.Errorf("exec into a member with its own user namespace: %s", r)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "up")
}

// --userns ns:PATH joins a user namespace by its file: the maps come from
// a process in it (here an auto container's), so the rootfs and the
// runtime get them; a file that is no user namespace is refused.
func TestUsernsJoinPath(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "nsowner", "--network", "none", "--userns", "auto", "busybox", "sleep", "300")
	pid := env.MustBerth(t, "inspect", "--format", "{{.State.Pid}}", "nsowner")
	path := "/proc/" + pid + "/ns/user"
	ownerNS, err := os.Readlink(path)
	if err != nil {
		t.Fatal(err)
	}
	ownerMap, err := os.ReadFile("/proc/" + pid + "/uid_map")
	if err != nil {
		t.Fatal(err)
	}
	out := env.MustBerth(t, "run", "--rm", "--network", "none", "--userns", "ns:"+path, "busybox", "sh", "-c",
		"readlink /proc/self/ns/user; cat /proc/self/uid_map; touch /x && echo writable")
	if want := ownerNS + "\n" + strings.TrimRight(string(ownerMap), "\n") + "\nwritable"; out != want {
		t.Errorf("joiner: got %q, want %q", out, want)
	}
	r := env.Berth("create", "--userns", "ns:/proc/self/ns/net", "busybox", "true")
	paExpectError(t, r, 125, "is not a user namespace")
	r = env.Berth("create", "--userns", "ns:/nonexistent/ns", "busybox", "true")
	paExpectError(t, r, 125, "/nonexistent/ns")
	if got := env.MustBerth(t, "ps", "-aq"); len(strings.Fields(got)) != 1 {
		t.Errorf("refused joins left containers: %q", got)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "nsowner")
}
