package procps

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// CommAndParent returns pid's command name and parent PID from
// /proc/PID/stat: enough to tell a process apart from a stranger that took
// its PID.
func CommAndParent(pid int) (comm string, ppid int, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, err
	}
	comm, f, ok := splitStat(data)
	if !ok || len(f) < 2 {
		return "", 0, errors.New("malformed /proc/" + strconv.Itoa(pid) + "/stat")
	}
	ppid, err = strconv.Atoi(f[1])
	return comm, ppid, err
}

// splitStat splits a /proc/PID/stat line into the command name, which is
// in parentheses and may hold spaces or ")", and the fields after it (f[0]
// is field 3, the state, of proc(5)).
func splitStat(data []byte) (comm string, fields []string, ok bool) {
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || end < open {
		return "", nil, false
	}
	return string(data[open+1 : end]), strings.Fields(string(data[end+1:])), true
}

// Children lists pid's children, whichever of its threads forked them.
func Children(pid int) []int {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []int
	for _, task := range tasks {
		data, err := os.ReadFile(dir + "/" + task.Name() + "/children")
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// InPIDNamespace lists the processes in pid's PID namespace (pid among
// them), in PID order: a container's processes where it has no cgroup to
// list them (rootless on cgroup v1), as podman's top sees them by joining
// that namespace.
func InPIDNamespace(pid int) ([]int, error) {
	var want unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/pid", &want); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Stat("/proc/"+e.Name()+"/ns/pid", &st) == nil && st.Ino == want.Ino && st.Dev == want.Dev {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}
