package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Helpers of the lifecycle/errors/reboot/parallel tests carry the "pa"
// prefix so that they cannot collide with other files of the package.

// paWaitTimeout bounds every poll of these tests.
const paWaitTimeout = 30 * time.Second

// paNewBusybox returns a fresh Env with the busybox image imported.
func paNewBusybox(t *testing.T) *Env {
	t.Helper()
	env := NewEnv(t)
	env.ImportBusybox(t)
	return env
}

// paInspect returns `inspect --format tmpl ctr`, trimmed.
func paInspect(t testing.TB, env *Env, ctr, tmpl string) string {
	t.Helper()
	return env.MustBerth(t, "inspect", "--format", tmpl, ctr)
}

// paStatus returns the container's .State.Status, "" if inspect fails.
func paStatus(env *Env, ctr string) string {
	r := env.Berth("inspect", "--format", "{{.State.Status}}", ctr)
	if r.ExitCode() != 0 {
		return ""
	}
	return strings.TrimSpace(r.Stdout())
}

// paWaitStatus polls until the container's status is want.
func paWaitStatus(t testing.TB, env *Env, ctr, want string) {
	t.Helper()
	var last string
	deadline := time.Now().Add(paWaitTimeout)
	for {
		if last = paStatus(env, ctr); last == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s: status %q, want %q within %v", ctr, last, want, paWaitTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// paPsNames returns the names listed by `ps -a`.
func paPsNames(t testing.TB, env *Env) []string {
	t.Helper()
	out := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}")
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			names = append(names, l)
		}
	}
	return names
}

// paPsStatus returns the STATUS column of `ps -a` for one container.
func paPsStatus(t testing.TB, env *Env, name string) string {
	t.Helper()
	out := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}|{{.Status}}")
	for _, l := range strings.Split(out, "\n") {
		if n, st, ok := strings.Cut(l, "|"); ok && strings.TrimSpace(n) == name {
			return strings.TrimSpace(st)
		}
	}
	t.Fatalf("ps -a does not list %s:\n%s", name, out)
	return ""
}

// paExpectNoContainers fails unless `ps -a` is empty and containers/storage
// holds no container either.
func paExpectNoContainers(t testing.TB, env *Env) {
	t.Helper()
	if names := paPsNames(t, env); len(names) != 0 {
		t.Errorf("ps -a lists %v, want no container", names)
	}
	if ids := paStorageContainers(t, env); len(ids) != 0 {
		t.Errorf("containers/storage holds %v, want no container", ids)
	}
}

// paStorageContainers returns the IDs of the containers/storage containers
// of env (all drivers: <root>/<driver>-containers/containers.json).
func paStorageContainers(t testing.TB, env *Env) []string {
	t.Helper()
	// --rm containers are recorded in volatile-containers.json.
	files, _ := filepath.Glob(filepath.Join(env.Root, "*-containers", "*containers.json"))
	var ids []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		var recs []struct {
			ID string `json:"id"`
		}
		if len(bytes.TrimSpace(b)) > 0 {
			if err := json.Unmarshal(b, &recs); err != nil {
				t.Fatalf("parse %s: %v\n%s", f, err, b)
			}
		}
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// paExpectError checks the shape of a failed command: the exit code, a
// first stderr line starting with "Error: " that contains every want
// string, and exactly one "Error: " line.
func paExpectError(t testing.TB, r Result, code int, want ...string) {
	t.Helper()
	if r.Err != nil {
		t.Fatalf("command did not run:\n%s", r)
	}
	if r.ExitCode() != code {
		t.Errorf("exit code %d, want %d:\n%s", r.ExitCode(), code, r)
	}
	stderr := strings.TrimSpace(r.Stderr())
	first, _, _ := strings.Cut(stderr, "\n")
	if !strings.HasPrefix(first, "Error: ") {
		t.Errorf("first stderr line %q does not start with \"Error: \":\n%s", first, r)
	}
	if n := strings.Count(stderr, "Error: "); n != 1 {
		t.Errorf("stderr has %d \"Error: \" lines, want 1:\n%s", n, r)
	}
	if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
		t.Errorf("berth crashed:\n%s", r)
	}
	for _, w := range want {
		if !strings.Contains(first, w) {
			t.Errorf("error line %q does not contain %q", first, w)
		}
	}
}

