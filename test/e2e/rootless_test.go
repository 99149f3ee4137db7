package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rootlessUser is a real unprivileged user made for one test (useradd,
// a temporary home, optional /etc/subuid and /etc/subgid ranges) that runs
// berth through setpriv with only the environment a login would give it.
// Cleanup kills its processes by PID (the pause process, conmon, pasta,
// containers), removes the home and deletes the user and its ranges.
type rootlessUser struct {
	name     string
	uid, gid int
	home     string
	runDir   string
	subStart int
	// path is the PATH berth runs with.
	path string
}

func newRootlessUser(t *testing.T, subIDs bool) *rootlessUser {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making a test user needs root")
	}
	for _, tool := range []string{"useradd", "userdel", "usermod", "setpriv", "newuidmap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	home, err := os.MkdirTemp("/tmp", "berth-e2e-rootless-")
	if err != nil {
		t.Fatal(err)
	}
	u := &rootlessUser{name: fmt.Sprintf("berthrl%d", os.Getpid()%100000), home: home, runDir: filepath.Join(home, "run"),
		path: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	for _, n := range []string{u.name, u.name + "b", u.name + "c"} {
		if exec.Command("id", n).Run() != nil {
			u.name = n
			break
		}
	}
	// No automatic ranges: they would come from the same pool as other
	// users' and tests' (SUB_UID_COUNT=0).
	if out, err := exec.Command("useradd", "-M", "-d", home, "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0",
		// IDs no other test's containers run as (--user N, id maps), so that
		// the user's processes are only its own.
		"-K", "UID_MIN=42000", "-K", "UID_MAX=42999", "-K", "GID_MIN=42000", "-K", "GID_MAX=42999", u.name).CombinedOutput(); err != nil {
		os.RemoveAll(home)
		t.Fatalf("useradd: %v: %s", err, out)
	}
	t.Cleanup(func() { u.remove(t) })
	out, err := exec.Command("id", "-u", u.name).Output()
	if err != nil {
		t.Fatal(err)
	}
	u.uid, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	out, _ = exec.Command("id", "-g", u.name).Output()
	u.gid, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	if subIDs {
		// Far above the ranges useradd hands out (100000 up), one
		// range per UID (42000-42999) so concurrent users never share IDs.
		u.subStart = 10000000 + (u.uid%1000)*65536
		r := fmt.Sprintf("%d-%d", u.subStart, u.subStart+65535)
		if out, err := exec.Command("usermod", "--add-subuids", r, "--add-subgids", r, u.name).CombinedOutput(); err != nil {
			t.Fatalf("usermod: %v: %s", err, out)
		}
	}
	for _, d := range []string{home, u.runDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(d, u.uid, u.gid); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// berth runs berth as the user.
func (u *rootlessUser) berth(args ...string) Result {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	full := append([]string{"--reuid", strconv.Itoa(u.uid), "--regid", strconv.Itoa(u.gid), "--clear-groups",
		"env", "-i", "HOME=" + u.home, "USER=" + u.name, "PATH=" + u.path, "XDG_RUNTIME_DIR=" + u.runDir,
		berthBinary, "--log-level", "error"}, args...)
	cmd := exec.CommandContext(ctx, "setpriv", full...)
	cmd.Dir = u.home
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	return runResult(ctx, cmd, args, DefaultTimeout)
}

func (u *rootlessUser) must(t *testing.T, args ...string) string {
	t.Helper()
	r := u.berth(args...)
	if r.Err != nil || r.ExitCode() != 0 {
		t.Fatalf("rootless command failed:\n%s", r)
	}
	return strings.TrimSpace(r.Stdout())
}

// remove kills every process of the user by PID (SIGKILL: the pause
// process ignores the gentler ones; the mounts die with its mount
// namespace), then deletes the user, its subordinate ranges and home.
func (u *rootlessUser) remove(t *testing.T) {
	if u.uid > 0 {
		for attempt := 0; attempt < 50; attempt++ {
			pids := userPIDs(u.uid)
			if len(pids) == 0 {
				break
			}
			for _, pid := range pids {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if out, err := exec.Command("userdel", u.name).CombinedOutput(); err != nil {
		t.Errorf("userdel %s: %v: %s", u.name, err, out)
	}
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		if data, err := os.ReadFile(f); err == nil && strings.Contains(string(data), u.name+":") {
			t.Errorf("%s still has entries of %s after userdel", f, u.name)
		}
	}
	if err := os.RemoveAll(u.home); err != nil {
		t.Errorf("removing %s: %v", u.home, err)
	}
}

// userPIDs lists the processes whose real UID is uid.
func userPIDs(uid int) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var st syscall.Stat_t
		if syscall.Stat("/proc/"+e.Name(), &st) == nil && int(st.Uid) == uid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// openTun makes /dev/net/tun usable by unprivileged users (pasta and
// slirp4netns open it) for the test and restores its mode after.
func openTun(t *testing.T) { openDevice(t, "/dev/net/tun") }

// openDevice makes a device node readable and writable by everyone for
// the test (rootless pasta needs /dev/net/tun, fuse-overlayfs /dev/fuse),
// and gives it its mode back afterwards.
func openDevice(t *testing.T, dev string) {
	fi, err := os.Stat(dev)
	if err != nil {
		t.Skipf("no %s", dev)
	}
	mode := fi.Mode().Perm()
	if mode&0o006 == 0o006 {
		return
	}
	if err := os.Chmod(dev, 0o666); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dev, mode) })
}

// httpGet fetches url from the host, retrying while the server starts.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	var last error
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := c.Get(url)
		if err != nil {
			last = err
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(body)
	}
	t.Fatalf("GET %s: %v", url, last)
	return ""
}

func TestRootless(t *testing.T) {
	for _, tool := range []string{"pasta", "slirp4netns"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/setup.sh installs it)", tool)
		}
	}
	openTun(t)
	u := newRootlessUser(t, true)
	tar := filepath.Join(u.home, "busybox.tar")
	data, err := os.ReadFile(busyboxTar)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tar, data, 0o644); err != nil {
		t.Fatal(err)
	}
	u.must(t, "import", "--change", "CMD=/bin/sh", tar, "busybox")

	t.Run("info", func(t *testing.T) {
		got := u.must(t, "info", "--format", "{{.Host.Security.Rootless}} {{.Store.GraphRoot}} {{.Store.RunRoot}} {{.Host.RootlessNetworkCmd}}")
		want := fmt.Sprintf("true %s/.local/share/containers/storage %s/containers pasta", u.home, u.runDir)
		if got != want {
			t.Errorf("info: got %q, want %q", got, want)
		}
		maps := u.must(t, "info", "--format", "{{range .Host.IDMappings.UIDMap}}{{.ContainerID}}:{{.HostID}}:{{.Size}} {{end}}")
		if want := fmt.Sprintf("0:%d:1 1:%d:65536", u.uid, u.subStart); maps != want {
			t.Errorf("uid map: got %q, want %q", maps, want)
		}
		pid, err := os.ReadFile(filepath.Join(u.runDir, "berth", "pause.pid"))
		if err != nil {
			t.Fatalf("no pause PID file: %v", err)
		}
		comm, _ := os.ReadFile("/proc/" + string(pid) + "/comm")
		if string(comm) != "berth-pause\n" {
			t.Errorf("pause process %s: comm %q", pid, comm)
		}
	})

	t.Run("run --rm", func(t *testing.T) {
		got := u.must(t, "run", "--rm", "busybox", "sh", "-c", "id -u; head -1 /proc/self/uid_map")
		if f := strings.Fields(got); len(f) != 4 || f[0] != "0" || f[2] != strconv.Itoa(u.uid) {
			t.Errorf("in the container: got %q, want uid 0 mapped to host uid %d", got, u.uid)
		}
		if out := u.must(t, "ps", "-a", "-q"); out != "" {
			t.Errorf("--rm left containers: %q", out)
		}
	})

	t.Run("volume", func(t *testing.T) {
		u.must(t, "volume", "create", "data")
		u.must(t, "run", "--rm", "-v", "data:/data", "busybox", "sh", "-c", "echo kept > /data/f && chown 1:1 /data/f")
		if got := u.must(t, "run", "--rm", "-v", "data:/data", "busybox", "cat", "/data/f"); got != "kept" {
			t.Errorf("volume content: got %q", got)
		}
		var st syscall.Stat_t
		path := filepath.Join(u.home, ".local/share/containers/storage/volumes/data/_data/f")
		if err := syscall.Stat(path, &st); err != nil {
			t.Fatal(err)
		}
		if int(st.Uid) != u.subStart {
			t.Errorf("container uid 1 is host uid %d, want the first subordinate id %d", st.Uid, u.subStart)
		}
	})

	t.Run("published port, exec, logs", func(t *testing.T) {
		port := freePort(t)
		u.must(t, "run", "-d", "--name", "web", "-p", fmt.Sprintf("%d:80", port), "busybox", "sh", "-c",
			"mkdir /www && echo hello-rootless > /www/index.html && echo started && exec httpd -f -p 80 -h /www")
		if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/index.html", port)); strings.TrimSpace(got) != "hello-rootless" {
			t.Errorf("GET through pasta: got %q", got)
		}
		if got := u.must(t, "exec", "web", "cat", "/www/index.html"); got != "hello-rootless" {
			t.Errorf("exec: got %q", got)
		}
		if got := u.must(t, "logs", "web"); got != "started" {
			t.Errorf("logs: got %q", got)
		}
		if got := u.must(t, "ps", "--format", "{{.Names}} {{.Ports}}"); got != fmt.Sprintf("web 0.0.0.0:%d->80/tcp", port) {
			t.Errorf("ps: got %q", got)
		}
		u.must(t, "rm", "-f", "-t", "0", "web")
		if r := u.berth("ps", "-a", "-q"); strings.TrimSpace(r.Stdout()) != "" {
			t.Errorf("rm left: %s", r)
		}
		if pids := pidsNamed(u.uid, "pasta"); len(pids) > 0 {
			t.Errorf("pasta still runs after rm: %v", pids)
		}
	})

	t.Run("pod", func(t *testing.T) {
		port := freePort(t)
		u.must(t, "pod", "create", "--name", "pp", "-p", fmt.Sprintf("%d:8080", port))
		u.must(t, "run", "-d", "--pod", "pp", "--name", "member", "busybox", "sh", "-c",
			"mkdir /www && echo from-pod > /www/index.html && exec httpd -f -p 8080 -h /www")
		if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/index.html", port)); strings.TrimSpace(got) != "from-pod" {
			t.Errorf("GET the pod's port: got %q", got)
		}
		// Members share the infra container's network namespace.
		if got := u.must(t, "run", "--rm", "--pod", "pp", "busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html"); got != "from-pod" {
			t.Errorf("a second member reaching the first: got %q", got)
		}
		u.must(t, "pod", "rm", "-f", "-t", "0", "pp")
	})

	// Overlay through fuse-overlayfs, as storage uses where the kernel has
	// no overlay in a user namespace (this one has: the mount program is
	// set, as storage.conf's mount_program does).
	t.Run("fuse-overlayfs", func(t *testing.T) {
		prog, err := exec.LookPath("fuse-overlayfs")
		if err != nil {
			t.Skip("fuse-overlayfs not installed (scripts/setup.sh installs it)")
		}
		openDevice(t, "/dev/fuse")
		store := []string{"--root", filepath.Join(u.home, "fuse-root"), "--runroot", filepath.Join(u.runDir, "fuse-run"),
			"--storage-opt", "overlay.mount_program=" + prog}
		b := func(args ...string) string { return u.must(t, append(slices.Clone(store), args...)...) }
		b("import", "--change", "CMD=/bin/sh", tar, "busybox")
		got := b("run", "--rm", "busybox", "sh", "-c", "head -1 /proc/mounts | cut -d' ' -f3; echo written > /f; cat /f")
		if got != "fuse.fuse-overlayfs\nwritten" {
			t.Errorf("rootfs of a container: got %q, want fuse-overlayfs and a writable root", got)
		}
		b("run", "-d", "--name", "fz", "--userns", "keep-id", "busybox", "sleep", "100")
		if got := b("exec", "fz", "id", "-u"); got != strconv.Itoa(u.uid) {
			t.Errorf("exec into a keep-id container on fuse-overlayfs: %q", got)
		}
		if got := b("info", "--format", "{{range $k, $v := .Store.GraphOptions}}{{$k}}={{index $v \"Executable\"}}{{end}}"); got != "overlay.mount_program="+prog {
			t.Errorf("info's graphOptions: %q", got)
		}
		b("rm", "-f", "-t", "0", "fz")
		for deadline := time.Now().Add(5 * time.Second); len(pidsNamed(u.uid, "fuse-overlayfs")) > 0 && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
		if pids := pidsNamed(u.uid, "fuse-overlayfs"); len(pids) > 0 {
			t.Errorf("fuse-overlayfs still runs after rm: %v", pids)
		}
	})

	t.Run("slirp4netns", func(t *testing.T) {
		got := u.must(t, "run", "--rm", "--network", "slirp4netns", "busybox", "ip", "-o", "addr", "show", "tap0")
		if !strings.Contains(got, "10.0.2.100") {
			t.Errorf("slirp4netns: got %q, want tap0 with 10.0.2.100", got)
		}
	})

	t.Run("userns keep-id and nomap", func(t *testing.T) {
		shared := filepath.Join(u.home, "shared")
		if err := os.Mkdir(shared, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(shared, u.uid, u.gid); err != nil {
			t.Fatal(err)
		}
		owner := func(name string) (int, int) {
			t.Helper()
			var st syscall.Stat_t
			if err := syscall.Stat(filepath.Join(shared, name), &st); err != nil {
				t.Fatal(err)
			}
			return int(st.Uid), int(st.Gid)
		}
		got := u.must(t, "run", "--rm", "--userns", "keep-id", "-v", shared+":/shared", "busybox", "sh", "-c", "id -u; id -g; touch /shared/mine")
		if want := fmt.Sprintf("%d\n%d", u.uid, u.gid); got != want {
			t.Errorf("keep-id: id inside %q, want %q", got, want)
		}
		if uid, gid := owner("mine"); uid != u.uid || gid != u.gid {
			t.Errorf("keep-id: a file made in the bind mount is %d:%d on the host, want the user's %d:%d", uid, gid, u.uid, u.gid)
		}
		// The caller's account is in the container's passwd and group, as
		// podman adds it.
		if got := u.must(t, "run", "--rm", "--userns", "keep-id", "busybox", "sh", "-c", "whoami; id -gn"); got != u.name+"\n"+u.name {
			t.Errorf("keep-id: whoami and group %q, want the user's name %s twice", got, u.name)
		}
		got = u.must(t, "run", "--rm", "--userns", "keep-id:uid=1234,gid=2345", "-v", shared+":/shared", "busybox", "sh", "-c", "id -u; id -g; touch /shared/other")
		if got != "1234\n2345" {
			t.Errorf("keep-id:uid=1234,gid=2345: id inside %q", got)
		}
		if uid, _ := owner("other"); uid != u.uid {
			t.Errorf("keep-id:uid=1234: the file is uid %d on the host, want the user's %d", uid, u.uid)
		}
		// exec enters the container's own user namespace and then its
		// network namespace: the runtime makes that one inside the user
		// namespace (runc 1.1 refuses one owned by the parent).
		kport := freePort(t)
		u.must(t, "run", "-d", "--name", "kid", "--userns", "keep-id", "-p", fmt.Sprintf("127.0.0.1:%d:8080", kport), "busybox", "sh", "-c",
			"mkdir -p /tmp/www && echo keep-id-web > /tmp/www/i && exec httpd -f -p 8080 -h /tmp/www")
		if got := u.must(t, "exec", "kid", "sh", "-c", "id -u; ip -o addr show | grep -c 'inet '"); got != fmt.Sprintf("%d\n2", u.uid) {
			t.Errorf("exec into a keep-id container with pasta: got %q, want the user's uid and lo plus pasta's address", got)
		}
		if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/i", kport)); strings.TrimSpace(got) != "keep-id-web" {
			t.Errorf("keep-id container's published port: got %q", got)
		}
		u.must(t, "restart", "-t", "0", "kid")
		if got := u.must(t, "exec", "kid", "id", "-u"); got != strconv.Itoa(u.uid) {
			t.Errorf("exec after restart: got %q", got)
		}
		u.must(t, "rm", "-f", "-t", "0", "kid")
		// --subuidname with the user's own entry: its host IDs are the
		// namespace's 1-65536.
		if got := u.must(t, "run", "--rm", "--subuidname", u.name, "busybox", "cat", "/proc/self/uid_map"); strings.Join(strings.Fields(got), " ") != "0 1 65536" {
			t.Errorf("--subuidname %s: uid_map %q, want 0 1 65536", u.name, got)
		}
		got = u.must(t, "run", "--rm", "--userns", "nomap", "busybox", "sh", "-c", "id -u; cat /proc/self/uid_map")
		if f := strings.Fields(got); len(f) != 4 || f[0] != "0" || f[1] != "0" || f[2] != "1" || f[3] != "65536" {
			t.Errorf("nomap: got %q, want root mapped to the namespace's first subordinate ID only", got)
		}
		if r := u.berth("run", "--rm", "--userns", "keep-id:size=5", "busybox", "true"); r.ExitCode() != 125 || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("a bad keep-id option: want one line and 125:\n%s", r)
		}
		// auto takes its range from the user's subordinate IDs (IDs 1..
		// of berth's namespace), not root's default pool.
		a := u.must(t, "run", "-d", "--userns", "auto:size=2000", "busybox", "sleep", "100")
		b := u.must(t, "run", "-d", "--userns", "auto:size=2000", "busybox", "sleep", "100")
		// Read from the host: the maps in host IDs, inside the user's
		// subordinate range and apart.
		var starts []int
		for _, id := range []string{a, b} {
			pid := u.must(t, "inspect", "--format", "{{.State.Pid}}", id)
			data, err := os.ReadFile("/proc/" + pid + "/uid_map")
			f := strings.Fields(string(data))
			if err != nil || len(f) != 3 || f[0] != "0" || f[2] != "2000" {
				t.Errorf("auto:size=2000: uid_map of %s %q (%v), want 0 HOSTID 2000", id, data, err)
				continue
			}
			h, _ := strconv.Atoi(f[1])
			if h < u.subStart || h+2000 > u.subStart+65536 {
				t.Errorf("auto range %d+2000 outside the user's subordinate IDs %d+65536", h, u.subStart)
			}
			starts = append(starts, h)
		}
		if len(starts) == 2 && (starts[0] < starts[1]+2000 && starts[1] < starts[0]+2000) {
			t.Errorf("two auto containers overlap: %v", starts)
		}
		u.must(t, "rm", "-f", "-t", "0", a, b)
		// Without size=, sized to the image (1024 for busybox), so the
		// user's 65536 subordinate IDs hold many such containers.
		if f := strings.Fields(u.must(t, "run", "--rm", "--userns", "auto", "busybox", "cat", "/proc/self/uid_map")); len(f) != 3 || f[2] != "1024" {
			t.Errorf("rootless auto without size=: uid_map %q, want 1024 IDs", f)
		}
	})

	t.Run("pod userns keep-id", func(t *testing.T) {
		shared := filepath.Join(u.home, "podshared")
		if err := os.Mkdir(shared, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(shared, u.uid, u.gid); err != nil {
			t.Fatal(err)
		}
		// Members join the infra's user namespace, and the network
		// namespace the runtime made inside it.
		for _, net := range []string{"none", "pasta"} {
			u.must(t, "pod", "create", "--userns", "keep-id", "--network", net, "--name", "kpod")
			got := u.must(t, "run", "--rm", "--pod", "kpod", "-v", shared+":/shared", "busybox", "sh", "-c", "id -u; touch /shared/"+net)
			if want := strconv.Itoa(u.uid); got != want {
				t.Errorf("%s: a member of a keep-id pod runs as %q, want %s", net, got, want)
			}
			u.must(t, "run", "-d", "--pod", "kpod", "--name", "kmember", "busybox", "sleep", "100")
			if got := u.must(t, "exec", "kmember", "id", "-u"); got != strconv.Itoa(u.uid) {
				t.Errorf("%s: exec into a member of a keep-id pod: got %q", net, got)
			}
			var st syscall.Stat_t
			if err := syscall.Stat(filepath.Join(shared, net), &st); err != nil || int(st.Uid) != u.uid {
				t.Errorf("%s: the member's file: %v, uid %d, want the user's %d", net, err, st.Uid, u.uid)
			}
			u.must(t, "pod", "rm", "-f", "-t", "0", "kpod")
		}
	})

	t.Run("degraded cgroups", func(t *testing.T) {
		var st syscall.Statfs_t
		if syscall.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == 0x63677270 {
			t.Skip("cgroup v2 host")
		}
		r := u.berth("run", "--rm", "-m", "64m", "busybox", "true")
		if r.ExitCode() != 0 || !strings.Contains(r.Stderr(), "Resource limits are not supported and ignored on cgroups V1 rootless systems") {
			t.Errorf("a limit on cgroup v1 rootless: want success and one warning:\n%s", r)
		}
		if r := u.berth("run", "--rm", "busybox", "true"); r.ExitCode() != 0 || r.Stderr() != "" {
			t.Errorf("a run without limits must not warn:\n%s", r)
		}
		r = u.berth("pod", "create", "--cpus", "1", "--name", "limited")
		if r.ExitCode() != 0 || !strings.Contains(r.Stderr(), "Resource limits are not supported and ignored on cgroups V1 rootless systems") {
			t.Errorf("a pod limit on cgroup v1 rootless: want success and one warning:\n%s", r)
		}
		if got := u.must(t, "pod", "inspect", "--format", "{{.CPUQuota}}", "limited"); got != "0" {
			t.Errorf("the dropped pod limit: CPUQuota %q", got)
		}
		u.must(t, "pod", "rm", "-f", "limited")
	})

	t.Run("unshare", func(t *testing.T) {
		got := u.must(t, "unshare", "sh", "-c", "id -u; echo $CONTAINERS_GRAPHROOT")
		if want := "0\n" + u.home + "/.local/share/containers/storage"; got != want {
			t.Errorf("unshare: got %q, want %q", got, want)
		}
	})

	t.Run("bad input", func(t *testing.T) {
		r := u.berth("run", "--rm", "-p", "80:80", "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "ip_unprivileged_port_start") {
			t.Errorf("port 80: want 125 naming net.ipv4.ip_unprivileged_port_start:\n%s", r)
		}
		r = u.berth("run", "--rm", "--network", "mynet", "busybox", "true")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "mynet") {
			t.Errorf("a missing network: want 125 naming it:\n%s", r)
		}
		// Maps are in IDs of the user's namespace: its own and 65536
		// subordinate ones, 0-65536.
		for _, bad := range [][]string{{"--uidmap", "0:60000:10000"}, {"--gidmap", "0:0:70000", "--uidmap", "0:0:1000"}} {
			r = u.berth(append(append([]string{"run", "--rm"}, bad...), "busybox", "true")...)
			if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "beyond the rootless user namespace's IDs 0-65536") || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
				t.Errorf("%v: want one line naming the namespace's IDs and 125:\n%s", bad, r)
			}
		}
		// statistics, pause and limits need a cgroup (cgroup v1 here).
		var st syscall.Statfs_t
		if syscall.Statfs("/sys/fs/cgroup", &st) == nil && st.Type != 0x63677270 {
			for _, verb := range [][]string{{"stats", "--no-stream", "-a"}, {"pod", "stats", "--no-stream"}} {
				if r := u.berth(verb...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "not supported in rootless mode without cgroups v2") {
					t.Errorf("%v: want podman's refusal and 125:\n%s", verb, r)
				}
			}
			u.must(t, "run", "-d", "--name", "nocg", "busybox", "sleep", "100")
			if r := u.berth("pause", "nocg"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "can not pause containers on rootless containers with cgroup V1") {
				t.Errorf("pause: want podman's refusal and 125:\n%s", r)
			}
			if r := u.berth("update", "--memory", "64m", "nocg"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "can not update containers on rootless containers with cgroup V1") {
				t.Errorf("update --memory: want a refusal and 125:\n%s", r)
			}
			if got := u.must(t, "inspect", "--format", "{{.State.Status}}", "nocg"); got != "running" {
				t.Errorf("after the refusals the container is %q", got)
			}
			// top lists the container's PID namespace, not the host.
			if got := u.must(t, "top", "nocg", "pid", "args"); len(strings.Split(got, "\n")) != 2 || !strings.Contains(got, "sleep 100") {
				t.Errorf("top without a cgroup: %q, want the header and the container's one process", got)
			}
			u.must(t, "rm", "-f", "-t", "0", "nocg")
		}
		if out := u.must(t, "ps", "-a", "-q"); out != "" {
			t.Errorf("refused runs left containers: %q", out)
		}
	})

	t.Run("pull from the local registry", func(t *testing.T) {
		reg := StartRegistry(t, RegistryOptions{})
		ref := reg.Ref("rootless/busybox:1")
		u.must(t, append(append([]string{"push"}, reg.Flags()...), "busybox", ref)...)
		u.must(t, "rmi", "busybox")
		u.must(t, append(append([]string{"pull", "-q"}, reg.Flags()...), ref)...)
		if got := u.must(t, "run", "--rm", ref, "echo", "pulled"); got != "pulled" {
			t.Errorf("run of the pulled image: got %q", got)
		}
	})
}

