package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// settleTimeout is how long cleanup waits, after removing all containers,
// for conmon and `berth container cleanup` processes to exit and their mounts
// to go away before it counts them as leaked.
const settleTimeout = 15 * time.Second

// rootRegistry remembers every Env directory of the suite and the leaks found
// when each was cleaned up, so TestMain can fail the suite once at the end.
type rootRegistry struct {
	mu     sync.Mutex
	dirs   []string
	leaks  []string
	ctrIDs []string
	podIDs []string
}

var roots rootRegistry

func (r *rootRegistry) add(dir string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dirs = append(r.dirs, dir)
}

func (r *rootRegistry) leak(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.leaks = append(r.leaks, fmt.Sprintf(format, args...))
}

// finalCheck returns the leaks recorded during the tests plus anything still
// present under any Env directory now that every cleanup has run.
func (r *rootRegistry) finalCheck() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	leaks := append([]string(nil), r.leaks...)
	leaks = append(leaks, networkLeaks(r.ctrIDs)...)
	// Container cgroups (cgroupfs: <parent>/berth-<ID> under every
	// controller) must be gone with the tests' containers. Only the IDs
	// the tests created count: other berth users of this host are not
	// the suite's business.
	// A pod member's sits in its pod's cgroup, which goes with the pod.
	var cgroups []string
	for _, id := range r.ctrIDs {
		for _, pattern := range []string{"/sys/fs/cgroup/*/*/berth-", "/sys/fs/cgroup/*/berth-", "/sys/fs/cgroup/*/*/*/berth-"} {
			m, _ := filepath.Glob(pattern + id)
			cgroups = append(cgroups, m...)
		}
	}
	for _, id := range r.podIDs {
		for _, pattern := range []string{"/sys/fs/cgroup/*/*/berth-pod-", "/sys/fs/cgroup/*/berth-pod-"} {
			m, _ := filepath.Glob(pattern + id)
			cgroups = append(cgroups, m...)
		}
	}
	for _, cg := range cgroups {
		leaks = append(leaks, fmt.Sprintf("cgroup left behind: %s", cg))
	}
	for _, dir := range r.dirs {
		mounts, err := mountsUnder(dir)
		if err != nil {
			leaks = append(leaks, fmt.Sprintf("%s: read mountinfo: %v", dir, err))
		}
		for _, m := range mounts {
			leaks = append(leaks, fmt.Sprintf("%s: still mounted: %s (%s)", dir, m.Mountpoint, m.FSType))
		}
		for _, p := range processesUnder(dir) {
			leaks = append(leaks, fmt.Sprintf("%s: process still running: %s", dir, p))
		}
		if _, err := os.Lstat(dir); err == nil {
			leaks = append(leaks, fmt.Sprintf("%s: directory not removed", dir))
		}
	}
	return leaks
}

// cleanup removes what the test created, first through berth (what a user
// would do), then by force. Anything berth should have released but did not
// is recorded as a leak.
func (e *Env) cleanup(t testing.TB) {
	if r := e.Berth("ps", "-aq", "--no-trunc"); r.ExitCode() == 0 {
		roots.mu.Lock()
		roots.ctrIDs = append(roots.ctrIDs, r.Lines()...)
		roots.mu.Unlock()
	}
	if r := e.Berth("pod", "ps", "-q", "--no-trunc"); r.ExitCode() == 0 {
		roots.mu.Lock()
		roots.podIDs = append(roots.podIDs, r.Lines()...)
		roots.mu.Unlock()
	}
	for _, args := range [][]string{
		// Pods first: their infra containers go only with them.
		{"pod", "rm", "-af", "-t", "0"},
		{"rm", "-af", "-t", "0"},
		// Volumes stay until removed, as in podman; a volume some
		// container still holds mounted is refused and shows below.
		{"volume", "rm", "-a"},
	} {
		if r := e.Berth(args...); r.Err != nil || r.ExitCode() != 0 {
			t.Logf("cleanup: %s", r)
		}
	}

	// conmon runs `berth container cleanup` after the container exits;
	// give those a moment to finish.
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) && (len(processesUnder(e.Dir)) > 0 || len(e.unexpectedMounts()) > 0) {
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range processesUnder(e.Dir) {
		roots.leak("%s: %s: process left running after rm -af: %s", t.Name(), e.Dir, p)
	}
	for _, m := range e.unexpectedMounts() {
		roots.leak("%s: %s: mount left after rm -af: %s (%s)", t.Name(), e.Dir, m.Mountpoint, m.FSType)
	}
	// Every container's and volume's lock file goes with it.
	if locks, err := os.ReadDir(filepath.Join(e.RunRoot, "berth", "locks")); err == nil {
		for _, l := range locks {
			roots.leak("%s: %s: lock file left after rm -af: %s", t.Name(), e.Dir, l.Name())
		}
	}

	recordNetworks(e)
	// Networks keep their bridges and firewall rules until removed; the
	// reset removes them all, the default network's included.
	if r := e.Berth("system", "reset", "--force"); r.Err != nil || r.ExitCode() != 0 {
		roots.leak("%s: %s: system reset failed: %s", t.Name(), e.Dir, r)
	}
	if err := forceClean(e.Dir); err != nil {
		t.Errorf("cleanup of %s: %v", e.Dir, err)
	}
}

