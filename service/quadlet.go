package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/berth-dev/berth/systemd/quadlet"
)

// QuadletUnit is one unit the generator made.
type QuadletUnit = quadlet.Unit

// QuadletOptions says which search path the quadlet verbs use.
type QuadletOptions struct {
	// User uses the user's directories instead of the system's.
	User bool
}

// QuadletDirs is the search path, most important first.
func QuadletDirs(o QuadletOptions) []string {
	return quadlet.Dirs(o.User, os.Getenv, os.Getuid())
}

// QuadletGenerate converts every quadlet file of the search path into
// units that run exe. Files that fail are in errs; the rest convert.
func QuadletGenerate(o QuadletOptions, exe string) (units []quadlet.Unit, errs []error, err error) {
	srcs, err := quadlet.Discover(QuadletDirs(o))
	if err != nil {
		return nil, nil, err
	}
	units, errs = quadlet.Convert(srcs, quadlet.Options{Executable: exe, User: o.User})
	return units, errs, nil
}

// QuadletInstallDir is where install puts files: the first directory of
// $QUADLET_UNIT_DIRS when set, else /etc/containers/systemd (or the
// user's ~/.config/containers/systemd), as podman does.
func QuadletInstallDir(o QuadletOptions) string {
	if v := os.Getenv("QUADLET_UNIT_DIRS"); v != "" {
		return QuadletDirs(o)[0]
	}
	if !o.User {
		return "/etc/containers/systemd"
	}
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		home, _ := os.UserHomeDir()
		cfg = filepath.Join(home, ".config")
	}
	return filepath.Join(cfg, "containers", "systemd")
}

// QuadletInstall copies quadlet files (or every quadlet file of a
// directory) into the install directory and returns the installed
// paths. Every source is checked first, so a bad one installs nothing; an
// installed file of the same name is refused unless replace.
func QuadletInstall(ctx context.Context, o QuadletOptions, sources []string, replace bool) ([]string, error) {
	var files []string
	for _, s := range sources {
		fi, err := os.Stat(s)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, s)
			continue
		}
		entries, err := os.ReadDir(s)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(s, e.Name()))
			}
		}
	}
	dir := QuadletInstallDir(o)
	var plan [][2]string
	for _, f := range files {
		name := filepath.Base(f)
		if !isQuadletName(name) {
			// A directory may carry the files a quadlet uses (a kube
			// YAML): those are copied beside it.
			if fi, err := os.Stat(f); err == nil && fi.IsDir() {
				continue
			}
		}
		dst := filepath.Join(dir, name)
		if _, err := os.Stat(dst); err == nil && !replace {
			return nil, fmt.Errorf("a Quadlet with name %s already exists, refusing to overwrite", name)
		}
		plan = append(plan, [2]string{f, dst})
	}
	if len(plan) == 0 {
		return nil, errors.New("no Quadlet files to install")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var done []string
	for _, p := range plan {
		if err := copyFile(p[0], p[1]); err != nil {
			for _, d := range done {
				_ = os.Remove(d)
			}
			return nil, err
		}
		done = append(done, p[1])
	}
	return done, nil
}

func isQuadletName(name string) bool {
	for _, e := range quadlet.Extensions {
		if strings.HasSuffix(name, e) {
			return true
		}
	}
	return false
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// QuadletEntry is one installed quadlet file, as `quadlet list` shows it.
type QuadletEntry struct {
	Name     string `json:"Name"`
	UnitName string `json:"UnitName"`
	Path     string `json:"Path"`
	Status   string `json:"Status"`
}

// QuadletList lists the quadlet files of the search path with the unit
// each becomes and that unit's state (sd may be nil: status unknown).
func QuadletList(ctx context.Context, o QuadletOptions, sd Systemd) ([]QuadletEntry, error) {
	srcs, err := quadlet.Discover(QuadletDirs(o))
	if err != nil {
		return nil, err
	}
	var out []QuadletEntry
	for _, s := range srcs {
		e := QuadletEntry{Name: s.Name, UnitName: quadlet.ServiceName(s), Path: s.Path, Status: "unknown"}
		if sd != nil {
			e.Status = sd.ActiveState(ctx, e.UnitName)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// QuadletFind returns the path of the installed quadlet file name.
func QuadletFind(o QuadletOptions, name string) (string, error) {
	s, err := quadletSource(o, name)
	return s.Path, err
}

func quadletSource(o QuadletOptions, name string) (quadlet.Source, error) {
	srcs, err := quadlet.Discover(QuadletDirs(o))
	if err != nil {
		return quadlet.Source{}, err
	}
	for _, s := range srcs {
		if s.Name == name {
			return s, nil
		}
	}
	return quadlet.Source{}, NoSuchQuadletError(name)
}

// NoSuchQuadletError: no installed quadlet file of that name (rm --ignore
// skips those only).
type NoSuchQuadletError string

func (e NoSuchQuadletError) Error() string { return "no such Quadlet " + string(e) }

// QuadletRemove removes the installed quadlet file name. When its unit is
// active (sd running), it is refused without force and stopped first with
// it, as podman 5's quadlet rm does; the file is kept when the stop fails.
func QuadletRemove(ctx context.Context, o QuadletOptions, name string, force bool, sd Systemd) error {
	src, err := quadletSource(o, name)
	if err != nil {
		return err
	}
	if sd != nil && sd.Running() {
		unit := quadlet.ServiceName(src)
		if sd.ActiveState(ctx, unit) == "active" {
			if !force {
				return fmt.Errorf("quadlet %s is running and force is not set, refusing to remove", name)
			}
			if err := sd.StopUnit(ctx, unit); err != nil {
				return fmt.Errorf("stopping quadlet %s: %w", name, err)
			}
		}
	}
	return os.Remove(src.Path)
}

// QuadletWrite writes generated units into a generator's output
// directory, with their [Install] links.
func QuadletWrite(dir string, units []quadlet.Unit) error { return quadlet.Write(dir, units) }
