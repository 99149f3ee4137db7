package engine

import (
	"context"
	"os"
	"path/filepath"
)

// reapOrphanLocked kills and deletes a container the OCI runtime knows
// but the state does not: a berth killed between `runc create` and
// saving the state leaves one behind, running under its conmon, with a
// status that says it never got created. It costs one stat when there
// is nothing to reap.
//
// Preconditions: c.lock is held; the state says the container is not
// created (Configured or Exited).
func (c *Container) reapOrphanLocked(ctx context.Context) {
	if _, err := os.Lstat(filepath.Join(c.runtime.cfg.ociRoot(), c.config.ID)); err != nil {
		return
	}
	rt, err := c.runtime.ociRuntimeFor(c.config.OCIRuntime)
	if err != nil {
		return
	}
	_ = rt.DeleteContainer(ctx, c.config.ID) // --force: kills it first
}
