package procps

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
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
