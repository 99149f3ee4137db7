package engine

import (
	"context"
	"fmt"
	"reflect"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/internal/cgroups"

	"github.com/berth-dev/berth/engine/define"
)

// UpdateOptions are what `update` changes; unset fields stay as they are.
type UpdateOptions struct {
	// Resources, when set, is given the current cgroup limits (never nil)
	// and returns the new ones; an error from it changes nothing.
	Resources func(cur *specs.LinuxResources) (*specs.LinuxResources, error)
	// Restart, when set, is the new restart policy, with RestartMax its
	// retries (on-failure only).
	Restart    *string
	RestartMax uint
	// Health, when set, is given the current healthcheck (nil: none) and
	// returns the new one (nil: none); a running container's scheduler
	// starts anew with it.
	Health func(cur *define.HealthSettings) (*define.HealthSettings, error)
}

// Update changes a container's restart policy and cgroup limits: live
// through the OCI runtime while the container has a cgroup (created,
// running, paused), and in the stored config and spec for every later
// start. If the runtime refuses the limits nothing is stored; if storing
// fails the live limits are put back.
func (c *Container) Update(ctx context.Context, o UpdateOptions) error {
	if err := c.lockSync(); err != nil {
		return err
	}
	defer c.lock.Unlock()
	if o.Restart != nil && *o.Restart != "" && *o.Restart != "no" && c.config.AutoRemove {
		// docker's words.
		return fmt.Errorf("restart policy cannot be updated because AutoRemove is enabled for the container: %w", define.ErrInvalidArg)
	}
	var oldRes, newRes *specs.LinuxResources
	if o.Resources != nil && c.config.CgroupsMode == "disabled" {
		return fmt.Errorf("container %s has no cgroup (--cgroups=disabled): its limits cannot be updated: %w", c.config.Name, define.ErrInvalidArg)
	}
	if o.Resources != nil {
		if err := c.runtime.CheckCgroups("update"); err != nil {
			return err
		}
	}
	if o.Resources != nil {
		spec, err := c.runtime.state.ContainerSpec(c.config.ID)
		if err != nil {
			return err
		}
		if spec == nil || spec.Linux == nil {
			return fmt.Errorf("container %s has no stored OCI spec to update: %w", c.config.Name, define.ErrInvalidArg)
		}
		oldRes = spec.Linux.Resources
		if oldRes == nil {
			oldRes = &specs.LinuxResources{}
		}
		if newRes, err = o.Resources(oldRes); err != nil {
			return err
		}
	}
	var health *define.HealthSettings
	if o.Health != nil {
		var err error
		if health, err = o.Health(c.config.Health); err != nil {
			return err
		}
		var scratch define.ContainerConfig
		if err := WithHealth(health)(&scratch); err != nil {
			return err
		}
		health = scratch.Health
	}
	var rt ociRuntime
	switch c.state.Status {
	case define.StatusCreated, define.StatusRunning, define.StatusPaused:
		if newRes == nil {
			break
		}
		var err error
		if rt, err = c.runtime.ociRuntimeFor(c.config.OCIRuntime); err != nil {
			return err
		}
		if err := rt.UpdateResources(ctx, c.config.ID, newRes); err != nil {
			return err
		}
		if err := c.setDeviceLimits(oldRes, newRes); err != nil {
			_ = rt.UpdateResources(ctx, c.config.ID, oldRes)
			return err
		}
	}
	err := c.runtime.state.UpdateContainer(c.config.ID, func(cfg *define.ContainerConfig, spec *specs.Spec) error {
		if o.Restart != nil {
			cfg.Restart, cfg.RestartMax = *o.Restart, o.RestartMax
		}
		if o.Health != nil {
			cfg.Health = health
		}
		if newRes != nil && spec != nil && spec.Linux != nil {
			spec.Linux.Resources = newRes
		}
		return nil
	})
	if err != nil {
		if rt != nil {
			_ = rt.UpdateResources(ctx, c.config.ID, oldRes)
		}
		return err
	}
	if o.Restart != nil {
		c.config.Restart, c.config.RestartMax = *o.Restart, o.RestartMax
	}
	if o.Health != nil {
		c.config.Health = health
		if c.state.Status == define.StatusRunning {
			// The scheduler runs the check it was started with.
			c.stopHealthLocked()
			if err := c.startHealthLocked(); err != nil {
				return err
			}
			if err := c.saveLocked(); err != nil {
				return err
			}
		}
	}
	c.runtime.event(c.newEvent("update"))
	return nil
}

// setDeviceLimits writes the per-device block IO limits and the memory
// swappiness of res into the container's cgroup: runc's update does not
// apply them (crun's does; writing them again is harmless), and runc's
// update of any other limit puts back the values it started the
// container with, so they are written after every update. A failure is an
// error only when this update changes them.
func (c *Container) setDeviceLimits(old, res *specs.LinuxResources) error {
	var l cgroups.DeviceLimits
	conv := func(in []specs.LinuxThrottleDevice) []cgroups.Device {
		var out []cgroups.Device
		for _, d := range in {
			out = append(out, cgroups.Device{Major: d.Major, Minor: d.Minor, Value: d.Rate})
		}
		return out
	}
	if b := res.BlockIO; b != nil {
		for _, w := range b.WeightDevice {
			if w.Weight != nil {
				l.Weight = append(l.Weight, cgroups.Device{Major: w.Major, Minor: w.Minor, Value: uint64(*w.Weight)})
			}
		}
		l.ReadBps, l.WriteBps = conv(b.ThrottleReadBpsDevice), conv(b.ThrottleWriteBpsDevice)
		l.ReadIOps, l.WriteIOps = conv(b.ThrottleReadIOPSDevice), conv(b.ThrottleWriteIOPSDevice)
	}
	if res.Memory != nil {
		l.Swappiness = res.Memory.Swappiness
	}
	if len(l.Weight)+len(l.ReadBps)+len(l.WriteBps)+len(l.ReadIOps)+len(l.WriteIOps) == 0 && l.Swappiness == nil {
		return nil
	}
	changed := !reflect.DeepEqual(old.BlockIO, res.BlockIO) ||
		(old.Memory == nil) != (res.Memory == nil) || (old.Memory != nil && !reflect.DeepEqual(old.Memory.Swappiness, res.Memory.Swappiness))
	err := fmt.Errorf("container %s has no process to find its cgroup by", c.config.Name)
	if c.state.PID > 0 {
		var cg *cgroups.Cgroup
		if cg, err = cgroups.ForPID(c.state.PID); err == nil {
			err = cg.SetDeviceLimits(l)
		}
	}
	if err != nil && changed {
		return fmt.Errorf("container %s: setting block IO device limits and swappiness: %w", c.config.Name, err)
	}
	if err != nil {
		warnf("container %s: re-applying block IO device limits and swappiness after the update: %v", c.config.Name, err)
	}
	return nil
}
