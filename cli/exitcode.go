package cli

import (
	"errors"

	"github.com/berth-dev/berth/engine/define"
)

// ExitCode maps an error to the process exit code, in one place: 127 when
// the container's command was not found, 126 when it could not be invoked,
// 125 for every other engine error (podman's and docker's convention).
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, define.ErrOCIRuntimeNotFound):
		return 127
	case errors.Is(err, define.ErrOCIRuntimePermissionDenied), errors.Is(err, define.ErrOCIRuntime):
		return 126
	}
	return 125
}
