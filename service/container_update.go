package service

import (
	"context"
	"io"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
	"github.com/berth-dev/berth/spec/generate"
)

// UpdateOptions are what `update` can change (podman's and docker's
// flags for what berth supports): the cgroup limits, in the typed units
// of the create spec, and the restart policy. Nil leaves a setting alone.
type UpdateOptions struct {
	generate.ResourceUpdate
	Restart *spec.RestartPolicy
	// Health, when set, changes what it sets of the healthcheck
	// (generate.UpdateHealth).
	Health *spec.HealthConfig
	// Warnings, when set, gets create's warnings about limits the host
	// cannot apply (dropped, as at create).
	Warnings io.Writer `json:"-"`
}

// Empty reports whether o changes nothing.
func (o UpdateOptions) Empty() bool {
	return o.ResourceUpdate.Empty() && o.Restart == nil && o.Health == nil
}

// ContainerUpdate is `update` of one container, for the CLI and the API
// alike: checked like create's flags before anything changes, then live
// and stored (engine.Container.Update).
// It returns the container's ID.
func ContainerUpdate(ctx context.Context, rt *engine.Runtime, name string, o UpdateOptions) (string, error) {
	c, err := rt.LookupContainer(name)
	if err != nil {
		return "", err
	}
	var eo engine.UpdateOptions
	if o.Restart != nil {
		if err := generate.CheckRestartPolicy(*o.Restart); err != nil {
			return "", err
		}
		policy := o.Restart.Name
		if policy == "" {
			policy = spec.RestartNo
		}
		eo.Restart, eo.RestartMax = &policy, o.Restart.MaxRetries
	}
	if !o.ResourceUpdate.Empty() {
		host := createHost(rt, CreateOptions{Warnings: o.Warnings})
		u := o.ResourceUpdate
		eo.Resources = func(cur *specs.LinuxResources) (*specs.LinuxResources, error) {
			return generate.UpdateResources(cur, u, &host)
		}
	}
	if h := o.Health; h != nil {
		eo.Health = func(cur *define.HealthSettings) (*define.HealthSettings, error) {
			return generate.UpdateHealth(cur, h)
		}
	}
	if o.Empty() {
		return c.ID(), nil
	}
	return c.ID(), c.Update(ctx, eo)
}

// ContainerUpdate is ContainerUpdate over the backend's runtime.
func (b *Backend) ContainerUpdate(ctx context.Context, name string, o UpdateOptions) (string, error) {
	return ContainerUpdate(ctx, b.rt, name, o)
}
