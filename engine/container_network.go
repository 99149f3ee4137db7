package engine

import (
	"context"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// setupNetworkLocked prepares the container's network namespace. Until the
// netavark backend lands, a container gets the private namespace runc
// creates for it (loopback only), or the host's with --network host.
//
// Preconditions: c.lock is held.
func (c *Container) setupNetworkLocked(ctx context.Context, spec *specs.Spec) error {
	return nil
}

// teardownNetworkLocked releases what setupNetworkLocked acquired.
//
// Preconditions: c.lock is held.
func (c *Container) teardownNetworkLocked(ctx context.Context) error {
	return nil
}
