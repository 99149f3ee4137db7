package quadlet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Dirs returns the directories quadlet files are read from, most
// important first: $QUADLET_UNIT_DIRS (colon-separated) when set, else
// podman's system or user search path. getenv and uid are parameters so
// that tests need not change the process.
func Dirs(user bool, getenv func(string) string, uid int) []string {
	if v := getenv("QUADLET_UNIT_DIRS"); v != "" {
		var out []string
		for _, d := range strings.Split(v, ":") {
			if d != "" {
				out = append(out, d)
			}
		}
		return out
	}
	if !user {
		return []string{"/run/containers/systemd", "/etc/containers/systemd", "/usr/share/containers/systemd"}
	}
	var out []string
	if rt := getenv("XDG_RUNTIME_DIR"); rt != "" {
		out = append(out, filepath.Join(rt, "containers", "systemd"))
	}
	cfg := getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		if home := getenv("HOME"); home != "" {
			cfg = filepath.Join(home, ".config")
		}
	}
	if cfg != "" {
		out = append(out, filepath.Join(cfg, "containers", "systemd"))
	}
	return append(out, filepath.Join("/etc/containers/systemd/users", strconv.Itoa(uid)), "/etc/containers/systemd/users")
}

// Discover finds the quadlet files under dirs (and their
// subdirectories): a file name found in an earlier directory hides the
// same name in later ones. Missing directories are skipped; the sources
// come sorted by name.
func Discover(dirs []string) ([]Source, error) {
	seen := map[string]bool{}
	var out []Source
	for _, d := range dirs {
		// SourcePath= and relative Yaml= need absolute paths.
		if abs, err := filepath.Abs(d); err == nil {
			d = abs
		}
		err := filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && path == d {
					return fs.SkipDir
				}
				return err
			}
			// The users/ directories are other users' units.
			if e.IsDir() && path != d && strings.HasPrefix(path, "/etc/containers/systemd/users") && d == "/etc/containers/systemd" {
				return fs.SkipDir
			}
			if e.IsDir() || kindOf(e.Name()) == "" || seen[e.Name()] {
				return nil
			}
			seen[e.Name()] = true
			out = append(out, Source{Path: path, Name: e.Name()})
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Write writes the units into dir and links each into the .wants,
// .requires and .upholds directories of its [Install] targets, which is
// how a generator enables a unit.
func Write(dir string, units []Unit) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, u := range units {
		if err := os.WriteFile(filepath.Join(dir, u.Name), []byte(u.Content), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", u.Name, err)
		}
		for _, l := range []struct {
			suffix  string
			targets []string
		}{{".wants", u.WantedBy}, {".requires", u.RequiredBy}, {".upholds", u.UpheldBy}} {
			for _, t := range l.targets {
				td := filepath.Join(dir, t+l.suffix)
				if err := os.MkdirAll(td, 0o755); err != nil {
					return err
				}
				link := filepath.Join(td, u.Name)
				_ = os.Remove(link)
				if err := os.Symlink(filepath.Join("..", u.Name), link); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
