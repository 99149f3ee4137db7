package define

import (
	"errors"

	"github.com/berth-dev/berth/internal/errdefs"
)

// Sentinel errors of the engine. Each belongs to an errdefs category so the
// CLI and the API can map them to exit codes and HTTP statuses in one place.
var (
	ErrNoSuchCtr         = errdefs.New(errdefs.ErrNotFound, "no such container")
	ErrNoSuchImage       = errdefs.New(errdefs.ErrNotFound, "no such image")
	ErrNoSuchPod         = errdefs.New(errdefs.ErrNotFound, "no such pod")
	ErrNoSuchVolume      = errdefs.New(errdefs.ErrNotFound, "no such volume")
	ErrVolumeExists      = errdefs.New(errdefs.ErrConflict, "volume already exists")
	ErrVolumeBeingUsed   = errdefs.New(errdefs.ErrConflict, "volume is being used")
	ErrNoSuchExecSession = errdefs.New(errdefs.ErrNotFound, "no such exec session")
	ErrCtrExists         = errdefs.New(errdefs.ErrConflict, "container already exists")
	ErrNameInUse         = errdefs.New(errdefs.ErrConflict, "that name is already in use")
	ErrImageInUse        = errdefs.New(errdefs.ErrConflict, "image is in use by a container")
	ErrAmbiguous         = errdefs.New(errdefs.ErrConflict, "more than one result for prefix")
	ErrCtrStateInvalid   = errdefs.New(errdefs.ErrConflict, "container state improper")
	ErrCtrRemoved        = errdefs.New(errdefs.ErrNotFound, "container has already been removed")
	ErrCtrFinalized      = errdefs.New(errdefs.ErrConflict, "container has been finalized")
	ErrInvalidArg        = errdefs.New(errdefs.ErrInvalidArgument, "invalid argument")
	ErrCtrStopped        = errdefs.New(errdefs.ErrNotModified, "container is stopped")
	ErrNoSuchUser        = errdefs.New(errdefs.ErrInvalidArgument, "unable to find user")
	ErrNotImplemented    = errdefs.New(errdefs.ErrNotImplemented, "not implemented")
	// ErrNoSuchPath is a path that does not exist in a container (cp).
	ErrNoSuchPath = errdefs.New(errdefs.ErrNotFound, "no such file or directory")

	// ErrOCIRuntime is a failure reported by the OCI runtime (exit code 126
	// on the CLI, like podman and docker).
	ErrOCIRuntime = errors.New("OCI runtime error")
	// ErrOCIRuntimeNotFound means the container's executable does not exist
	// (exit code 127).
	ErrOCIRuntimeNotFound = errors.New("OCI runtime attempted to invoke a command that was not found")
	// ErrOCIRuntimePermissionDenied means the executable cannot be run
	// (exit code 126).
	ErrOCIRuntimePermissionDenied = errors.New("OCI permission denied")
)
