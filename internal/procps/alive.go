package procps

import (
	"errors"
	"os"
	"strconv"
)

// Alive reports whether pid runs; a zombie (exited, not yet reaped) counts
// as dead.
func Alive(pid int) bool { return AliveSince(pid, 0) }

// AliveSince reports whether pid runs and is the process that started at
// start (StartTime's clock ticks since boot): once a process has died, the
// kernel may give its PID to another, which a PID alone cannot tell apart.
// A start of 0 (not recorded) checks the PID only.
func AliveSince(pid int, start uint64) bool {
	state, started, err := stat(pid)
	if err != nil || state == "Z" {
		return false
	}
	return start == 0 || started == start
}

// StartTime returns when pid started, in clock ticks since boot (field 22
// of /proc/PID/stat): with the PID, it names one process for good.
func StartTime(pid int) (uint64, error) {
	_, start, err := stat(pid)
	return start, err
}

// stat reads pid's state letter and start time.
func stat(pid int) (state string, start uint64, err error) {
	if pid <= 0 {
		return "", 0, os.ErrNotExist
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, err
	}
	// f[0] is field 3 (state), so field 22 (starttime) is f[19].
	_, f, ok := splitStat(data)
	if !ok || len(f) < 20 {
		return "", 0, errors.New("malformed /proc/" + strconv.Itoa(pid) + "/stat")
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return f[0], start, err
}
