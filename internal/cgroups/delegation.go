package cgroups

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Delegation is the cgroup v2 subtree an unprivileged user may manage:
// systemd hands user@UID.service (Delegate=yes) to the user, chowned to
// them, with the controllers its Delegate= lists (memory and pids by
// default; cpu, cpuset and io where configured). A rootless berth puts
// its containers' cgroups below it (cgroupfs paths: runc makes them and
// enables the parent's controllers on the way down) and can only apply
// the limits of those controllers.
type Delegation struct {
	// Path is the delegated cgroup, relative to the hierarchy root
	// ("/user.slice/user-1000.slice/user@1000.service").
	Path string
	// Controllers are what its children can have (cgroup.controllers).
	Controllers []string
}

// Has reports whether the controller is delegated.
func (d *Delegation) Has(ctrl string) bool {
	for _, c := range d.Controllers {
		if c == ctrl {
			return true
		}
	}
	return false
}

// Parent is where a rootless berth's container and pod cgroups go.
func (d *Delegation) Parent() string { return path.Join(d.Path, "berth") }

// Detection inputs, replaced by tests (a v1 host cannot show a v2 tree).
var (
	delegationRoot = Root
	selfCgroupFile = "/proc/self/cgroup"
	isUnified      = func(root string) bool {
		var st unix.Statfs_t
		return unix.Statfs(root, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
	}
)

// RootlessDelegation returns the topmost cgroup above this process that
// the process's user owns on a cgroup v2 host, or nil: on v1 (or hybrid)
// hosts, or where nothing was delegated (no systemd user instance, or the
// process runs outside it), a rootless berth has no cgroups.
func RootlessDelegation() *Delegation {
	if !isUnified(delegationRoot) {
		return nil
	}
	data, err := os.ReadFile(selfCgroupFile)
	if err != nil {
		return nil
	}
	own := ""
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			own = p
		}
	}
	if own == "" || !strings.HasPrefix(own, "/") {
		return nil
	}
	uid := os.Geteuid()
	found := ""
	for p := path.Clean(own); p != "/"; p = path.Dir(p) {
		if !ownedWritable(filepath.Join(delegationRoot, p), uid) {
			break
		}
		found = p
	}
	if found == "" {
		return nil
	}
	ctrls, _ := os.ReadFile(filepath.Join(delegationRoot, found, "cgroup.controllers"))
	return &Delegation{Path: found, Controllers: strings.Fields(string(ctrls))}
}

// ownedWritable reports whether the cgroup directory and the files a
// manager writes (cgroup.procs, cgroup.subtree_control) belong to uid.
func ownedWritable(dir string, uid int) bool {
	for _, f := range []string{"", "cgroup.procs", "cgroup.subtree_control"} {
		var st unix.Stat_t
		if unix.Stat(filepath.Join(dir, f), &st) != nil || int(st.Uid) != uid {
			return false
		}
	}
	return true
}
