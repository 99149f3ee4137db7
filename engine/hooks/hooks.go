// Package hooks reads OCI hook definitions in podman's hooks.d format
// (version 1.0.0: one JSON file per hook, naming the program, when it
// applies and at which stages) and adds the matching ones to a runtime
// spec, so that the OCI runtime runs them as podman's would.
package hooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// Version is the only schema version understood.
const Version = "1.0.0"

// DefaultDirs are read when no directory is configured, lowest priority
// first (a file in a later directory replaces one of the same name).
var DefaultDirs = []string{"/usr/share/containers/oci/hooks.d", "/etc/containers/oci/hooks.d"}

// Hook is one hook file.
type Hook struct {
	Version string     `json:"version"`
	Hook    rspec.Hook `json:"hook"`
	When    When       `json:"when"`
	Stages  []string   `json:"stages"`
}

// When says which containers a hook applies to: all conditions set must
// hold, or any one of them with Or.
type When struct {
	Always        *bool             `json:"always,omitempty"`
	Annotations   map[string]string `json:"annotations,omitempty"`
	Commands      []string          `json:"commands,omitempty"`
	HasBindMounts *bool             `json:"hasBindMounts,omitempty"`
	Or            bool              `json:"or,omitempty"`
}

var validStages = map[string]bool{"prestart": true, "createRuntime": true, "createContainer": true,
	"startContainer": true, "poststart": true, "poststop": true}

// named is a hook and the file name that orders it.
type named struct {
	name string
	hook *Hook
}

// read loads every *.json file of dirs. Missing directories are skipped;
// a file that does not parse or validate is an error naming it.
func read(dirs []string) ([]named, error) {
	byName := map[string]*Hook{}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
				continue
			}
			path := filepath.Join(dir, e.Name())
			h, err := readFile(path)
			if err != nil {
				return nil, fmt.Errorf("parsing hook %q: %w", path, err)
			}
			byName[e.Name()] = h
		}
	}
	out := make([]named, 0, len(byName))
	for n, h := range byName {
		out = append(out, named{n, h})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

func readFile(path string) (*Hook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var h Hook
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, err
	}
	return &h, h.validate()
}

func (h *Hook) validate() error {
	if h.Version != Version {
		return fmt.Errorf("unexpected hook version %q (expecting %v)", h.Version, Version)
	}
	if h.Hook.Path == "" {
		return errors.New("missing required property: hook.path")
	}
	if _, err := os.Stat(h.Hook.Path); err != nil {
		return err
	}
	for k, v := range h.When.Annotations {
		if _, err := regexp.Compile(k); err != nil {
			return fmt.Errorf("invalid annotation key %q: %w", k, err)
		}
		if _, err := regexp.Compile(v); err != nil {
			return fmt.Errorf("invalid annotation value %q: %w", v, err)
		}
	}
	for _, c := range h.When.Commands {
		if _, err := regexp.Compile(c); err != nil {
			return fmt.Errorf("invalid command %q: %w", c, err)
		}
	}
	if h.Stages == nil {
		return errors.New("missing required property: stages")
	}
	for _, s := range h.Stages {
		if !validStages[s] {
			return fmt.Errorf("unknown stage %q", s)
		}
	}
	return nil
}

// match reports whether the hook applies to spec.
func (w *When) match(spec *rspec.Spec) bool {
	var conds []bool
	if w.Always != nil {
		conds = append(conds, *w.Always)
	}
	if w.HasBindMounts != nil {
		conds = append(conds, *w.HasBindMounts && hasBindMounts(spec))
	}
	for kp, vp := range w.Annotations {
		ok := false
		for k, v := range spec.Annotations {
			if m, _ := regexp.MatchString(kp, k); m {
				if m, _ := regexp.MatchString(vp, v); m {
					ok = true
					break
				}
			}
		}
		conds = append(conds, ok)
	}
	if len(w.Commands) > 0 {
		cmd := ""
		if spec.Process != nil && len(spec.Process.Args) > 0 {
			cmd = spec.Process.Args[0]
		}
		ok := false
		for _, p := range w.Commands {
			if m, _ := regexp.MatchString(p, cmd); m {
				ok = true
				break
			}
		}
		conds = append(conds, ok)
	}
	if len(conds) == 0 {
		return false
	}
	for _, c := range conds {
		if c && w.Or {
			return true
		}
		if !c && !w.Or {
			return false
		}
	}
	return !w.Or
}

func hasBindMounts(spec *rspec.Spec) bool {
	for _, m := range spec.Mounts {
		if m.Type == "bind" {
			return true
		}
		for _, o := range m.Options {
			if o == "bind" || o == "rbind" {
				return true
			}
		}
	}
	return false
}

// Apply reads the hooks of dirs (DefaultDirs when nil) and appends the
// ones that match spec to its stages, in file name order.
func Apply(spec *rspec.Spec, dirs []string) error {
	if dirs == nil {
		dirs = DefaultDirs
	}
	all, err := read(dirs)
	if err != nil || len(all) == 0 {
		return err
	}
	for _, n := range all {
		if !n.hook.When.match(spec) {
			continue
		}
		if spec.Hooks == nil {
			spec.Hooks = &rspec.Hooks{}
		}
		h := n.hook.Hook
		for _, s := range n.hook.Stages {
			switch s {
			case "prestart":
				//lint:ignore SA1019 deprecated in the spec, still run by runc and crun
				spec.Hooks.Prestart = append(spec.Hooks.Prestart, h)
			case "createRuntime":
				spec.Hooks.CreateRuntime = append(spec.Hooks.CreateRuntime, h)
			case "createContainer":
				spec.Hooks.CreateContainer = append(spec.Hooks.CreateContainer, h)
			case "startContainer":
				spec.Hooks.StartContainer = append(spec.Hooks.StartContainer, h)
			case "poststart":
				spec.Hooks.Poststart = append(spec.Hooks.Poststart, h)
			case "poststop":
				spec.Hooks.Poststop = append(spec.Hooks.Poststop, h)
			}
		}
	}
	return nil
}
