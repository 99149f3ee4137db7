package oci

import "golang.org/x/sys/unix"

// isCgroup2UnifiedMode reports whether /sys/fs/cgroup is a cgroup2 mount,
// i.e. the host has no v1 hierarchies at all. A variable so that tests can
// play a pure v2 host on this one.
var isCgroup2UnifiedMode = func() bool {
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		return false
	}
	return st.Type == unix.CGROUP2_SUPER_MAGIC
}
