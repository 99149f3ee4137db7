package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// RuntimeConfig is what opening the engine needs: paths, drivers, the OCI
// runtime and the containers.conf settings the engine acts on.
type RuntimeConfig = engine.Config

// OpenRuntime opens the engine (state, locks, storage); the caller closes
// it with Shutdown when done.
func OpenRuntime(ctx context.Context, cfg RuntimeConfig) (*engine.Runtime, error) {
	return engine.New(ctx, cfg)
}

// Reexec must run first in main: containers/storage re-executes the
// binary for some operations, and such a child returns true here.
func Reexec() bool { return engine.Reexec() }
