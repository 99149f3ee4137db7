package generate

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// defaultPath is the PATH every container starts with (docker's and
// podman's), before the image's Env may replace it.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// command merges the image's Entrypoint/Cmd with the flags the way docker
// does: a command replaces the image Cmd; --entrypoint replaces the image
// Entrypoint and drops the image Cmd; --entrypoint "" clears it.
func command(s *spec.ContainerSpec, img v1.ImageConfig) (entrypoint, cmd []string, err error) {
	entrypoint, cmd = img.Entrypoint, img.Cmd
	if s.EntrypointSet {
		entrypoint = s.Entrypoint
		if len(entrypoint) == 1 && entrypoint[0] == "" {
			entrypoint = nil
		}
		cmd = nil
	}
	if len(s.Command) > 0 {
		cmd = s.Command
	}
	if len(entrypoint) == 0 && len(cmd) == 0 {
		return nil, nil, fmt.Errorf("no command or entrypoint provided, and no CMD or ENTRYPOINT from image: %w", define.ErrInvalidArg)
	}
	return clone(entrypoint), clone(cmd), nil
}

func clone(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string{}, s...)
}

// envList is an ordered KEY=VALUE list in which a later value for a key
// replaces the earlier one in place, so the result is stable.
type envList struct {
	keys []string
	vals map[string]string
}

func (e *envList) set(k, v string) {
	if e.vals == nil {
		e.vals = map[string]string{}
	}
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}

// setEntry adds "KEY=VALUE", or "KEY" alone taken from lookup (dropped when
// lookup does not know it, like docker).
func (e *envList) setEntry(entry string, lookup func(string) (string, bool)) {
	k, v, ok := strings.Cut(entry, "=")
	if !ok {
		if v, found := lookup(k); found {
			e.set(k, v)
		}
		return
	}
	e.set(k, v)
}

// unset removes key.
func (e *envList) unset(key string) {
	if _, ok := e.vals[key]; !ok {
		return
	}
	delete(e.vals, key)
	for i, k := range e.keys {
		if k == key {
			e.keys = append(e.keys[:i], e.keys[i+1:]...)
			break
		}
	}
}

func (e *envList) list() []string {
	out := make([]string, 0, len(e.keys))
	for _, k := range e.keys {
		out = append(out, k+"="+e.vals[k])
	}
	return out
}

// buildEnv layers the environment as podman does: the defaults (PATH,
// container=berth, TERM with a terminal, HOSTNAME when given) under the
// image's Env; --env-merge, --unsetenv and --unsetenv-all rework those;
// then --env-host (or, with --http-proxy, the host's proxy variables),
// --env-file files in order, and -e. Later layers win.
func buildEnv(s *spec.ContainerSpec, img v1.ImageConfig, host *Host) ([]string, error) {
	var env envList
	env.setEntry(defaultPath, nil)
	env.set("container", "berth")
	if s.Terminal {
		env.set("TERM", "xterm")
	}
	if s.Hostname != "" {
		env.set("HOSTNAME", s.Hostname)
	}
	noLookup := func(string) (string, bool) { return "", false }
	for _, kv := range img.Env {
		if kv == "" {
			continue
		}
		env.setEntry(kv, noLookup)
	}
	if err := reworkDefaultEnv(&env, s); err != nil {
		return nil, err
	}
	if s.EnvHost {
		for _, kv := range host.Env {
			if k, _, ok := strings.Cut(kv, "="); ok && k != "" {
				env.setEntry(kv, nil)
			}
		}
	} else if s.HTTPProxy {
		for _, k := range proxyEnv {
			if v, ok := host.lookupEnv(k); ok {
				env.set(k, v)
			}
		}
	}
	for _, f := range s.EnvFiles {
		entries, err := ParseEnvFile(f)
		if err != nil {
			return nil, err
		}
		for _, kv := range entries {
			env.setEntry(kv, host.lookupEnv)
		}
	}
	for _, kv := range s.Env {
		if err := checkEnvKey(kv); err != nil {
			return nil, fmt.Errorf("--env %q: %w", kv, err)
		}
		env.setEntry(kv, host.lookupEnv)
	}
	return env.list(), nil
}

// checkEnvKey rejects an empty variable name or one with whitespace, as
// docker does.
func checkEnvKey(entry string) error {
	k, _, _ := strings.Cut(entry, "=")
	if k == "" {
		return fmt.Errorf("variable name is empty: %w", define.ErrInvalidArg)
	}
	if strings.IndexFunc(k, unicode.IsSpace) >= 0 {
		return fmt.Errorf("variable %q contains whitespace: %w", k, define.ErrInvalidArg)
	}
	return nil
}

// ParseEnvFile reads an --env-file with docker's rules: one KEY=VALUE per
// line, values taken literally (no quotes removed), "#" comment lines and
// blank lines skipped, and a line with only KEY kept as "KEY" for the
// caller to fill from the host environment.
func ParseEnvFile(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("--env-file: %w: %w", err, define.ErrInvalidArg)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		raw := sc.Bytes()
		if n == 1 {
			raw = []byte(strings.TrimPrefix(string(raw), "\ufeff"))
		}
		if !utf8.Valid(raw) {
			return nil, fmt.Errorf("--env-file %s line %d: invalid UTF-8: %w", name, n, define.ErrInvalidArg)
		}
		line := strings.TrimLeftFunc(string(raw), unicode.IsSpace)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := checkEnvKey(line); err != nil {
			return nil, fmt.Errorf("--env-file %s line %d: %w", name, n, err)
		}
		if !strings.Contains(line, "=") {
			line = strings.TrimRightFunc(line, unicode.IsSpace)
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--env-file %s: %w", name, err)
	}
	return out, nil
}

// workDir is -w, else the image's WorkingDir, else "/"; it must be
// absolute.
func workDir(s *spec.ContainerSpec, img v1.ImageConfig) (string, error) {
	if s.WorkDir != "" {
		if !path.IsAbs(s.WorkDir) {
			return "", fmt.Errorf("--workdir %q: must be an absolute path: %w", s.WorkDir, define.ErrInvalidArg)
		}
		return path.Clean(s.WorkDir), nil
	}
	if img.WorkingDir != "" && path.IsAbs(img.WorkingDir) {
		return path.Clean(img.WorkingDir), nil
	}
	return "/", nil
}

// numericUser fills the process user for "uid" and "uid:gid"; names are
// resolved by the engine against the rootfs.
func numericUser(u string) specs.User {
	name, grp, _ := strings.Cut(u, ":")
	uid, err := strconv.ParseUint(name, 10, 31)
	if err != nil {
		return specs.User{}
	}
	out := specs.User{UID: uint32(uid)}
	if grp != "" {
		gid, err := strconv.ParseUint(grp, 10, 31)
		if err != nil {
			return specs.User{UID: uint32(uid)}
		}
		out.GID = uint32(gid)
	}
	return out
}
