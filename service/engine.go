package service

import (
	"context"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// Engine is the set of verbs the CLI can run against either the local
// runtime (LocalEngine) or a berth service elsewhere (a client of the
// libpod API, wired in by cmd/berth): podman's ContainerEngine idea, kept
// to what `--remote` supports. The methods mirror this package's
// functions without the runtime argument, so the CLI prints the same
// records whichever side produced them.
type Engine interface {
	// ServerVersion is the service's version; nil for the local engine.
	ServerVersion(ctx context.Context) (*ServerVersion, error)
	Info(ctx context.Context, clientVersion string) (*InfoReport, error)

	List(ctx context.Context, opts ListOptions) ([]*ListContainer, error)
	InspectContainer(ctx context.Context, name string, size bool) (*define.InspectContainerData, error)
	Start(ctx context.Context, names []string, opts BatchOptions) ([]Report, error)
	Stop(ctx context.Context, names []string, opts StopOptions) ([]Report, error)
	Restart(ctx context.Context, names []string, opts StopOptions) ([]Report, error)
	Kill(ctx context.Context, names []string, opts KillOptions) ([]Report, error)
	Pause(ctx context.Context, names []string, opts BatchOptions) ([]Report, error)
	Unpause(ctx context.Context, names []string, opts BatchOptions) ([]Report, error)
	Init(ctx context.Context, names []string, opts BatchOptions) ([]Report, error)
	Remove(ctx context.Context, names []string, opts RemoveOptions) ([]Report, error)
	Wait(ctx context.Context, names []string, opts WaitOptions) ([]Report, error)
	Logs(ctx context.Context, names []string, opts LogsOptions) error
	// Create creates a container and returns its ID.
	Create(ctx context.Context, s *spec.ContainerSpec, opts CreateOptions) (string, error)
	// Exec runs a process in the named (or with latest, the newest)
	// container.
	Exec(ctx context.Context, name string, latest bool, opts ExecOptions) (*ExecResult, error)

	// VolumeList lists the volumes matching key=value filters.
	VolumeList(ctx context.Context, filters []string) ([]*define.InspectVolume, error)
	// VolumeInspect returns the named volumes (all: every one); the
	// errors of the names not found are joined.
	VolumeInspect(ctx context.Context, names []string, all bool) ([]*define.InspectVolume, error)
	// VolumeCreate creates a volume and returns its name.
	VolumeCreate(ctx context.Context, o VolumeOptions) (string, error)
	// VolumeRm removes volumes, reporting each removed name to done.
	VolumeRm(ctx context.Context, names []string, o VolumeRmOptions, done func(string)) error

	// NetworkList lists the networks matching filters.
	NetworkList(ctx context.Context, filters []NetworkFilter) ([]define.Network, error)
	// NetworkCreate creates a network.
	NetworkCreate(ctx context.Context, o NetworkCreateOptions) (define.Network, error)
	// NetworkRemove removes networks, one report each.
	NetworkRemove(ctx context.Context, names []string, opts RemoveNetworkOptions) []Report

	// PodCreate creates a pod and returns its ID.
	PodCreate(ctx context.Context, ps *spec.PodSpec, opts PodCreateOptions) (string, error)
	// ListPods lists the pods matching key=value filters.
	ListPods(ctx context.Context, filters []string) ([]ListPod, error)
	// PodVerb runs pod start, stop, restart, kill, pause or unpause
	// (PodVerbStart...) on the named pods.
	PodVerb(ctx context.Context, verb string, names []string, opts PodVerbOptions) ([]PodReport, error)
	// PodRemove removes pods.
	PodRemove(ctx context.Context, names []string, all, ignore bool, opts PodRemoveOptions) ([]PodReport, error)

	// Images lists the images in the store.
	Images(ctx context.Context) ([]*define.Image, error)
	// RemoveImage removes (or, with names left, untags) one image.
	RemoveImage(ctx context.Context, nameOrID string, force bool) (ImageRemoveReport, error)
	// Pull pulls an image (one per platform or tag) and returns them.
	Pull(ctx context.Context, name string, opts PullOptions) ([]*define.Image, error)
}

// ServerVersion is what a berth service says about itself.
type ServerVersion struct {
	APIVersion string
	Version    string
	GoVersion  string
	GitCommit  string
	BuiltTime  string
	Built      int64
	OsArch     string
	Os         string
}

// LocalEngine runs the verbs on a runtime opened in this process.
type LocalEngine struct{ rt *Runtime }

// NewLocalEngine wraps an open runtime.
func NewLocalEngine(rt *Runtime) *LocalEngine { return &LocalEngine{rt: rt} }

// ServerVersion returns nil: there is no server.
func (e *LocalEngine) ServerVersion(context.Context) (*ServerVersion, error) { return nil, nil }

// Info reports on the local engine.
func (e *LocalEngine) Info(ctx context.Context, clientVersion string) (*InfoReport, error) {
	return Info(ctx, e.rt, clientVersion)
}

// List lists the containers.
func (e *LocalEngine) List(_ context.Context, opts ListOptions) ([]*ListContainer, error) {
	return List(e.rt, opts)
}

// InspectContainer inspects one container.
func (e *LocalEngine) InspectContainer(ctx context.Context, name string, size bool) (*define.InspectContainerData, error) {
	c, err := e.rt.LookupContainer(name)
	if err != nil {
		return nil, err
	}
	return c.Inspect(ctx, size)
}

// Start starts containers.
func (e *LocalEngine) Start(ctx context.Context, names []string, opts BatchOptions) ([]Report, error) {
	return Start(ctx, e.rt, names, opts)
}

// Stop stops containers.
func (e *LocalEngine) Stop(ctx context.Context, names []string, opts StopOptions) ([]Report, error) {
	return Stop(ctx, e.rt, names, opts)
}

// Restart restarts containers.
func (e *LocalEngine) Restart(ctx context.Context, names []string, opts StopOptions) ([]Report, error) {
	return Restart(ctx, e.rt, names, opts)
}

// Kill signals containers.
func (e *LocalEngine) Kill(ctx context.Context, names []string, opts KillOptions) ([]Report, error) {
	return Kill(ctx, e.rt, names, opts)
}

// Pause freezes containers.
func (e *LocalEngine) Pause(ctx context.Context, names []string, opts BatchOptions) ([]Report, error) {
	return Pause(ctx, e.rt, names, opts)
}

// Unpause thaws containers.
func (e *LocalEngine) Unpause(ctx context.Context, names []string, opts BatchOptions) ([]Report, error) {
	return Unpause(ctx, e.rt, names, opts)
}

// Init creates containers in the OCI runtime without starting them.
func (e *LocalEngine) Init(ctx context.Context, names []string, opts BatchOptions) ([]Report, error) {
	return Init(ctx, e.rt, names, opts)
}

// Remove removes containers.
func (e *LocalEngine) Remove(ctx context.Context, names []string, opts RemoveOptions) ([]Report, error) {
	return Remove(ctx, e.rt, names, opts)
}

// Wait waits for containers.
func (e *LocalEngine) Wait(ctx context.Context, names []string, opts WaitOptions) ([]Report, error) {
	return Wait(ctx, e.rt, names, opts)
}

// Create creates a container.
func (e *LocalEngine) Create(ctx context.Context, s *spec.ContainerSpec, opts CreateOptions) (string, error) {
	c, err := Create(ctx, e.rt, s, opts)
	if err != nil {
		return "", err
	}
	return c.ID(), nil
}

// Exec runs a process in a container.
func (e *LocalEngine) Exec(ctx context.Context, name string, latest bool, opts ExecOptions) (*ExecResult, error) {
	var ctrs []*Container
	var err error
	if latest {
		ctrs, _, err = Resolve(e.rt, nil, false, true)
	} else {
		var c *Container
		c, err = e.rt.LookupContainer(name)
		ctrs = []*Container{c}
	}
	if err != nil {
		return nil, err
	}
	return Exec(ctx, ctrs[0], opts)
}

// Logs writes containers' logs.
func (e *LocalEngine) Logs(ctx context.Context, names []string, opts LogsOptions) error {
	return Logs(ctx, e.rt, names, opts)
}
