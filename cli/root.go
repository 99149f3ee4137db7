// Package cli is berth's command line: a cobra tree with one file per verb.
// Each verb binds flags to an options struct, makes one service call and
// prints through the command's writers.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/rootless"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// globalOptions are the flags every command accepts.
type globalOptions struct {
	root, runRoot, runtime, storageDriver string
	storageOpts                           []string
	logLevel, cgroupManager, conmon       string
	eventsLogPath                         string
	eventsBackend                         string
	tmpDir, volumePath, networkConfigDir  string
	transientStore                        bool
	runtimeFlags, hooksDirs               []string
	remoteOpts                            remoteOptions
	output                                outputOptions
}

// Deps is what every command needs: its writers and a lazily opened
// runtime (commands like `version` never open one).
type Deps struct {
	global globalOptions
	conf   *config.Config
	rt     *service.Runtime
	// serveAPI runs the REST API for `system service`; cmd/berth wires
	// it (the api package is a skin beside cli, not below it).
	serveAPI ServeAPIFunc
	// newRemote connects to a service for --remote (cmd/berth wires it
	// into the complete binary); engine is what the verbs that work
	// remotely run on, opened by Engine.
	newRemote RemoteFunc
	engine    service.Engine
	// outFile is --out's file, closed with the runtime.
	outFile *os.File
}

// ServeAPIFunc serves the REST API over b on uri until ctx ends or it has
// been idle that long (0: never).
type ServeAPIFunc func(ctx context.Context, b *service.Backend, uri string, idle time.Duration) error

// Option configures Run.
type Option func(*Deps)

// WithAPIServer gives `system service` its server.
func WithAPIServer(fn ServeAPIFunc) Option { return func(d *Deps) { d.serveAPI = fn } }

// Runtime opens the engine on first call.
func (d *Deps) Runtime(ctx context.Context) (*service.Runtime, error) {
	if d.rt != nil {
		return d.rt, nil
	}
	cfg, err := d.engineConfig()
	if err != nil {
		return nil, err
	}
	rt, err := service.OpenRuntime(ctx, cfg)
	if err != nil {
		return nil, err
	}
	d.rt = rt
	return rt, nil
}

// Close shuts the runtime down if it was opened.
func (d *Deps) Close() {
	d.closeEngine()
	if d.rt != nil {
		_ = d.rt.Shutdown(false)
		d.rt = nil
	}
	if d.outFile != nil {
		_ = d.outFile.Close()
		d.outFile = nil
	}
}

// Config returns containers.conf as loaded at startup.
func (d *Deps) Config() *config.Config { return d.conf }

func (d *Deps) engineConfig() (service.RuntimeConfig, error) {
	c := service.RuntimeConfig{
		GraphRoot:          d.global.root,
		RunRoot:            d.global.runRoot,
		GraphDriver:        d.global.storageDriver,
		GraphDriverOptions: d.global.storageOpts,
		OCIRuntime:         firstNonEmpty(d.global.runtime, d.conf.Engine.Runtime),
		ConmonPath:         d.global.conmon,
		EngineVersion:      Version,
		CgroupManager:      firstNonEmpty(d.global.cgroupManager, d.conf.Engine.CgroupManager, "cgroupfs"),
		LogLevel:           d.global.logLevel,
		InitPath:           d.conf.Containers.InitPath,
		EventsLogPath:      firstNonEmpty(d.global.eventsLogPath, d.conf.Engine.EventsLogFilePath),
		TmpDir:             firstNonEmpty(d.global.tmpDir, d.conf.Engine.TmpDir),
		VolumePath:         firstNonEmpty(d.global.volumePath, d.conf.Engine.VolumePath),
		NetworkConfigDir:   firstNonEmpty(d.global.networkConfigDir, d.conf.Network.NetworkConfigDir),
		TransientStore:     d.global.transientStore,
		RuntimeFlags:       d.global.runtimeFlags,
		HooksDirs:          d.hooksDirs(),
		Syslog:             d.global.output.syslog,
		Rootless:           rootless.IsRootless(),
	}
	switch backend := firstNonEmpty(d.global.eventsBackend, d.conf.Engine.EventsLogger, "file"); backend {
	case "file", "journald":
		c.EventsBackend = backend
	case "none":
		c.NoEvents = true
	default:
		return c, usageError("invalid events backend %q: must be file, journald or none", backend)
	}
	if c.ConmonPath == "" && len(d.conf.Engine.ConmonPath) > 0 {
		for _, p := range d.conf.Engine.ConmonPath {
			if _, err := os.Stat(p); err == nil {
				c.ConmonPath = p
				break
			}
		}
	}
	if c.GraphRoot == "" || c.RunRoot == "" {
		gr, rr, drv, err := defaultStorage()
		if err == nil && rootless.IsRootless() && !storageConfSetsRunRoot() {
			// containers/storage's own fallback is /run/user/UID or
			// $TMPDIR/storage-run-UID; berth keeps its run root next
			// to the pause process's PID file instead.
			var run string
			if run, err = rootless.RunDir(); err == nil {
				rr = filepath.Join(run, "containers")
			}
		}
		if err != nil {
			return c, err
		}
		if c.GraphRoot == "" {
			c.GraphRoot = gr
		}
		if c.RunRoot == "" {
			c.RunRoot = rr
		}
		if c.GraphDriver == "" {
			c.GraphDriver = drv
		}
	}
	if bin, err := os.Executable(); err == nil {
		c.BinaryPath = bin
	}
	for _, p := range []*string{&c.GraphRoot, &c.RunRoot, &c.TmpDir, &c.VolumePath, &c.NetworkConfigDir} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return c, err
		}
		*p = abs
	}
	switch c.CgroupManager {
	case "cgroupfs", "systemd":
	default:
		return c, fmt.Errorf("invalid --cgroup-manager %q: must be cgroupfs or systemd", c.CgroupManager)
	}
	return c, nil
}

