package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/spec"
	"github.com/spf13/pflag"
)

func bindSecretFlag(f *pflag.FlagSet, dst *[]string) {
	f.StringArrayVar(dst, "secret", nil, "add secret to container")
}

// parseContainerSecrets parses --secret NAME[,type=mount|env][,target=T][,uid=U]
// [,gid=G][,mode=M] with podman's rules and messages: the name may also be
// given as source=NAME, mode is octal, and uid/gid/mode apply to mount
// secrets only.
func parseContainerSecrets(values []string) ([]spec.Secret, error) {
	var out []spec.Secret
	bad := func(format string, args ...any) error {
		return usageError("%s: parsing secret", fmt.Sprintf(format, args...))
	}
	for _, val := range values {
		s := spec.Secret{}
		parts := strings.Split(val, ",")
		if !strings.Contains(parts[0], "=") {
			s.Name, parts = parts[0], parts[1:]
		}
		mountOnly := false
		for _, p := range parts {
			k, v, ok := strings.Cut(p, "=")
			if !ok {
				return nil, bad("option %s must be in form option=value", p)
			}
			switch k {
			case "source":
				s.Name = v
			case "type":
				if s.Type != "" {
					return nil, bad("cannot set more than one secret type")
				}
				if v != "mount" && v != "env" {
					return nil, bad("type %s is invalid", v)
				}
				s.Type = v
			case "target":
				s.Target = v
			case "mode":
				m, err := strconv.ParseUint(v, 8, 32)
				if err != nil {
					return nil, bad("mode %s invalid", v)
				}
				s.Mode, mountOnly = uint32(m), true
			case "uid", "UID":
				n, err := strconv.ParseUint(v, 10, 32)
				if err != nil {
					return nil, bad("UID %s invalid", v)
				}
				s.UID, mountOnly = uint32(n), true
			case "gid", "GID":
				n, err := strconv.ParseUint(v, 10, 32)
				if err != nil {
					return nil, bad("GID %s invalid", v)
				}
				s.GID, mountOnly = uint32(n), true
			default:
				return nil, bad("option %s invalid", p)
			}
		}
		if s.Name == "" {
			return nil, bad("no source found %s", val)
		}
		if s.Type == "" {
			s.Type = "mount"
		}
		if s.Type == "env" && mountOnly {
			return nil, bad("UID, GID, Mode options cannot be set with secret type env")
		}
		if s.Type == "mount" && s.Mode == 0 {
			s.Mode = 0o444
		}
		out = append(out, s)
	}
	return out, nil
}