// paMerged returns the host path of the running container's root
// filesystem, so the test can drop files into it (e.g. a "go" flag that the
// container polls for) without any exec support.
func paMerged(t testing.TB, env *Env, ctr string) string {
	t.Helper()
	dir := paInspect(t, env, ctr, "{{.GraphDriver.Data.MergedDir}}")
	if dir == "" || dir == "<no value>" {
		t.Fatalf("container %s: no MergedDir in inspect", ctr)
	}
	return dir
}

// paTouch creates path inside the container's root filesystem.
func paTouch(t testing.TB, env *Env, ctr, path string) {
	t.Helper()
	p := filepath.Join(paMerged(t, env, ctr), path)
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatalf("create %s in %s: %v", path, ctr, err)
	}
}

// paWaitGo is a container command that waits for /tmp/go (created with
// paTouch) and then exits with code.
func paWaitGo(code int) []string {
	return []string{"sh", "-c", fmt.Sprintf("echo ready; while [ ! -e /tmp/go ]; do sleep 0.05; done; exit %d", code)}
}

// paPidAlive reports whether pid exists and is not a zombie.
func paPidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil {
		return false
	}
	return !isZombie(pid)
}

// paAtoi parses an integer printed by berth, failing the test otherwise.
func paAtoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// paIDInfo is what busybox `id` printed.
type paIDInfo struct {
	uid, gid int
	groups   []int
}

var paIDRe = regexp.MustCompile(`(uid|gid|groups)=([0-9(),a-z]+)`)

func paParseID(t testing.TB, out string) paIDInfo {
	t.Helper()
	info := paIDInfo{uid: -1, gid: -1}
	for _, m := range paIDRe.FindAllStringSubmatch(out, -1) {
		var nums []int
		for _, f := range strings.Split(m[2], ",") {
			if i := strings.IndexByte(f, '('); i >= 0 {
				f = f[:i]
			}
			n, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("parse id output %q: %v", out, err)
			}
			nums = append(nums, n)
		}
		switch m[1] {
		case "uid":
			info.uid = nums[0]
		case "gid":
			info.gid = nums[0]
		case "groups":
			info.groups = nums
		}
	}
	if info.uid < 0 || info.gid < 0 {
		t.Fatalf("cannot parse id output %q", out)
	}
	return info
}

func TestLifecycleRunDetachedAndRm(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)

	if out := env.MustBerth(t, "run", "--rm", "busybox", "echo", "hello world"); out != "hello world" {
		t.Errorf("run --rm echo printed %q, want %q", out, "hello world")
	}
	paExpectNoContainers(t, env)

	id := env.MustBerth(t, "run", "-d", "--name", "web", "busybox", "sleep", "1000")
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("run -d printed %q, want the 64-hex container ID", id)
	}
	if got := paInspect(t, env, "web", "{{.ID}} {{.Name}} {{.State.Status}} {{.State.Running}}"); got != id+" web running true" {
		t.Errorf("inspect web = %q, want %q", got, id+" web running true")
	}
	// docker's spelling of the field (the JSON key) works too, as in podman.
	if r := env.Berth("inspect", "--format", "{{.Id}}", "web"); r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != id {
		t.Errorf("inspect --format {{.Id}}: want the ID:\n%s", r)
	}
	if st := paPsStatus(t, env, "web"); !strings.HasPrefix(st, "Up") {
		t.Errorf("ps status of web = %q, want Up...", st)
	}
	pid := paAtoi(t, paInspect(t, env, "web", "{{.State.Pid}}"))
	if !paPidAlive(pid) {
		t.Errorf("container process %d is not running", pid)
	}
	// The short ID works as a reference too.
	if got := paInspect(t, env, id[:12], "{{.Name}}"); got != "web" {
		t.Errorf("inspect by short ID = %q, want web", got)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "web")
	paExpectNoContainers(t, env)
	if paPidAlive(pid) {
		t.Errorf("container process %d survived rm -f", pid)
	}
}

