package define

import "time"

// VolumeDriverLocal is the built-in driver: a directory under the graph
// root, or a filesystem mounted there (type/device/o options).
const VolumeDriverLocal = "local"

// VolumeConfig is the immutable configuration of a volume, persisted once
// at creation.
type VolumeConfig struct {
	Name   string            `json:"name"`
	Driver string            `json:"driver"`
	Labels map[string]string `json:"labels,omitempty"`
	// Options are the driver options as given (type, device, o, copy,
	// nocopy, uid, gid), shown by inspect.
	Options map[string]string `json:"options,omitempty"`
	// MountPoint is the host directory containers bind-mount: the _data
	// directory under the volume's own directory.
	MountPoint  string    `json:"mountPoint"`
	CreatedTime time.Time `json:"created"`
	// UID and GID own the volume's root (o=uid=,gid= or --uid/--gid).
	UID int `json:"uid,omitempty"`
	GID int `json:"gid,omitempty"`
	// Anonymous volumes are made for one container (-v /dst, an image's
	// VOLUME) and removed with it by rm -v and --rm.
	Anonymous bool `json:"anonymous,omitempty"`
	// NoCopy turns off the copy-up of the image's content at first use.
	NoCopy bool `json:"noCopy,omitempty"`
}

// VolumeState is the mutable state of a volume.
type VolumeState struct {
	// MountCount counts the users of a mounted volume (one with a
	// type/device): the filesystem is mounted by the first and unmounted
	// by the last.
	MountCount uint `json:"mountCount,omitempty"`
	// Users are the containers (IDs) among those users: a container's
	// mount and release count once each, so a command killed between
	// recording the container's use and the volume's can be finished
	// without taking another user's count.
	Users []string `json:"users,omitempty"`
	// External counts the users outside containers (`volume mount`).
	// A count above len(Users)+External holds uses recorded before
	// users were tracked: those are released by count alone.
	External uint `json:"external,omitempty"`
	// NeedsCopyUp is true until the volume has been mounted into a
	// container for the first time: then, if empty, it is filled with
	// the image's content at the mount destination.
	NeedsCopyUp bool `json:"needsCopyUp,omitempty"`
	// NeedsChown is true until that first mount too: the volume's root
	// then takes the owner of the image's directory.
	NeedsChown bool `json:"needsChown,omitempty"`
}

// VolumeRecord is a volume's config and state, as the store returns them.
type VolumeRecord struct {
	Config *VolumeConfig
	State  *VolumeState
}

// VolumeMount is one named or anonymous volume a container mounts.
type VolumeMount struct {
	Name string `json:"name"`
	Dest string `json:"dest"`
	// Options are mount options for the container's bind mount (ro,
	// nosuid, propagation, ...), plus the volume-only ones (nocopy, U).
	Options []string `json:"options,omitempty"`
	// CreateOptions are driver options for a volume this mount creates
	// (--mount volume-opt=); an existing volume keeps its own.
	CreateOptions map[string]string `json:"createOptions,omitempty"`
	// FromImage marks the anonymous volume of an image's VOLUME, which a
	// --volumes-from mount at the same path replaces.
	FromImage bool `json:"fromImage,omitempty"`
}

// ImageMount is an image's root filesystem mounted into a container
// (podman's --mount type=image).
type ImageMount struct {
	// Source is the image as given; ImageID the image it named at create.
	Source  string `json:"source"`
	ImageID string `json:"imageID"`
	Dest    string `json:"dest"`
	// ReadWrite lays an overlay over the image, whose writes are thrown
	// away when the container stops; else the mount is read-only.
	ReadWrite bool `json:"readWrite,omitempty"`
	// SubPath is the directory of the image that is mounted ("": its root).
	SubPath string `json:"subPath,omitempty"`
}

// InspectVolume is the output of `volume inspect`, in podman's shape
// (docker's fields plus podman's own).
type InspectVolume struct {
	Name        string            `json:"Name"`
	Driver      string            `json:"Driver"`
	Mountpoint  string            `json:"Mountpoint"`
	CreatedAt   time.Time         `json:"CreatedAt"`
	Labels      map[string]string `json:"Labels"`
	Scope       string            `json:"Scope"`
	Options     map[string]string `json:"Options"`
	UID         int               `json:"UID,omitempty"`
	GID         int               `json:"GID,omitempty"`
	Anonymous   bool              `json:"Anonymous,omitempty"`
	MountCount  uint              `json:"MountCount"`
	NeedsCopyUp bool              `json:"NeedsCopyUp,omitempty"`
	NeedsChown  bool              `json:"NeedsChown,omitempty"`
}
