package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/events"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/engine/lock"
	"github.com/berth-dev/berth/engine/network"
	"github.com/berth-dev/berth/engine/oci"
	"github.com/berth-dev/berth/engine/state"
	estorage "github.com/berth-dev/berth/engine/storage"
)

// Runtime is the entry point of the engine: one per CLI process. Opening it
// is cheap (config, database, locks); storage and images are opened on
// first use so commands that do not need them never pay for them.
type Runtime struct {
	cfg    Config
	state  state.Store
	locks  lock.Manager
	events events.Backend

	storeOnce sync.Once
	store     *estorage.Store
	images    *image.Service
	storeErr  error

	ociMu    sync.Mutex
	runtimes map[string]ociRuntime
	// newOCI builds the adapter for a runtime name; replaced in tests.
	newOCI func(name string) (ociRuntime, error)

	// net is the network backend (netavark). It is nil in unit tests,
	// whose containers then get the namespace runc creates.
	net *network.Manager
}

// Reexec must run first in main: containers/storage re-executes the
// binary for some operations, and such a child returns true here.
func Reexec() bool { return estorage.Reexec() }

// New opens the runtime: creates its directories, opens the state
// database, and refreshes all containers if the host rebooted since the
// last command.
func New(ctx context.Context, cfg Config) (_ *Runtime, retErr error) {
	if cfg.GraphRoot == "" || cfg.RunRoot == "" {
		return nil, fmt.Errorf("graph root and run root must be set: %w", define.ErrInvalidArg)
	}
	for _, d := range []string{cfg.tmpDir(), cfg.exitDir(), cfg.lockDir(), cfg.bundleRoot(), cfg.staticDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	st, err := state.NewSQLite(cfg.dbPath())
	if err != nil {
		return nil, fmt.Errorf("opening state database: %w", err)
	}
	defer func() {
		if retErr != nil {
			st.Close()
		}
	}()
	locks, err := lock.NewFileManager(cfg.lockDir())
	if err != nil {
		return nil, err
	}
	r := newRuntime(cfg, st, locks)
	switch {
	case cfg.NoEvents:
	case cfg.EventsBackend == "journald":
		j, err := events.NewJournal()
		if err != nil {
			return nil, err
		}
		r.events = j
	default:
		r.events = events.NewLogger(cfg.eventsPath())
	}
	r.newOCI = r.newConmonRuntime
	r.net = network.New(cfg.networkConfig())
	// Fail every command early on a runtime that does not exist, as
	// podman does; finding it is a PATH lookup, nothing runs.
	if _, err := r.ociRuntimeFor(""); err != nil {
		return nil, fmt.Errorf("default OCI runtime %q not found: %v: %w", r.DefaultOCIRuntime(), err, define.ErrInvalidArg)
	}
	if err := r.refreshIfRebooted(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// newRuntime assembles a Runtime from its backends (unit tests pass fakes).
func newRuntime(cfg Config, st state.Store, locks lock.Manager) *Runtime {
	return &Runtime{cfg: cfg, state: st, locks: locks, runtimes: map[string]ociRuntime{}}
}

// Config returns the runtime's configuration.
func (r *Runtime) Config() Config { return r.cfg }

// Shutdown releases the database and, if it was opened, the storage.
func (r *Runtime) Shutdown(force bool) error {
	var errs []error
	if r.store != nil {
		if err := r.store.Shutdown(force); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, r.state.Close())
	return errors.Join(errs...)
}

// storage opens containers/storage on first use.
func (r *Runtime) storage() (*estorage.Store, error) {
	r.storeOnce.Do(func() {
		r.store, r.storeErr = estorage.Open(estorage.Options{
			GraphRoot:          r.cfg.GraphRoot,
			RunRoot:            r.cfg.RunRoot,
			GraphDriver:        r.cfg.GraphDriver,
			GraphDriverOptions: r.cfg.GraphDriverOptions,
			TransientStore:     r.cfg.TransientStore,
		})
		if r.storeErr == nil {
			r.images = image.New(r.store, image.Options{})
		}
	})
	return r.store, r.storeErr
}

// Images returns the image service (opening storage if needed).
func (r *Runtime) Images() (*image.Service, error) {
	if _, err := r.storage(); err != nil {
		return nil, err
	}
	return r.images, nil
}

// Storage returns the opened storage (for info and size reports).
func (r *Runtime) Storage() (*estorage.Store, error) { return r.storage() }

// ociRuntimeFor returns the adapter for a runtime name or path.
func (r *Runtime) ociRuntimeFor(name string) (ociRuntime, error) {
	if name == "" {
		name = r.DefaultOCIRuntime()
	}
	r.ociMu.Lock()
	defer r.ociMu.Unlock()
	if rt, ok := r.runtimes[name]; ok {
		return rt, nil
	}
	rt, err := r.newOCI(name)
	if err != nil {
		return nil, err
	}
	r.runtimes[name] = rt
	return rt, nil
}

// DefaultOCIRuntime is the runtime new containers get: the configured
// one, else crun on a pure cgroup v2 host and runc otherwise.
func (r *Runtime) DefaultOCIRuntime() string {
	if r.cfg.OCIRuntime != "" {
		return r.cfg.OCIRuntime
	}
	return oci.DefaultRuntimeName()
}

func (r *Runtime) newConmonRuntime(name string) (ociRuntime, error) {
	cfg := oci.Config{
		Name:          name,
		ConmonPath:    r.cfg.ConmonPath,
		StateRoot:     r.cfg.ociRoot(),
		ExitDir:       r.cfg.exitDir(),
		SocketDir:     r.cfg.socketDir(),
		CgroupManager: r.cfg.CgroupManager,
		LogLevel:      r.cfg.LogLevel,
		RuntimeFlags:  r.cfg.RuntimeFlags,
		Syslog:        r.cfg.Syslog,
	}
	if len(name) > 0 && name[0] == '/' {
		cfg.Path = name
		cfg.Name = baseName(name)
	}
	return oci.New(cfg)
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// event writes one event; failures to log never fail the operation.
func (r *Runtime) event(e define.Event) {
	if r.events == nil {
		return
	}
	_ = r.events.Write(e)
}

// Events returns the events backend (nil when events are disabled).
func (r *Runtime) Events() events.Backend { return r.events }

// OCIRuntimeInfo reports the default OCI runtime's name, path and version
// and conmon's path and version, for `info`.
func (r *Runtime) OCIRuntimeInfo(ctx context.Context) (name, path, version, conmonPath, conmonVersion string) {
	rt, err := r.ociRuntimeFor("")
	if err != nil {
		return r.DefaultOCIRuntime(), "", "", "", ""
	}
	name, path = rt.Name(), rt.Path()
	if c, ok := rt.(*oci.Runtime); ok {
		version, _ = c.Version(ctx)
		conmonPath = c.ConmonPath()
		conmonVersion, _ = oci.ConmonVersion(ctx)
	}
	return
}
