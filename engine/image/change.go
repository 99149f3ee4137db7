package image

import (
	"encoding/json"
	"fmt"
	"github.com/berth-dev/berth/internal/shellwords"
	"path"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// ApplyChanges applies docker `--change` instructions (CMD, ENTRYPOINT, ENV,
// EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR) to cfg, in order. It is
// shared by import and commit so both accept exactly the same language.
// Instruction names are case-insensitive and may be separated from their
// value by a space or by "=" (podman accepts "CMD=..."). An invalid change
// leaves cfg partially modified and returns an error wrapping
// define.ErrInvalidArg that quotes the change.
func ApplyChanges(cfg *v1.ImageConfig, changes []string) error {
	for _, change := range changes {
		if err := applyChange(cfg, change); err != nil {
			return fmt.Errorf("invalid change %q: %w", change, err)
		}
	}
	return nil
}

func applyChange(cfg *v1.ImageConfig, change string) error {
	change = strings.TrimSpace(change)
	cut := strings.IndexAny(change, " \t=")
	instr, value := change, ""
	if cut >= 0 {
		instr, value = change[:cut], strings.TrimSpace(change[cut+1:])
	}
	instr = strings.ToUpper(instr)
	if value == "" {
		switch instr {
		case "CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR":
			return fmt.Errorf("%s requires a value: %w", instr, define.ErrInvalidArg)
		}
	}
	switch instr {
	case "CMD":
		cmd, err := commandValue(value)
		if err != nil {
			return err
		}
		cfg.Cmd = cmd
	case "ENTRYPOINT":
		ep, err := commandValue(value)
		if err != nil {
			return err
		}
		cfg.Entrypoint = ep
	case "ENV":
		pairs, err := keyValues(value)
		if err != nil {
			return err
		}
		for _, kv := range pairs {
			cfg.Env = setEnv(cfg.Env, kv[0], kv[1])
		}
	case "LABEL":
		pairs, err := keyValues(value)
		if err != nil {
			return err
		}
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		for _, kv := range pairs {
			cfg.Labels[kv[0]] = kv[1]
		}
	case "EXPOSE":
		words, err := splitWords(value)
		if err != nil {
			return err
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, w := range words {
			p, err := exposedPort(w)
			if err != nil {
				return err
			}
			cfg.ExposedPorts[p] = struct{}{}
		}
	case "VOLUME":
		vols, err := listValue(value)
		if err != nil {
			return err
		}
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		for _, v := range vols {
			if v == "" {
				return fmt.Errorf("VOLUME with an empty path: %w", define.ErrInvalidArg)
			}
			cfg.Volumes[v] = struct{}{}
		}
	case "WORKDIR":
		wd, err := singleWord(value)
		if err != nil {
			return err
		}
		if !path.IsAbs(wd) {
			base := cfg.WorkingDir
			if base == "" {
				base = "/"
			}
			wd = path.Join(base, wd)
		}
		cfg.WorkingDir = path.Clean(wd)
	case "USER":
		u, err := singleWord(value)
		if err != nil {
			return err
		}
		cfg.User = u
	case "STOPSIGNAL":
		sig, err := singleWord(value)
		if err != nil {
			return err
		}
		if !validSignal(sig) {
			return fmt.Errorf("invalid stop signal %q: %w", sig, define.ErrInvalidArg)
		}
		cfg.StopSignal = sig
	case "ONBUILD":
		return fmt.Errorf("ONBUILD is not supported: %w", define.ErrInvalidArg)
	default:
		return fmt.Errorf("unknown instruction %q: %w", instr, define.ErrInvalidArg)
	}
	return nil
}

// commandValue parses the JSON (exec) form, or wraps the shell form in
// /bin/sh -c as a Dockerfile does.
func commandValue(value string) ([]string, error) {
	if strings.HasPrefix(value, "[") {
		var cmd []string
		if err := json.Unmarshal([]byte(value), &cmd); err != nil {
			return nil, fmt.Errorf("not a JSON array of strings: %w", define.ErrInvalidArg)
		}
		return cmd, nil
	}
	return []string{"/bin/sh", "-c", value}, nil
}

// listValue parses a JSON array or a space-separated list (VOLUME).
func listValue(value string) ([]string, error) {
	if strings.HasPrefix(value, "[") {
		var l []string
		if err := json.Unmarshal([]byte(value), &l); err != nil {
			return nil, fmt.Errorf("not a JSON array of strings: %w", define.ErrInvalidArg)
		}
		return l, nil
	}
	return splitWords(value)
}

func singleWord(value string) (string, error) {
	words, err := splitWords(value)
	if err != nil {
		return "", err
	}
	if len(words) != 1 {
		return "", fmt.Errorf("expected exactly one value, got %d: %w", len(words), define.ErrInvalidArg)
	}
	return words[0], nil
}

// keyValues parses `k=v k2="v 2"` or the legacy single pair form `k v w`
// (the value is the rest of the line), as ENV and LABEL accept.
func keyValues(value string) ([][2]string, error) {
	words, err := splitWords(value)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("missing key: %w", define.ErrInvalidArg)
	}
	if !strings.Contains(words[0], "=") {
		if len(words) < 2 {
			return nil, fmt.Errorf("%q has no value (want KEY=VALUE or KEY VALUE): %w", words[0], define.ErrInvalidArg)
		}
		rest := strings.TrimSpace(strings.TrimPrefix(value, words[0]))
		if r, err := splitWords(rest); err == nil && len(r) == 1 {
			rest = r[0]
		}
		return [][2]string{{words[0], rest}}, nil
	}
	pairs := make([][2]string, 0, len(words))
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE: %w", w, define.ErrInvalidArg)
		}
		pairs = append(pairs, [2]string{k, v})
	}
	return pairs, nil
}

// splitWords splits on unquoted blanks, honouring quotes and escapes.
func splitWords(s string) ([]string, error) {
	w, err := shellwords.Split(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", err, define.ErrInvalidArg)
	}
	return w, nil
}

// exposedPort validates "80", "80/tcp", "53/udp" and returns the canonical
// "port/proto" key of the image config.
func exposedPort(s string) (string, error) {
	port, proto, ok := strings.Cut(s, "/")
	if !ok {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return "", fmt.Errorf("invalid protocol %q in %q: %w", proto, s, define.ErrInvalidArg)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return "", fmt.Errorf("invalid port %q: %w", s, define.ErrInvalidArg)
	}
	return strconv.FormatUint(n, 10) + "/" + proto, nil
}

// validSignal accepts a number or a name such as TERM, SIGTERM or SIGRTMIN+3;
// the exact set is checked when the container is stopped.
func validSignal(s string) bool {
	if n, err := strconv.Atoi(s); err == nil {
		return n > 0 && n < 65
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '-') {
			return false
		}
	}
	return s != ""
}

// setEnv replaces key's entry in env or appends it.
func setEnv(env []string, key, value string) []string {
	for i, e := range env {
		if k, _, _ := strings.Cut(e, "="); k == key {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}
