package build

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// file is a parsed Containerfile.
type file struct {
	name     string
	stages   []instructions.Stage
	metaArgs []instructions.ArgCommand
	escape   rune
}

// readContainerfile returns the Containerfile's content and the name to
// show for it: opts.ContainerfileData, opts.Containerfile, or Containerfile
// or Dockerfile in the context.
func readContainerfile(opts *Options) ([]byte, string, error) {
	if opts.ContainerfileData != nil {
		name := opts.ContainerfileName
		if name == "" {
			name = "Containerfile"
		}
		return opts.ContainerfileData, name, nil
	}
	path := opts.Containerfile
	if path == "" {
		for _, n := range []string{"Containerfile", "Dockerfile"} {
			p := filepath.Join(opts.ContextDir, n)
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
		if path == "" {
			return nil, "", fmt.Errorf("no Containerfile or Dockerfile specified or found in context directory, %s: %w", opts.ContextDir, define.ErrInvalidArg)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", fmt.Errorf("the specified Containerfile or Dockerfile does not exist, %s: %w", path, define.ErrInvalidArg)
		}
		return nil, "", fmt.Errorf("reading Containerfile: %w", err)
	}
	return b, filepath.Base(path), nil
}

// parseFile parses a Containerfile into stages. Errors name the file and
// the line.
func parseFile(name string, data []byte) (*file, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, locate(name, err, "parsing")
	}
	stages, metaArgs, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, locate(name, err, "parsing")
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("%s: no FROM instruction: %w", name, define.ErrInvalidArg)
	}
	return &file{name: name, stages: stages, metaArgs: metaArgs, escape: res.EscapeToken}, nil
}

// locate prefixes err with the file and the line buildkit found it at.
func locate(name string, err error, what string) error {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		return fmt.Errorf("%s %s:%d: %v: %w", what, name, le.Locations[0][0].Start.Line, errors.Unwrap(le), define.ErrInvalidArg)
	}
	return fmt.Errorf("%s %s: %v: %w", what, name, err, define.ErrInvalidArg)
}

// line is the first line of a command in the Containerfile.
func line(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}

// args holds build arguments in the order they were declared: the
// values RUN sees in its environment and ${} expansion uses.
type args struct {
	keys []string
	vals map[string]string
}

func newArgs() *args { return &args{vals: map[string]string{}} }

func (a *args) set(k, v string) {
	if _, ok := a.vals[k]; !ok {
		a.keys = append(a.keys, k)
	}
	a.vals[k] = v
}

func (a *args) get(k string) (string, bool) {
	v, ok := a.vals[k]
	return v, ok
}

// env returns KEY=VALUE for every argument not shadowed by an ENV of the
// same name (ENV wins, as in docker).
func (a *args) env(shadow []string) []string {
	out := make([]string, 0, len(a.keys))
	for _, k := range a.keys {
		if _, ok := lookupEnv(shadow, k); ok {
			continue
		}
		out = append(out, k+"="+a.vals[k])
	}
	return out
}

// predefinedArgs are docker's predefined proxy arguments: usable with
// --build-arg without an ARG instruction.
var predefinedArgs = []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
	"FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"}

// platformArgs are the automatic platform arguments (docker's and
// buildah's): FROM lines see them without an ARG, a stage by declaring
// them without a value. Builds are for the host's platform.
func platformArgs() map[string]string {
	p := runtime.GOOS + "/" + runtime.GOARCH
	return map[string]string{
		"TARGETPLATFORM": p, "TARGETOS": runtime.GOOS, "TARGETARCH": runtime.GOARCH, "TARGETVARIANT": "",
		"BUILDPLATFORM": p, "BUILDOS": runtime.GOOS, "BUILDARCH": runtime.GOARCH, "BUILDVARIANT": "",
	}
}

// platformEnv is platformArgs as KEY=VALUE, sorted.
func platformEnv() []string {
	m := platformArgs()
	out := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return out
}

// declareArgs applies ARG instructions to a: a --build-arg value wins,
// then the default, then (in a stage) the global value of the same name.
// Defaults are expanded with what is already known.
func declareArgs(a *args, cmd *instructions.ArgCommand, buildArgs map[string]string, global *args, env []string, lex *shell.Lex, used map[string]bool) error {
	for _, kv := range cmd.Args {
		used[kv.Key] = true
		if v, ok := buildArgs[kv.Key]; ok {
			a.set(kv.Key, v)
			continue
		}
		if kv.Value != nil {
			v, err := expand(lex, *kv.Value, mergeEnv(env, a.env(env)))
			if err != nil {
				return err
			}
			a.set(kv.Key, v)
			continue
		}
		if global != nil {
			if v, ok := global.get(kv.Key); ok {
				a.set(kv.Key, v)
				continue
			}
		}
		if v, ok := platformArgs()[kv.Key]; ok {
			a.set(kv.Key, v)
			continue
		}
		// Declared without a value: expands to "" but is not in RUN's
		// environment.
	}
	return nil
}

// unusedArgs lists --build-arg names no ARG declared, sorted: podman
// warns about them.
func unusedArgs(buildArgs map[string]string, used map[string]bool) []string {
	var out []string
	for k := range buildArgs {
		if _, platform := platformArgs()[k]; !used[k] && !platform && !contains(predefinedArgs, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// expand substitutes $VAR and ${VAR...} in word from env (KEY=VALUE).
func expand(lex *shell.Lex, word string, env []string) (string, error) {
	s, _, err := lex.ProcessWord(word, shell.EnvsFromSlice(env))
	return s, err
}

// mergeEnv returns base with over's entries added or replaced.
func mergeEnv(base, over []string) []string {
	out := append([]string(nil), base...)
	for _, kv := range over {
		out = setEnv(out, kv)
	}
	return out
}

// setEnv sets KEY=VALUE in env, replacing an entry of the same key.
func setEnv(env []string, kv string) []string {
	k, _, _ := strings.Cut(kv, "=")
	for i, e := range env {
		if ek, _, _ := strings.Cut(e, "="); ek == k {
			out := append([]string(nil), env...)
			out[i] = kv
			return out
		}
	}
	return append(append([]string(nil), env...), kv)
}

func lookupEnv(env []string, k string) (string, bool) {
	for _, e := range env {
		if ek, v, ok := strings.Cut(e, "="); ok && ek == k {
			return v, true
		}
	}
	return "", false
}
