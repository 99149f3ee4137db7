package service

import (
	"context"

	"github.com/berth-dev/berth/engine"
)

// Migrate is `system migrate`; see engine.Runtime.Migrate.
func Migrate(ctx context.Context, rt *engine.Runtime, opts engine.MigrateOptions, stopped func(id string)) error {
	return rt.Migrate(ctx, opts, stopped)
}

// Renumber is `system renumber`; see engine.Runtime.Renumber.
func Renumber(rt *engine.Runtime) ([]string, error) {
	return rt.Renumber()
}
