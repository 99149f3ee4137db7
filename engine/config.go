package engine

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/berth-dev/berth/internal/cgroups"
)

// Config is the runtime-wide configuration, merged by the caller from
// containers.conf, environment variables and global flags.
type Config struct {
	// GraphRoot and RunRoot are the storage roots; the engine's database
	// lives under GraphRoot, everything a reboot wipes under RunRoot.
	GraphRoot          string
	RunRoot            string
	GraphDriver        string
	GraphDriverOptions []string
	// OCIRuntime is a runtime name (runc, crun) or path; "" picks the
	// default for the host's cgroup layout.
	OCIRuntime    string
	ConmonPath    string
	CgroupManager string // cgroupfs or systemd
	// EngineVersion is berth's version, for /run/.containerenv.
	EngineVersion string
	LogLevel      string
	// InitPath is the init binary for --init (catatonit).
	InitPath string
	// BinaryPath is the berth executable conmon runs as exit command.
	BinaryPath string
	// StorageConf is an explicit storage.conf path to pass on to cleanup.
	StorageConf string
	// EventsLogPath overrides the default events log location.
	EventsLogPath string
	// NoEvents disables the events log.
	NoEvents bool
	// EventsBackend is "file" (default) or "journald".
	EventsBackend string
	// Rootless is true for an unprivileged user's engine (running in the
	// user namespace internal/rootless keeps): networks default to pasta,
	// the registry of bridges is per user, cgroups may be unavailable.
	Rootless bool
	// TmpDir holds what a reboot must forget (exit files, sockets, locks,
	// the alive marker): podman's --tmpdir; "" is <RunRoot>/berth.
	TmpDir string
	// VolumePath holds one directory per volume; "" is <GraphRoot>/volumes.
	VolumePath string
	// NetworkConfigDir holds the network definitions; "" is
	// <GraphRoot>/berth/networks.
	NetworkConfigDir string
	// TransientStore keeps the state database and storage's container
	// records on the run root, so they vanish with a reboot (podman's
	// --transient-store): faster, at the price of containers not
	// surviving one.
	TransientStore bool
	// RuntimeFlags are extra global flags for every OCI runtime call,
	// without their leading "--" (podman's --runtime-flag).
	RuntimeFlags []string
	// HooksDirs are the OCI hooks directories (podman's --hooks-dir);
	// nil means the defaults, an empty non-nil slice none.
	HooksDirs []string
	// Syslog makes conmon log to syslog too.
	Syslog bool
}

// noCgroups reports the rootless degraded mode of a cgroup v1 host: an
// unprivileged user cannot make cgroups there, so containers get none
// (runc's rootless mode skips them when the spec names no path).
func (c *Config) noCgroups() bool {
	return c.Rootless && RootlessCgroups() == nil
}

// RootlessCgroups is the cgroup v2 subtree delegated to this (rootless)
// process's user, looked at once per process; nil on cgroup v1 or where
// nothing is delegated.
var RootlessCgroups = sync.OnceValue(cgroups.RootlessDelegation)

// DefaultCgroupParent is the parent of containers and pods without
// --cgroup-parent: "" (berth's default) for root and rootless without
// cgroups; below the delegated subtree for a rootless user (cgroupfs), or
// the user's systemd instance's user.slice (the systemd manager: runc
// asks the user's systemd for the scope).
func (c Config) DefaultCgroupParent() string {
	if !c.Rootless {
		return ""
	}
	d := RootlessCgroups()
	switch {
	case d == nil:
		return ""
	case c.CgroupManager == "systemd":
		return "user.slice"
	}
	return d.Parent()
}