func TestLifecycleEnvWorkdirHostnameLabels(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)

	envFile := filepath.Join(env.TmpDir, "env.list")
	content := "# a comment\n\nFROM_FILE=file value\nOVERRIDDEN=from-file\nFROM_HOST\n"
	if err := os.WriteFile(envFile, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, "FROM_HOST=host-value")
	out := env.MustBerth(t, "run", "--rm", "--env-file", envFile, "-e", "OVERRIDDEN=from-flag", "--env", "SECOND=2",
		"-w", "/home/berthuser", "--hostname", "myhost.example", "busybox",
		"sh", "-c", `echo "$FROM_FILE|$OVERRIDDEN|$SECOND|$FROM_HOST"; pwd; hostname`)
	want := "file value|from-flag|2|host-value\n/home/berthuser\nmyhost.example"
	if out != want {
		t.Errorf("run output:\n%s\nwant:\n%s", out, want)
	}

	// -w creates a missing working directory.
	if out := env.MustBerth(t, "run", "--rm", "-w", "/does/not/exist", "busybox", "pwd"); out != "/does/not/exist" {
		t.Errorf("pwd with -w /does/not/exist printed %q", out)
	}

	env.MustBerth(t, "create", "--name", "lab", "-l", "a=b", "--label", "team=berth", "--restart", "no", "busybox")
	if got := paInspect(t, env, "lab", "{{json .Config.Labels}}"); got != `{"a":"b","team":"berth"}` {
		t.Errorf("labels = %s", got)
	}
	if got := paInspect(t, env, "lab", "{{.HostConfig.RestartPolicy.Name}}"); got != "no" && got != "" {
		t.Errorf("restart policy = %q, want no", got)
	}
	if got := env.MustBerth(t, "ps", "-a", "--filter", "label=team=berth", "--format", "{{.Names}}"); got != "lab" {
		t.Errorf("ps --filter label=team=berth = %q, want lab", got)
	}
	if got := env.MustBerth(t, "ps", "-a", "--filter", "label=team=other", "--format", "{{.Names}}"); got != "" {
		t.Errorf("ps --filter label=team=other = %q, want nothing", got)
	}
	// --pull never is fine when the image is local.
	if out := env.MustBerth(t, "run", "--rm", "--pull", "never", "busybox", "echo", "ok"); out != "ok" {
		t.Errorf("run --pull never printed %q", out)
	}
}

func TestLifecycleUser(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	for _, tc := range []struct {
		user      string
		uid, gid  int
		wantGroup int // a supplementary group that must be present, -1 for none
		noGroup   int // a supplementary group that must be absent, -1 for none
	}{
		{"", 0, 0, -1, 10},
		{"root", 0, 0, -1, 10},
		{"berthuser", 1000, 1000, 10, -1},
		{"1000", 1000, 1000, 10, -1},
		{"berthuser:daemon", 1000, 1, -1, 10}, // an explicit group drops the supplementary ones
		{"1000:10", 1000, 10, -1, 1000},
		{"nobody", 65534, 65534, -1, 10},
		{"1234:5678", 1234, 5678, -1, 10}, // unknown IDs are used as they are
		{"daemon:berthgroup", 1, 1000, -1, 10},
	} {
		args := []string{"run", "--rm"}
		if tc.user != "" {
			args = append(args, "-u", tc.user)
		}
		r := env.Berth(append(args, "busybox", "id")...)
		if r.ExitCode() != 0 {
			t.Errorf("-u %q: %s", tc.user, r)
			continue
		}
		got := paParseID(t, r.Stdout())
		if got.uid != tc.uid || got.gid != tc.gid {
			t.Errorf("-u %q: id printed %q, want uid=%d gid=%d", tc.user, strings.TrimSpace(r.Stdout()), tc.uid, tc.gid)
		}
		if tc.wantGroup >= 0 && !slices.Contains(got.groups, tc.wantGroup) {
			t.Errorf("-u %q: id printed %q, want supplementary group %d", tc.user, strings.TrimSpace(r.Stdout()), tc.wantGroup)
		}
		if tc.noGroup >= 0 && slices.Contains(got.groups, tc.noGroup) {
			t.Errorf("-u %q: id printed %q, want no supplementary group %d", tc.user, strings.TrimSpace(r.Stdout()), tc.noGroup)
		}
	}
	// HOME follows the user from /etc/passwd.
	if out := env.MustBerth(t, "run", "--rm", "-u", "berthuser", "busybox", "sh", "-c", "echo $HOME"); out != "/home/berthuser" {
		t.Errorf("HOME for berthuser = %q, want /home/berthuser", out)
	}
}

