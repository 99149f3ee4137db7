package engine

import (
	"errors"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/lock"
)

// Volume is a handle on one volume. As with Container, the config is
// immutable and the state is guarded by lock and synced after taking it.
type Volume struct {
	config  *define.VolumeConfig
	state   *define.VolumeState
	lock    lock.Locker
	runtime *Runtime
}

// volumeLockID keeps volume locks apart from container locks (container
// IDs are hex, so no container lock has a dot in its name).
func volumeLockID(name string) string { return "volume." + name }

// Name returns the volume's name.
func (v *Volume) Name() string { return v.config.Name }

// Config returns a copy of the immutable configuration.
func (v *Volume) Config() define.VolumeConfig { return *v.config }

// MountPoint returns the host directory containers mount.
func (v *Volume) MountPoint() string { return v.config.MountPoint }

// lockSync takes the volume's lock and re-reads its state.
func (v *Volume) lockSync() error {
	if err := v.lock.Lock(); err != nil {
		return err
	}
	rec, err := v.runtime.state.Volume(v.config.Name)
	if err != nil {
		if errors.Is(err, define.ErrNoSuchVolume) {
			// Removed while we waited: drop the lock file our Lock
			// re-created.
			_ = v.runtime.locks.Free(volumeLockID(v.config.Name))
		}
		v.lock.Unlock()
		return err
	}
	v.state = rec.State
	return nil
}

// saveLocked persists the state.
// Preconditions: v.lock is held.
func (v *Volume) saveLocked() error {
	return v.runtime.state.SaveVolumeState(v.config.Name, v.state)
}

// Inspect returns the volume in podman's inspect shape.
func (v *Volume) Inspect() (*define.InspectVolume, error) {
	if err := v.lockSync(); err != nil {
		return nil, err
	}
	defer v.lock.Unlock()
	return v.inspectLocked(), nil
}

// Preconditions: v.lock is held.
func (v *Volume) inspectLocked() *define.InspectVolume {
	out := &define.InspectVolume{
		Name: v.config.Name, Driver: v.config.Driver, Mountpoint: v.config.MountPoint,
		CreatedAt: v.config.CreatedTime, Labels: v.config.Labels, Scope: "local",
		Options: v.config.Options, UID: v.config.UID, GID: v.config.GID,
		Anonymous: v.config.Anonymous, MountCount: v.state.MountCount,
		NeedsCopyUp: v.state.NeedsCopyUp, NeedsChown: v.state.NeedsChown,
	}
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	if out.Options == nil {
		out.Options = map[string]string{}
	}
	return out
}

// Users returns the IDs of the containers that mount the volume.
func (v *Volume) Users() ([]string, error) {
	return v.runtime.state.VolumeUsers(v.config.Name)
}

// needsMount reports whether the volume is a filesystem of its own
// (type/device options) that is mounted while containers use it, rather
// than a plain directory.
func (v *Volume) needsMount() bool {
	return v.config.Options["type"] != "" || v.config.Options["device"] != ""
}

// volumeEvent is a volume event as podman logs it (type volume, the name
// as its ID).
func volumeEvent(name, status string) define.Event {
	return define.Event{Type: "volume", Status: status, ID: name, Name: name, Time: time.Now()}
}
