package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/internal/rootless"
)

// MigrateOptions are the engine's, for the CLI.
type MigrateOptions = engine.MigrateOptions

// Migrate is `system migrate`; see engine.Runtime.Migrate. For a rootless
// user it then ends the pause process, so that the next command makes the
// user namespace anew with the current /etc/subuid and /etc/subgid ranges
// (a no-op for root).
func Migrate(ctx context.Context, rt *engine.Runtime, opts MigrateOptions, stopped func(id string)) error {
	if err := rt.Migrate(ctx, opts, stopped); err != nil {
		return err
	}
	return rootless.Migrate()
}

// Renumber is `system renumber`; see engine.Runtime.Renumber.
func Renumber(rt *engine.Runtime) ([]string, error) {
	return rt.Renumber()
}
