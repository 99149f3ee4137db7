package spec

import (
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/etcfiles"
)

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
