package service

import (
	"context"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/spec"
	"github.com/berth-dev/berth/spec/generate"
)

// UpdateOptions are what `update` can change (podman's and docker's
// flags for what berth supports): the cgroup limits, written as for
// create, and the restart policy. Zero values leave a setting alone.
type UpdateOptions struct {
	Memory     string
	MemorySwap string
	CPUs       string
	CPUShares  uint64
	PidsLimit  *int64
	// Restart is no, always, on-failure[:N] or unless-stopped.
	Restart string
}

// Empty reports whether o changes nothing.
func (o UpdateOptions) Empty() bool {
	return o.Memory == "" && o.MemorySwap == "" && o.CPUs == "" && o.CPUShares == 0 && o.PidsLimit == nil && o.Restart == ""
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
	if o.Restart != "" {
		policy, retries, err := spec.ParseRestartPolicy(o.Restart)
		if err != nil {
			return "", err
		}
		eo.Restart, eo.RestartMax = &policy, retries
	}
	limits := &spec.ContainerSpec{Memory: o.Memory, MemorySwap: o.MemorySwap, CPUs: o.CPUs, CPUShares: o.CPUShares, PidsLimit: o.PidsLimit}
	if o.Memory != "" || o.MemorySwap != "" || o.CPUs != "" || o.CPUShares != 0 || o.PidsLimit != nil {
		host := createHost(rt, CreateOptions{})
		eo.Resources = func(cur *specs.LinuxResources) (*specs.LinuxResources, error) {
			return generate.UpdateResources(cur, limits, &host)
		}
	}
	if o.Empty() {
		return c.ID(), nil
	}
	return c.ID(), c.Update(ctx, eo)
}

// ContainerUpdate is ContainerUpdate over the backend's runtime.
func (b *Backend) ContainerUpdate(ctx context.Context, name string, o UpdateOptions) error {
	_, err := ContainerUpdate(ctx, b.rt, name, o)
	return err
}