// pidsNamed lists uid's processes whose comm starts with name.
func pidsNamed(uid int, name string) []int {
	var out []int
	for _, pid := range userPIDs(uid) {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if strings.HasPrefix(string(comm), name) {
			out = append(out, pid)
		}
	}
	return out
}

func TestRootlessBadSetup(t *testing.T) {
	u := newRootlessUser(t, false)
	// Processes of an earlier test user with the same UID (zombies not yet
	// reaped) are not this set-up's.
	before := map[int]bool{}
	for _, pid := range userPIDs(u.uid) {
		before[pid] = true
	}
	r := u.berth("ps")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "/etc/subuid") || !strings.Contains(r.Stderr(), "usermod --add-subuids") {
		t.Errorf("no subuid entry: want 125 naming /etc/subuid and usermod:\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(u.runDir, "berth", "pause.pid")); err == nil {
		t.Errorf("a failed set-up left a pause PID file")
	}
	// A process on its way out (a child the failed command killed) may
	// still be listed for a moment; a leaked one (a pause process) stays.
	var left []string
	for range 100 {
		left = left[:0]
		for _, pid := range userPIDs(u.uid) {
			if !before[pid] {
				comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
				left = append(left, fmt.Sprintf("%d (%s)", pid, strings.TrimSpace(string(comm))))
			}
		}
		if len(left) == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("a failed set-up left processes: %v", left)
	}
	// newuidmap is in /usr/bin: a PATH without it.
	u.path = "/usr/local/bin"
	r = u.berth("ps")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "newuidmap not found") {
		t.Errorf("missing newuidmap: want 125:\n%s", r)
	}
}