// TestLifecycleImageConfig checks docker's semantics of the image's
// ENTRYPOINT, CMD, ENV, WORKDIR and USER and of their overrides.
func TestLifecycleImageConfig(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.MustBerth(t, "import",
		"--change", `ENTRYPOINT ["/bin/echo", "ep"]`,
		"--change", `CMD ["c1", "c2"]`,
		"--change", "ENV FOO=image-foo",
		"--change", "ENV BAR=image-bar",
		"--change", "WORKDIR /home/berthuser",
		"--change", "USER berthuser",
		BusyboxTar(), "cfg")

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"entrypoint+cmd", []string{"cfg"}, "ep c1 c2"},
		{"args replace cmd", []string{"cfg", "x", "y"}, "ep x y"},
		{"entrypoint replaces both", []string{"--entrypoint", "/bin/echo", "cfg"}, ""},
		{"entrypoint with args", []string{"--entrypoint", "/bin/echo", "cfg", "a", "b"}, "a b"},
		{"empty entrypoint", []string{"--entrypoint", "", "cfg", "echo", "noep"}, "noep"},
		{"json entrypoint", []string{"--entrypoint", `["/bin/echo","j1"]`, "cfg", "j2"}, "j1 j2"},
		{"image env/workdir/user", []string{"--entrypoint", "", "cfg", "sh", "-c", `echo "$FOO $BAR"; pwd; id -u`},
			"image-foo image-bar\n/home/berthuser\n1000"},
		{"overrides", []string{"--entrypoint", "", "-e", "FOO=flag", "-w", "/tmp", "-u", "root", "cfg", "sh", "-c", `echo "$FOO $BAR"; pwd; id -u`},
			"flag image-bar\n/tmp\n0"},
		{"PATH default", []string{"--entrypoint", "", "cfg", "sh", "-c", "echo $PATH"},
			"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
	} {
		r := env.Berth(append([]string{"run", "--rm"}, tc.args...)...)
		if r.ExitCode() != 0 {
			t.Errorf("%s: %s", tc.name, r)
			continue
		}
		if got := strings.TrimSpace(r.Stdout()); got != tc.want {
			t.Errorf("%s: output %q, want %q", tc.name, got, tc.want)
		}
	}

	// The plain busybox image: CMD only.
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "dflt", "busybox")
	// CMD=/bin/sh is the shell form (podman 4.3 prints the same).
	if got := paInspect(t, env, "dflt", "{{.Path}} {{json .Args}}"); got != `/bin/sh ["-c","/bin/sh"]` {
		t.Errorf("create busybox: Path/Args = %q, want %q", got, `/bin/sh ["-c","/bin/sh"]`)
	}

	// No command at all: the empty entrypoint also drops the image's CMD
	// (podman: "no command or entrypoint provided").
	r := env.Berth("run", "--rm", "--entrypoint", "", "cfg")
	paExpectError(t, r, 125, "no command or entrypoint provided")
	if names := paPsNames(t, env); !slices.Equal(names, []string{"dflt"}) {
		t.Errorf("ps -a after failed run: %v, want [dflt]", names)
	}
}

