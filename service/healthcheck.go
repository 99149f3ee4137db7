package service

import (
	"context"
	"errors"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// HealthCheckResult is what `healthcheck run` found.
type HealthCheckResult = engine.HealthCheckResult

// HealthCheckRun runs the named container's healthcheck once, as the
// timer would: the result is logged, and --health-on-failure applies.
func HealthCheckRun(ctx context.Context, rt *engine.Runtime, name string) (HealthCheckResult, error) {
	c, err := rt.LookupContainer(name)
	if err != nil {
		return HealthCheckResult{}, err
	}
	return c.RunHealthCheck(ctx)
}

// HealthCheckScheduler runs the checks of the container with this ID on
// schedule while it runs (the scheduler process started with the
// container where systemd does not run). A container removed meanwhile
// is no error: there is nothing left to check.
func HealthCheckScheduler(ctx context.Context, rt *engine.Runtime, id string) error {
	c, err := rt.LookupContainer(id)
	if errors.Is(err, define.ErrNoSuchCtr) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.RunHealthScheduler(ctx)
}