// TestRootlessMigrate changes the user's subordinate ranges: the pause
// process keeps the old maps until `system migrate` ends it, and the next
// command makes a namespace with the new ones (podman's procedure).
func TestRootlessMigrate(t *testing.T) {
	u := newRootlessUser(t, true)
	maps := func() string {
		return u.must(t, "info", "--format", "{{range .Host.IDMappings.UIDMap}}{{.ContainerID}}:{{.HostID}}:{{.Size}} {{end}}")
	}
	if got, want := maps(), fmt.Sprintf("0:%d:1 1:%d:65536", u.uid, u.subStart); got != want {
		t.Fatalf("uid map: got %q, want %q", got, want)
	}
	old, _ := os.ReadFile(filepath.Join(u.runDir, "berth", "pause.pid"))
	// A smaller range at the same start. usermod refuses a user with
	// processes (the pause process), so the line is rewritten in place.
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%s:%d:65536\n", u.name, u.subStart)
		if !strings.Contains(string(data), line) {
			t.Fatalf("%s has no line %q", f, line)
		}
		data = []byte(strings.Replace(string(data), line, fmt.Sprintf("%s:%d:1000\n", u.name, u.subStart), 1))
		if err := os.WriteFile(f+".berth-e2e", data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(f+".berth-e2e", f); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := maps(), fmt.Sprintf("0:%d:1 1:%d:65536", u.uid, u.subStart); got != want {
		t.Errorf("before migrate the old namespace stays: got %q, want %q", got, want)
	}
	u.must(t, "system", "migrate")
	if got, want := maps(), fmt.Sprintf("0:%d:1 1:%d:1000", u.uid, u.subStart); got != want {
		t.Errorf("after migrate: got %q, want the new range %q", got, want)
	}
	if now, _ := os.ReadFile(filepath.Join(u.runDir, "berth", "pause.pid")); string(now) == string(old) {
		t.Errorf("the pause process %s was not replaced", old)
	}
}

// TestRootlessBuild builds an image with RUN and COPY as the test user
// and runs it: the build's containers live in the user's namespace and
// storage, and what RUN and COPY made is root's inside.
func TestRootlessBuild(t *testing.T) {
	if _, err := exec.LookPath("pasta"); err != nil {
		t.Skip("pasta not installed (scripts/setup.sh installs it)")
	}
	openTun(t) // RUN's default network is pasta's
	u := newRootlessUser(t, true)
	tar := filepath.Join(u.home, "busybox.tar")
	data, err := os.ReadFile(busyboxTar)
	if err != nil {
		t.Fatal(err)
	}
	ctxDir := filepath.Join(u.home, "ctx")
	if err := os.Mkdir(ctxDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		tar:                                    string(data),
		filepath.Join(ctxDir, "hello.txt"):     "hello from COPY\n",
		filepath.Join(ctxDir, "Containerfile"): "FROM busybox\nRUN echo built > /built && mkdir /data\nCOPY hello.txt /data/\nCMD [\"sh\", \"-c\", \"cat /built /data/hello.txt; stat -c %u /data/hello.txt\"]\n",
	} {
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{tar, ctxDir, filepath.Join(ctxDir, "hello.txt"), filepath.Join(ctxDir, "Containerfile")} {
		if err := os.Chown(p, u.uid, u.gid); err != nil {
			t.Fatal(err)
		}
	}
	u.must(t, "import", "--change", "CMD=/bin/sh", tar, "busybox")
	u.must(t, "build", "-t", "rlbuilt", ctxDir)
	got := u.must(t, "run", "--rm", "--network", "none", "rlbuilt")
	if want := "built\nhello from COPY\n0"; got != want {
		t.Errorf("the built image's command: got %q, want %q", got, want)
	}
	if out := u.must(t, "ps", "-a", "-q"); out != "" {
		t.Errorf("containers left after the build and run --rm: %q", out)
	}
	r := u.berth("run", "--rm", "--network", "none", "--uidmap", "0:1:1000", "-v", ctxDir+":/d:idmap", "rlbuilt", "stat", "-c", "%u", "/d/hello.txt")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "idmap is not supported in rootless mode") {
		t.Errorf("rootless idmap: want one clear line at create, got\n%s", r)
	}
}
