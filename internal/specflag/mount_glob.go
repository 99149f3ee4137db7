package specflag

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/spec"
)

// Mounts parses one --mount value into its mounts: one, or for podman's
// type=glob,source=PATTERN,target=DIR one bind mount per host path
// matching PATTERN, at DIR/<its base name>, with the value's other
// options. A pattern that matches nothing is an error, as in podman.
func Mounts(v string) ([]spec.Mount, error) {
	fields := strings.Split(v, ",")
	glob, src, dst := -1, -1, -1
	for i, f := range fields {
		k, val, _ := strings.Cut(f, "=")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "type":
			if strings.EqualFold(val, "glob") {
				glob = i
			}
		case "source", "src":
			src = i
		case "target", "destination", "dst":
			dst = i
		}
	}
	if glob < 0 {
		m, err := Mount(v)
		if err != nil {
			return nil, err
		}
		return []spec.Mount{m}, nil
	}
	if src < 0 || dst < 0 {
		return nil, invalid("--mount %q: glob needs a source pattern and a target directory", v)
	}
	_, pattern, _ := strings.Cut(fields[src], "=")
	_, dir, _ := strings.Cut(fields[dst], "=")
	abs, err := filepath.Abs(pattern)
	if err != nil {
		return nil, invalid("--mount %q: %v", v, err)
	}
	matches, err := filepath.Glob(abs)
	if err != nil {
		return nil, invalid("--mount %q: bad pattern %q: %v", v, pattern, err)
	}
	if len(matches) == 0 {
		return nil, invalid("--mount %q: no file matches %q", v, pattern)
	}
	var out []spec.Mount
	for _, match := range matches {
		if strings.Contains(match, ",") {
			return nil, invalid("--mount %q: matched path %q has a comma", v, match)
		}
		f := append([]string{}, fields...)
		f[glob], f[src], f[dst] = "type=bind", "source="+match, "target="+path.Join(dir, filepath.Base(match))
		m, err := Mount(strings.Join(f, ","))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