// unexpectedMounts returns the mounts under the Env except the storage
// driver's home: containers/storage bind-mounts <root>/overlay onto itself
// (private) and keeps it across commands by design, as podman does.
func (e *Env) unexpectedMounts() []*mountinfo.Info {
	mounts, _ := mountsUnder(e.Dir)
	var out []*mountinfo.Info
	for _, m := range mounts {
		if m.Mountpoint == filepath.Join(e.Root, "overlay") {
			continue
		}
		out = append(out, m)
	}
	return out
}

// forceClean kills every process that refers to dir (children first, so a
// container dies before its conmon), deletes their OCI runtime state,
// unmounts everything under dir and removes it.
func forceClean(dir string) error {
	for _, p := range processesUnder(dir) {
		killTree(p.pid)
		if p.isConmon() {
			p.deleteRuntimeState()
		}
	}
	for range 3 {
		mounts, err := mountsUnder(dir)
		if err != nil {
			return err
		}
		if len(mounts) == 0 {
			break
		}
		// Deepest first, detached so a busy mount cannot block us.
		sort.Slice(mounts, func(i, j int) bool { return len(mounts[i].Mountpoint) > len(mounts[j].Mountpoint) })
		for _, m := range mounts {
			_ = unix.Unmount(m.Mountpoint, unix.MNT_DETACH)
		}
	}
	if mounts, _ := mountsUnder(dir); len(mounts) > 0 {
		return fmt.Errorf("%d mount(s) remain under %s", len(mounts), dir)
	}
	return os.RemoveAll(dir)
}

// mountsUnder returns the mounts at dir or below it.
func mountsUnder(dir string) ([]*mountinfo.Info, error) {
	return mountinfo.GetMounts(func(m *mountinfo.Info) (skip, stop bool) {
		return !(m.Mountpoint == dir || strings.HasPrefix(m.Mountpoint, dir+"/")), false
	})
}

// proc is a running process whose command line mentions a test directory.
type proc struct {
	pid  int
	argv []string
}

func (p proc) String() string { return fmt.Sprintf("pid %d: %s", p.pid, strings.Join(p.argv, " ")) }

func (p proc) isConmon() bool { return len(p.argv) > 0 && filepath.Base(p.argv[0]) == "conmon" }

// deleteRuntimeState runs `<runtime> [runtime args] delete --force <id>` with
// the runtime, its arguments and the container ID read from conmon's command
// line, so a killed container leaves no state in the runtime's root.
func (p proc) deleteRuntimeState() {
	var runtime, id string
	var rtArgs []string
	for i := 0; i+1 < len(p.argv); i++ {
		switch p.argv[i] {
		case "-r", "--runtime":
			runtime = p.argv[i+1]
		case "-c", "--cid":
			id = p.argv[i+1]
		case "--runtime-arg":
			rtArgs = append(rtArgs, p.argv[i+1])
		}
	}
	if runtime == "" || id == "" {
		return
	}
	args := append(rtArgs, "delete", "--force", id)
	_ = exec.Command(runtime, args...).Run()
}

// processesUnder lists processes (other than this one) whose command line
// contains a path under dir: conmon, `berth container cleanup`, a stuck
// berth command.
func processesUnder(dir string) []proc {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	needle := []byte(dir + "/")
	var out []proc
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil || pid == self {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", ent.Name(), "cmdline"))
		if err != nil || !bytes.Contains(b, needle) {
			continue
		}
		if isZombie(pid) {
			continue
		}
		argv := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		out = append(out, proc{pid: pid, argv: argv})
	}
	return out
}

// isZombie reports whether pid has exited and waits only for its parent.
func isZombie(pid int) bool {
	st, ok := readStat(pid)
	return ok && st.state == "Z"
}

type procStat struct {
	state string
	ppid  int
}

// readStat parses /proc/PID/stat; the command name may contain spaces and
// parentheses, so fields are counted after its last ')'.
func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return procStat{}, false
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return procStat{}, false
	}
	return procStat{state: f[0], ppid: ppid}, true
}

// killTree SIGKILLs pid's descendants, deepest first, then pid itself.
// Killing a container's init (a child of conmon) ends its whole PID
// namespace.
func killTree(pid int) {
	children := map[int][]int{}
	if entries, err := os.ReadDir("/proc"); err == nil {
		for _, ent := range entries {
			p, err := strconv.Atoi(ent.Name())
			if err != nil {
				continue
			}
			if st, ok := readStat(p); ok {
				children[st.ppid] = append(children[st.ppid], p)
			}
		}
	}
	var kill func(int, int)
	kill = func(p, depth int) {
		if depth > 64 {
			return
		}
		for _, c := range children[p] {
			kill(c, depth+1)
		}
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	kill(pid, 0)
}
