package engine

import (
	"context"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ociRuntime is what the engine needs from an OCI runtime adapter. The
// conmon-driven runc/crun adapter (engine/oci) is the real one; unit tests
// use a fake.
type ociRuntime interface {
	Name() string
	Path() string
	CreateContainer(ctx context.Context, o oci.CreateOptions) (pid, conmonPID int, err error)
	StartContainer(ctx context.Context, id string, pid int) error
	KillContainer(ctx context.Context, id string, sig syscall.Signal, all bool) error
	DeleteContainer(ctx context.Context, id string) error
	// DeleteExited is DeleteContainer for a container whose init exited.
	DeleteExited(ctx context.Context, id string) error
	PauseContainer(ctx context.Context, id string) error
	ResumeContainer(ctx context.Context, id string) error
	UpdateResources(ctx context.Context, id string, res *specs.LinuxResources) error
	State(ctx context.Context, id string) (status string, pid int, err error)
	ExitCode(id, bundleDir string) (code int, finished time.Time, oom bool, exists bool, err error)
	WaitExit(ctx context.Context, id, bundleDir string) (int, error)
	Attach(ctx context.Context, id, bundleDir string, s oci.AttachStreams, detachKeys []byte, resize <-chan [2]uint16) error
	AttachSocketPath(id string) string
	ExitFilePath(id string) string
	// Started reports whether a created container has been started.
	Started(id string) bool
	ExecContainer(ctx context.Context, o oci.ExecOptions, attach *oci.ExecAttach) (*oci.ExecProcess, error)
	ExecExitCode(containerID, sessionDir string) (code int, exists bool, err error)
}
