// Package oci drives an OCI runtime (runc or crun) through conmon, the small
// supervisor that outlives berth: it holds the container's stdio, writes its
// log and exit file, serves the attach socket and runs berth's cleanup
// command when the container exits.
package oci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// Config describes where the runtime and conmon live and where they keep
// their per-host state. Every directory should sit under the run root (a
// tmpfs) so that a reboot forgets containers that can no longer be running.
type Config struct {
	// Name is "runc" or "crun".
	Name string
	// Path is the runtime binary; "" looks Name up in PATH, /usr/sbin and /usr/bin.
	Path string
	// ConmonPath is the conmon binary; "" looks in PATH and the usual places.
	ConmonPath string
	// StateRoot is the runtime's --root, e.g. <runroot>/runc.
	StateRoot string
	// ExitDir is where conmon writes one exit file per container.
	ExitDir string
	// SocketDir holds one symlink per container to its bundle, so that the
	// attach socket path <SocketDir>/<ID>/attach stays short. Any length
	// works (conmon binds and Attach connects through /proc/self/fd when a
	// path exceeds sun_path), but a short one saves that detour.
	SocketDir string
	// CgroupManager is "cgroupfs" (default) or "systemd".
	CgroupManager string
	// LogLevel is passed to conmon (debug, info, warn, error); "" omits it.
	LogLevel string
	// RuntimeFlags are extra global runtime flags, each given as "--"+flag
	// (podman's --runtime-flag: "debug" becomes --debug).
	RuntimeFlags []string
	// Syslog makes conmon log to syslog as well.
	Syslog bool
}

// Runtime is the conmon-driven adapter for one OCI runtime binary. It keeps
// no per-container state in memory: everything is derived from the bundle,
// the exit dir and the runtime's own state, so any berth process can pick up
// a container another process created.
type Runtime struct {
	cfg        Config
	path       string
	conmonPath string
}

// searchDirs are tried after PATH because berth may run with a minimal
// environment (systemd units, sudo) that drops the sbin directories.
var searchDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

var conmonDirs = []string{"/usr/libexec/podman", "/usr/local/libexec/podman", "/usr/lib/podman", "/usr/local/bin", "/usr/bin"}

// New checks cfg and locates the binaries. It runs nothing, so it is cheap
// enough to call on every CLI invocation.
func New(cfg Config) (*Runtime, error) {
	if cfg.Name == "" {
		if cfg.Path != "" {
			cfg.Name = filepath.Base(cfg.Path)
		} else {
			cfg.Name = DefaultRuntimeName()
		}
	}
	if cfg.StateRoot == "" || cfg.ExitDir == "" || cfg.SocketDir == "" {
		return nil, fmt.Errorf("oci runtime %s: state root, exit dir and socket dir are required: %w", cfg.Name, define.ErrInvalidArg)
	}
	switch cfg.CgroupManager {
	case "":
		cfg.CgroupManager = "cgroupfs"
	case "cgroupfs", "systemd":
	default:
		return nil, fmt.Errorf("cgroup manager %q: %w", cfg.CgroupManager, define.ErrInvalidArg)
	}
	r := &Runtime{cfg: cfg}
	var err error
	if r.path, err = findBinary(cfg.Path, cfg.Name, nil); err != nil {
		return nil, fmt.Errorf("oci runtime %s: %w", cfg.Name, err)
	}
	if r.conmonPath, err = findBinary(cfg.ConmonPath, "conmon", conmonDirs); err != nil {
		return nil, fmt.Errorf("conmon: %w", err)
	}
	return r, nil
}

// findBinary resolves an explicit path or searches PATH, extra and searchDirs.
func findBinary(path, name string, extra []string) (string, error) {
	if path != "" {
		if err := isExecutable(path); err != nil {
			return "", err
		}
		return path, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return filepath.Abs(p)
	}
	for _, dir := range append(extra, searchDirs...) {
		p := filepath.Join(dir, name)
		if isExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in $PATH or %s: %w", name, strings.Join(searchDirs, ":"), os.ErrNotExist)
}

func isExecutable(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.IsDir() || st.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file: %w", p, os.ErrPermission)
	}
	return nil
}

// DefaultRuntimeName picks crun on a pure cgroup v2 host where crun is
// installed, runc everywhere else: crun refuses hybrid cgroup hosts.
func DefaultRuntimeName() string {
	if isCgroup2UnifiedMode() {
		if _, err := findBinary("", "crun", nil); err == nil {
			return "crun"
		}
	}
	return "runc"
}

// Name is the runtime's name ("runc" or "crun").
func (r *Runtime) Name() string { return r.cfg.Name }

// Path is the absolute path of the runtime binary.
func (r *Runtime) Path() string { return r.path }

// ConmonPath is the absolute path of the conmon binary.
func (r *Runtime) ConmonPath() string { return r.conmonPath }

// Version returns the first line of `<runtime> --version`, for `berth info`.
func (r *Runtime) Version(ctx context.Context) (string, error) {
	return firstLineOf(ctx, r.path, "--version")
}

// ConmonVersion returns the first line of `conmon --version` for the conmon
// found the same way New finds it.
func ConmonVersion(ctx context.Context) (string, error) {
	p, err := findBinary("", "conmon", conmonDirs)
	if err != nil {
		return "", fmt.Errorf("conmon: %w", err)
	}
	return firstLineOf(ctx, p, "--version")
}

func firstLineOf(ctx context.Context, bin string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, bin, args...).Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", bin, strings.Join(args, " "), err)
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line, nil
}

// runtimeArgs are the global flags every runtime invocation gets, whether
// berth runs the runtime itself or conmon does.
func (r *Runtime) runtimeArgs() []string {
	args := []string{"--root=" + r.cfg.StateRoot}
	if r.cfg.CgroupManager == "systemd" {
		args = append(args, "--systemd-cgroup")
	}
	for _, f := range r.cfg.RuntimeFlags {
		args = append(args, "--"+f)
	}
	return args
}

// run executes the runtime with the global flags plus args and returns its
// stdout. A failure carries the runtime's own message, classified by
// runtimeError.
func (r *Runtime) run(ctx context.Context, args ...string) ([]byte, error) {
	full := append(r.runtimeArgs(), args...)
	cmd := exec.CommandContext(ctx, r.path, full...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The runtime must not read berth's stdin: nil is /dev/null.
	cmd.Stdin = nil
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s %s: %w", r.cfg.Name, args[0], ctx.Err())
		}
		msg := cleanRuntimeMessage(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, fmt.Errorf("%s %s: %w", r.cfg.Name, args[0], err)
		}
		return nil, runtimeError(fmt.Sprintf("%s %s", r.cfg.Name, args[0]), msg)
	}
	return stdout.Bytes(), nil
}