func (c *Config) dbPath() string {
	if c.TransientStore {
		return filepath.Join(c.tmpDir(), "berth.db")
	}
	return filepath.Join(c.GraphRoot, "berth", "berth.db")
}
func (c *Config) staticDir() string { return filepath.Join(c.GraphRoot, "berth", "containers") }
func (c *Config) tmpDir() string {
	if c.TmpDir != "" {
		return c.TmpDir
	}
	return filepath.Join(c.RunRoot, "berth")
}
func (c *Config) bundleRoot() string { return filepath.Join(c.tmpDir(), "containers") }
func (c *Config) lockDir() string    { return filepath.Join(c.tmpDir(), "locks") }
func (c *Config) aliveFile() string  { return filepath.Join(c.tmpDir(), "alive") }
func (c *Config) exitDir() string    { return filepath.Join(c.tmpDir(), "exits") }
func (c *Config) socketDir() string  { return filepath.Join(c.tmpDir(), "socket") }
func (c *Config) ociRoot() string    { return filepath.Join(c.tmpDir(), "oci") }
func (c *Config) eventsPath() string {
	if c.EventsLogPath != "" {
		return c.EventsLogPath
	}
	return filepath.Join(c.tmpDir(), "events", "events.log")
}

// exitCommandArgs is the argv conmon runs when a container exits. It
// carries the same store, run root, runtime and config as this process so
// the cleanup acts on the same containers.
func (c *Config) exitCommandArgs(id string, autoRemove bool) []string {
	args := append(c.globalArgs(), "container", "cleanup")
	if autoRemove {
		args = append(args, "--rm")
	}
	return append(args, id)
}

// GlobalArgs is globalArgs, for commands that run berth again on the
// same store (runlabel).
func (c *Config) GlobalArgs() []string { return c.globalArgs() }

// globalArgs is the berth binary and the global flags that make another
// berth process (exit command, healthcheck scheduler) see the same
// store, run root, runtime and events log as this one.
func (c *Config) globalArgs() []string {
	bin := c.BinaryPath
	if bin == "" {
		bin, _ = os.Executable()
	}
	args := []string{bin, "--root", c.GraphRoot, "--runroot", c.RunRoot}
	if c.GraphDriver != "" {
		args = append(args, "--storage-driver", c.GraphDriver)
	}
	for _, o := range c.GraphDriverOptions {
		args = append(args, "--storage-opt", o)
	}
	if c.OCIRuntime != "" {
		args = append(args, "--runtime", c.OCIRuntime)
	}
	if c.CgroupManager != "" {
		args = append(args, "--cgroup-manager", c.CgroupManager)
	}
	if c.LogLevel != "" {
		args = append(args, "--log-level", c.LogLevel)
	}
	if c.EventsLogPath != "" {
		args = append(args, "--events-logfile-path", c.EventsLogPath)
	}
	for _, kv := range [][2]string{{"--tmpdir", c.TmpDir}, {"--volumepath", c.VolumePath}, {"--network-config-dir", c.NetworkConfigDir}} {
		if kv[1] != "" {
			args = append(args, kv[0], kv[1])
		}
	}
	if c.TransientStore {
		args = append(args, "--transient-store")
	}
	for _, f := range c.RuntimeFlags {
		args = append(args, "--runtime-flag", f)
	}
	if c.HooksDirs != nil {
		if len(c.HooksDirs) == 0 {
			args = append(args, "--hooks-dir", "")
		}
		for _, d := range c.HooksDirs {
			args = append(args, "--hooks-dir", d)
		}
	}
	if c.Syslog {
		args = append(args, "--syslog")
	}
	switch {
	case c.NoEvents:
		args = append(args, "--events-backend", "none")
	case c.EventsBackend != "":
		args = append(args, "--events-backend", c.EventsBackend)
	}
	return args
}

// volumeDir holds one directory per volume (<name>/_data is what
// containers mount), where podman keeps its own.
func (c *Config) volumeDir() string {
	if c.VolumePath != "" {
		return c.VolumePath
	}
	return filepath.Join(c.GraphRoot, "volumes")
}

// VolumeDir is where local volumes keep their data (info's volumePath).
func (c *Config) VolumeDir() string { return c.volumeDir() }
