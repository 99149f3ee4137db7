// Package signals parses and names signals the way docker's CLI does:
// "SIGTERM", "TERM", "term" and "15" all mean the same signal.
package signals

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/internal/errdefs"
)

// invalid is the error for a signal that is not one; it is in the
// invalid-argument category.
func invalid(s string) error {
	return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf("invalid signal: %s", s))
}

// Parse turns a signal name or number into a signal: "SIGKILL", "KILL",
// "kill", "9", "RTMIN+3", "SIGRTMAX-1". It is the one signal parser of
// kill, stop signals and the API.
func Parse(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, invalid(s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if strings.HasPrefix(name, "SIGRTMIN") || strings.HasPrefix(name, "SIGRTMAX") {
		return parseRT(name, s)
	}
	sig := unix.SignalNum(name)
	if sig == 0 {
		return 0, invalid(s)
	}
	return sig, nil
}

// parseRT handles SIGRTMIN+n and SIGRTMAX-n.
func parseRT(name, orig string) (syscall.Signal, error) {
	base, off, sign := 34, "", 1
	switch {
	case strings.HasPrefix(name, "SIGRTMIN"):
		off = strings.TrimPrefix(name, "SIGRTMIN")
	default:
		base, sign = 64, -1
		off = strings.TrimPrefix(name, "SIGRTMAX")
	}
	n := 0
	if off != "" {
		if (sign > 0 && off[0] != '+') || (sign < 0 && off[0] != '-') {
			return 0, invalid(orig)
		}
		v, err := strconv.Atoi(off[1:])
		if err != nil {
			return 0, invalid(orig)
		}
		n = v
	}
	sig := base + sign*n
	if sig < 34 || sig > 64 {
		return 0, invalid(orig)
	}
	return syscall.Signal(sig), nil
}

// Name returns "SIGTERM" for 15, "SIGRTMIN+3" for 37 (real-time signals
// as podman names them), or the number for unknown signals.
func Name(sig syscall.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	switch {
	case sig == 34:
		return "SIGRTMIN"
	case sig > 34 && sig < 64:
		return "SIGRTMIN+" + strconv.Itoa(int(sig)-34)
	case sig == 64:
		return "SIGRTMAX"
	}
	return strconv.Itoa(int(sig))
}
