package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/systemd"
)

// SystemdOptions are generate systemd's options; SystemdUnit one unit.
type (
	SystemdOptions = systemd.Options
	SystemdUnit    = systemd.Unit
)

// GenerateSystemd returns the units of a container, or of a pod and its
// members, looked up by name or ID (containers first, as podman does).
func GenerateSystemd(ctx context.Context, rt *engine.Runtime, nameOrID string, o systemd.Options) ([]systemd.Unit, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	c, cerr := rt.LookupContainer(nameOrID)
	if cerr == nil {
		if c.Config().IsInfra {
			return nil, fmt.Errorf("%s is an infra container: generate units for its pod instead", nameOrID)
		}
		rec, err := systemdContainer(ctx, rt, c)
		if err != nil {
			return nil, err
		}
		u, err := systemd.ContainerUnit(rec, o)
		if err != nil {
			return nil, err
		}
		return []systemd.Unit{u}, nil
	}
	p, perr := rt.LookupPod(nameOrID)
	if perr != nil {
		if errors.Is(cerr, define.ErrNoSuchCtr) && errors.Is(perr, define.ErrNoSuchPod) {
			return nil, fmt.Errorf("%s does not refer to a container or pod: %w", nameOrID, cerr)
		}
		return nil, perr
	}
	cfg := p.Config()
	rec := &systemd.Pod{ID: cfg.ID, Name: cfg.Name, CreateCommand: cfg.CreateCommand}
	members, err := p.Containers()
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		mr, err := systemdContainer(ctx, rt, m)
		if err != nil {
			return nil, err
		}
		if m.Config().IsInfra {
			rec.Infra = mr
			continue
		}
		rec.Members = append(rec.Members, *mr)
	}
	return systemd.PodUnits(rec, o)
}

// systemdContainer fills the record a unit needs from a container.
func systemdContainer(ctx context.Context, rt *engine.Runtime, c *engine.Container) (*systemd.Container, error) {
	cfg := c.Config()
	insp, err := c.Inspect(ctx, false)
	if err != nil {
		return nil, err
	}
	rec := &systemd.Container{
		ID: cfg.ID, Name: cfg.Name, CreateCommand: cfg.CreateCommand,
		StopTimeout: cfg.StopTimeout, PIDFile: insp.ConmonPidFile,
		RunRoot: rt.Config().RunRoot, IsInfra: cfg.IsInfra, DependsOn: cfg.Dependencies,
	}
	if insp.Config != nil {
		rec.Env = insp.Config.Env
	}
	return rec, nil
}