func TestLifecycleResources(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)

	t.Run("shm-size", func(t *testing.T) {
		out := env.MustBerth(t, "run", "--rm", "--shm-size", "32m", "busybox", "df", "-k", "/dev/shm")
		if !regexp.MustCompile(`(?m)\s32768\s.*/dev/shm$`).MatchString(out) {
			t.Errorf("df /dev/shm with --shm-size 32m:\n%s\nwant 32768 1K-blocks", out)
		}
	})
	t.Run("ulimit", func(t *testing.T) {
		out := env.MustBerth(t, "run", "--rm", "--ulimit", "nofile=512:1024", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn")
		if out != "512\n1024" {
			t.Errorf("ulimit -n / -Hn = %q, want 512 and 1024", out)
		}
	})
	t.Run("init", func(t *testing.T) {
		out := env.MustBerth(t, "run", "--rm", "--init", "busybox", "cat", "/proc/1/cmdline")
		argv := strings.Split(strings.TrimRight(out, "\x00"), "\x00")
		n := len(argv)
		if n < 3 || argv[n-2] != "cat" || argv[n-1] != "/proc/1/cmdline" || filepath.Base(argv[0]) == "cat" {
			t.Errorf("PID 1 with --init is %q, want an init running cat", argv)
		}
		if out := env.MustBerth(t, "run", "--rm", "busybox", "cat", "/proc/1/cmdline"); strings.TrimRight(out, "\x00") != "cat\x00/proc/1/cmdline" {
			t.Errorf("PID 1 without --init is %q, want the command itself", out)
		}
	})
	t.Run("cgroup-parent", func(t *testing.T) {
		parent := "berth-e2e-parent-" + strconv.Itoa(os.Getpid()) + "-" + filepath.Base(env.Dir)
		t.Cleanup(func() { paRemoveCgroup(parent) })
		out := env.MustBerth(t, "run", "--rm", "--cgroup-parent", "/"+parent, "busybox", "cat", "/proc/self/cgroup")
		for _, l := range strings.Split(out, "\n") {
			// hierarchy-ID:controllers:path
			f := strings.SplitN(l, ":", 3)
			if len(f) != 3 {
				continue
			}
			if !strings.HasPrefix(f[2], "/"+parent+"/") {
				t.Errorf("cgroup line %q is not under /%s", l, parent)
			}
		}
		if !strings.Contains(out, "/"+parent+"/") {
			t.Errorf("/proc/self/cgroup:\n%s\nwant paths under /%s", out, parent)
		}
		// The container's own cgroup goes away with the container.
		WaitFor(t, paWaitTimeout, func() bool {
			left, _ := filepath.Glob("/sys/fs/cgroup/*/" + parent + "/*berth*")
			more, _ := filepath.Glob("/sys/fs/cgroup/" + parent + "/*berth*")
			return len(left)+len(more) == 0
		})
	})
}

// paRemoveCgroup removes a test's cgroup parent (whatever the engine left;
// leaf cgroups first) from every hierarchy.
func paRemoveCgroup(name string) {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/" + name)
	more, _ := filepath.Glob("/sys/fs/cgroup/*/" + name)
	for _, d := range append(dirs, more...) {
		var all []string
		_ = filepath.WalkDir(d, func(p string, de os.DirEntry, err error) error {
			if err == nil && de.IsDir() {
				all = append(all, p)
			}
			return nil
		})
		for i := len(all) - 1; i >= 0; i-- {
			_ = os.Remove(all[i])
		}
	}
}

func TestLifecycleStopSignalAndTimeout(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	loop := "while :; do sleep 0.05; done"

	// stop sends the configured stop signal.
	env.MustBerth(t, "run", "-d", "--name", "usr1", "--stop-signal", "SIGUSR1", "busybox", "sh", "-c", `trap "exit 9" USR1; trap "exit 15" TERM; `+loop)
	// --stop-timeout 0: stop kills at once, the TERM trap never runs.
	env.MustBerth(t, "run", "-d", "--name", "to0", "--stop-timeout", "0", "busybox", "sh", "-c", `trap "exit 3" TERM; `+loop)
	// default: TERM, which the trap turns into exit 3.
	env.MustBerth(t, "run", "-d", "--name", "dflt", "busybox", "sh", "-c", `trap "exit 3" TERM; `+loop)

	if got := paInspect(t, env, "usr1", "{{.Config.StopSignal}}"); got != "SIGUSR1" && got != "10" {
		t.Errorf("StopSignal = %q, want SIGUSR1", got)
	}
	if got := paInspect(t, env, "to0", "{{.Config.StopTimeout}}"); got != "0" {
		t.Errorf("StopTimeout = %q, want 0", got)
	}
	out := env.MustBerth(t, "stop", "usr1", "to0", "dflt")
	if out != "usr1\nto0\ndflt" {
		t.Errorf("stop printed %q, want the names given", out)
	}
	for name, code := range map[string]string{"usr1": "9", "to0": "137", "dflt": "3"} {
		if got := paInspect(t, env, name, "{{.State.Status}} {{.State.ExitCode}}"); got != "exited "+code {
			t.Errorf("%s after stop: %q, want exited %s", name, got, code)
		}
	}
	// Stopping a stopped container is not an error.
	env.MustBerth(t, "stop", "dflt")
}
