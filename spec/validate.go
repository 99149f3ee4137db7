package spec

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/etcfiles"
)

// ParseSignal turns a signal as users write it ("SIGKILL", "KILL", "kill",
// "9", "RTMIN+3", "SIGRTMAX-1") into its number, as docker's and podman's
// --stop-signal and kill --signal do.
func ParseSignal(s string) (unix.Signal, error) {
	in := s
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal %q: out of range 1-64: %w", in, define.ErrInvalidArg)
		}
		return unix.Signal(n), nil
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	const rtmin, rtmax = 34, 64
	for _, rt := range []struct {
		prefix string
		base   int
		sign   int
	}{{"RTMIN", rtmin, 1}, {"RTMAX", rtmax, -1}} {
		rest, ok := strings.CutPrefix(name, rt.prefix)
		if !ok {
			continue
		}
		off := 0
		if rest != "" {
			want := "+"
			if rt.sign < 0 {
				want = "-"
			}
			if !strings.HasPrefix(rest, want) {
				return 0, fmt.Errorf("invalid signal %q: %w", in, define.ErrInvalidArg)
			}
			n, err := strconv.Atoi(rest[1:])
			if err != nil || n < 0 {
				return 0, fmt.Errorf("invalid signal %q: %w", in, define.ErrInvalidArg)
			}
			off = n
		}
		sig := rt.base + rt.sign*off
		if sig < rtmin || sig > rtmax {
			return 0, fmt.Errorf("invalid signal %q: out of range: %w", in, define.ErrInvalidArg)
		}
		return unix.Signal(sig), nil
	}
	if sig := unix.SignalNum("SIG" + name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q: %w", in, define.ErrInvalidArg)
}

// ParseRestartPolicy splits --restart into a policy and a retry count:
// "no", "always", "unless-stopped", "on-failure" or "on-failure:N".
// An empty string is "no".
func ParseRestartPolicy(s string) (policy string, retries uint, err error) {
	policy, max, hasMax := strings.Cut(s, ":")
	switch policy {
	case "":
		if hasMax {
			break
		}
		return "no", 0, nil
	case "no", "always", "unless-stopped":
		if !hasMax {
			return policy, 0, nil
		}
		return "", 0, fmt.Errorf("--restart %q: retries are only allowed with the on-failure policy: %w", s, define.ErrInvalidArg)
	case "on-failure":
		if !hasMax {
			return policy, 0, nil
		}
		n, err := strconv.ParseUint(max, 10, 31)
		if err != nil {
			return "", 0, fmt.Errorf("--restart %q: retry count must be a non-negative integer: %w", s, define.ErrInvalidArg)
		}
		return policy, uint(n), nil
	}
	return "", 0, fmt.Errorf("--restart %q: policy must be one of no, always, on-failure[:N], unless-stopped: %w", s, define.ErrInvalidArg)
}

// ValidateHostname checks a --hostname value: at most 64 characters (the
// kernel's limit), RFC 1123 labels of letters, digits and hyphens, separated
// by dots.
func ValidateHostname(h string) error {
	bad := func(why string) error {
		return fmt.Errorf("--hostname %q: %s: %w", h, why, define.ErrInvalidArg)
	}
	if h == "" {
		return bad("empty hostname")
	}
	if len(h) > 64 {
		return bad("longer than 64 characters")
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" {
			return bad("empty label")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return bad("a label may not start or end with a hyphen")
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return bad("only letters, digits, hyphens and dots are allowed")
			}
		}
	}
	return nil
}

// ValidateAddHost checks an --add-host value: "name:ip" or "name=ip", with
// an IPv4 or IPv6 address or "host-gateway".
func ValidateAddHost(s string) error {
	if _, _, ok := etcfiles.SplitAddHost(s); !ok {
		return fmt.Errorf("--add-host %q: must be NAME:IP: %w", s, define.ErrInvalidArg)
	}
	return nil
}
