package rootless

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// NSMaps returns the uid and gid maps of the user namespace at path (a
// /proc/PID/ns/user file or a bind mount of one), read from a process in
// it: a namespace file says nothing about its maps, and `--userns
// ns:PATH` needs them for the container's rootfs and for the OCI
// runtime, which computes the container root's host IDs from them. A
// namespace no process is in any more is refused.
func NSMaps(path string) (uids, gids []IDMap, err error) {
	var want unix.Stat_t
	if err := unix.Stat(path, &want); err != nil {
		return nil, nil, fmt.Errorf("user namespace %s: %w", path, err)
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(path, &fs); err != nil || fs.Type != unix.NSFS_MAGIC {
		return nil, nil, fmt.Errorf("%s is not a namespace file", path)
	}
	if t, err := nsType(path); err == nil && t != unix.CLONE_NEWUSER {
		return nil, nil, fmt.Errorf("%s is not a user namespace", path)
	}
	pid, err := nsOwnerPID(want)
	if err != nil {
		return nil, nil, err
	}
	dir := "/proc/" + strconv.Itoa(pid)
	if uids, err = readMap(dir + "/uid_map"); err != nil {
		return nil, nil, err
	}
	if gids, err = readMap(dir + "/gid_map"); err != nil {
		return nil, nil, err
	}
	if len(uids) == 0 || len(gids) == 0 {
		return nil, nil, fmt.Errorf("user namespace %s has no ID maps written yet", path)
	}
	return uids, gids, nil
}

// nsType asks the kernel what kind of namespace the file is (NS_GET_NSTYPE).
func nsType(path string) (int, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	const nsGetNSType = 0xb703 // _IO(0xb7, 0x3)
	return unix.IoctlRetInt(fd, nsGetNSType)
}

// nsOwnerPID finds a process whose user namespace is the one stat'ed.
func nsOwnerPID(want unix.Stat_t) (int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Stat("/proc/"+e.Name()+"/ns/user", &st) == nil && st.Dev == want.Dev && st.Ino == want.Ino {
			return pid, nil
		}
	}
	return 0, errors.New("no process runs in that user namespace: its ID maps cannot be read")
}
