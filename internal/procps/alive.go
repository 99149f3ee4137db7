package procps

import (
	"bytes"
	"os"
	"strconv"
)

// Alive reports whether pid runs; a zombie (exited, not yet reaped) counts
// as dead.
func Alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses.
	i := bytes.LastIndexByte(data, ')')
	return i >= 0 && i+2 < len(data) && data[i+2] != 'Z'
}