// hooksDirs are the OCI hooks directories: --hooks-dir (empty values
// dropped, so --hooks-dir "" turns hooks off), else containers.conf's
// engine.hooks_dir, else nil for the defaults.
func (d *Deps) hooksDirs() []string {
	if d.global.hooksDirs != nil {
		dirs := []string{}
		for _, h := range d.global.hooksDirs {
			if h != "" {
				dirs = append(dirs, h)
			}
		}
		return dirs
	}
	return d.conf.Engine.HooksDir
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// NewRoot builds the command tree for the command line args (see
// addCommands: only the verb args name when it is known).
func NewRoot(args []string) (*cobra.Command, *Deps) {
	d := &Deps{}
	root := &cobra.Command{
		Use:           "berth [options] command",
		Short:         "Manage pods, containers and images",
		Long:          "berth is a daemonless engine for OCI containers and pods, compatible with podman and docker.",
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Flags before the verb are the root's: -c, -H, -l, -D and -v
		// are global there and the verb's own after it (podman's way).
		TraverseChildren: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return d.setup(cmd)
		},
		// With TraverseChildren cobra would print the help and exit 0
		// for a verb it does not know: podman's errors instead (125).
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownSubcommand(cmd, args[0])
			}
			_ = cmd.Help()
			return fmt.Errorf("missing command '%s COMMAND'", cmd.Name())
		},
	}
	root.SetVersionTemplate("berth version {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	addEngineFlags(root.PersistentFlags(), &d.global)
	addRootOnlyFlags(root, &d.global)

	root.AddGroup(&cobra.Group{ID: "main", Title: "Available Commands:"}, &cobra.Group{ID: "manage", Title: "Management Commands:"})
	addCommands(root, d, args)
	return root, d
}

func (d *Deps) setup(cmd *cobra.Command) error {
	if err := d.setupLogging(cmd.ErrOrStderr()); err != nil {
		return err
	}
	if err := d.setupOutput(cmd); err != nil {
		return err
	}
	if err := d.checkContext(cmd); err != nil {
		return err
	}
	if err := d.checkRemote(cmd); err != nil {
		return err
	}
	if needsUserNS(cmd) && !d.isRemote() {
		// Returns only on error: berth re-executes itself in the
		// user's namespaces.
		if err := rootless.Ensure(); err != nil {
			return err
		}
	}
	if d.conf == nil {
		conf, err := config.Load()
		if err != nil {
			return err
		}
		d.conf = conf
	}
	return nil
}

// needsUserNS reports whether an unprivileged user's command must run in
// the user and mount namespaces berth keeps for them: every command that
// opens the engine, not those that only print.
func needsUserNS(cmd *cobra.Command) bool {
	if !cmd.HasParent() {
		return false
	}
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "version", "help", "completion", "connection":
			return false
		}
	}
	return true
}

// ExitError carries an exit code to main without printing anything: the
// container's own code for run, wait and start -a.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Run executes the command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, opts ...Option) int {
	root, d := NewRoot(args)
	for _, o := range opts {
		o(d)
	}
	defer d.Close()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if handOffBefore(root, args) {
		return handOff(args, stderr)
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if handOffAfter(err) {
		d.Close()
		return handOff(args, stderr)
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var em *exitMessage
	if errors.As(err, &em) {
		fmt.Fprintln(stderr, em.msg)
		return em.code
	}
	var ce *codedError
	if errors.As(err, &ce) {
		fmt.Fprintf(stderr, "Error: %s\n", ce.Error())
		return ce.code
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") || strings.HasPrefix(msg, "unknown shorthand flag") {
		fmt.Fprintf(stderr, "Error: %s\nSee 'berth --help'\n", msg)
		return 125
	}
	fmt.Fprintf(stderr, "Error: %s\n", msg)
	return ExitCode(err)
}

// Reexec dispatches re-executed helper invocations of the storage library;
// main returns at once when it reports true.
func Reexec() bool { return service.Reexec() }

// codedError is an error with a command-specific exit code (rm and rmi
// exit 1 for a missing object and 2 for one in use, as podman documents).
type codedError struct {
	error
	code int
}

func (e *codedError) Unwrap() error { return e.error }
