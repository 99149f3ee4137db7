// Package state persists the engine's plain records (engine/define). The
// engine never stores live handles here, which keeps this package below
// engine in the import graph.
package state

import (
	"time"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// exitCodeTTL is how long exit codes of removed containers are kept.
const exitCodeTTL = 5 * time.Minute

// VolumeStore persists volumes. Lookups wrap define.ErrNoSuchVolume. A
// container's volumes (ContainerConfig.Volumes) are recorded with it by
// AddContainer, which refuses a volume that does not exist, and forgotten
// by RemoveContainer; RemoveVolume refuses a volume still in use. So the
// store itself keeps a volume from going away under a container.
type VolumeStore interface {
	// AddVolume persists a new volume (ErrVolumeExists if the name is
	// taken).
	AddVolume(cfg *define.VolumeConfig, st *define.VolumeState) error
	// RemoveVolume deletes a volume no container uses
	// (ErrVolumeBeingUsed otherwise, naming the users).
	RemoveVolume(name string) error
	// Volume returns a volume by exact name.
	Volume(name string) (*define.VolumeRecord, error)
	// LookupVolume resolves an exact name or a unique name prefix.
	LookupVolume(name string) (string, error)
	// Volumes returns every volume, oldest first.
	Volumes() ([]*define.VolumeRecord, error)
	// SaveVolumeState replaces a volume's state.
	SaveVolumeState(name string, st *define.VolumeState) error
	// VolumeUsers returns the IDs of the containers that mount a volume.
	VolumeUsers(name string) ([]string, error)
}

// PodStore persists pods. A container joins a pod through AddContainer
// (its config's Pod), which refuses a pod that does not exist; RemovePod
// refuses a pod that still has members. Lookups wrap define.ErrNoSuchPod.
type PodStore interface {
	// AddPod persists a new pod (ErrNameInUse if the name is taken).
	AddPod(cfg *define.PodConfig) error
	// SavePodConfig replaces a pod's config (its infra ID is only known
	// once the infra container exists).
	SavePodConfig(cfg *define.PodConfig) error
	// RemovePod deletes a pod that has no containers left.
	RemovePod(id string) error
	// Pod returns a pod by full ID.
	Pod(id string) (*define.PodConfig, error)
	// LookupPod resolves a full ID, an exact name or a unique ID prefix.
	LookupPod(nameOrID string) (string, error)
	// Pods returns every pod, oldest first.
	Pods() ([]*define.PodConfig, error)
	// PodContainers returns the IDs of a pod's members, in creation order.
	PodContainers(id string) ([]string, error)
}

// Store is the persistence interface. SQLite is the real backend; Memory is
// the fake for unit tests. Both run the statetest conformance suite.
//
// Lookups by name or ID return errors wrapping define.ErrNoSuchCtr, and
// define.ErrAmbiguous for a prefix that matches more than one container.
type Store interface {
	// AddContainer persists a new container. A taken name fails with an
	// error wrapping define.ErrNameInUse that names the owner, a taken ID
	// with define.ErrCtrExists, a missing one of cfg.Dependencies with
	// define.ErrNoSuchCtr. Nothing is written on failure.
	AddContainer(cfg *define.ContainerConfig, spec *specs.Spec, st *define.ContainerState) error
	// RemoveContainer deletes a container's rows; while others depend on
	// it (ContainerDependents) it fails with define.ErrCtrExists, so that
	// a create joining its namespaces cannot race its removal. Its exit
	// code is kept
	// for a while (RemovedExitCode), so a `wait` or an attached `run --rm`
	// that loses the race against the exit command's removal still learns
	// how the container ended.
	RemoveContainer(id string) error
	// RemovedExitCode returns the exit code of a removed container.
	RemovedExitCode(id string) (int32, error)
	// Container returns config and state of one container by full ID.
	Container(id string) (*define.ContainerRecord, error)
	// ContainerSpec returns the stored OCI spec of a container.
	ContainerSpec(id string) (*specs.Spec, error)
	// ContainerState returns only the mutable state (the cheap sync).
	ContainerState(id string) (*define.ContainerState, error)
	// SaveContainerState replaces the state of a container.
	SaveContainerState(id string, st *define.ContainerState) error
	// LookupContainer resolves a full ID, an exact name or a unique ID
	// prefix to a full ID.
	LookupContainer(nameOrID string) (string, error)
	// Containers returns every container's config and state in one read.
	Containers() ([]*define.ContainerRecord, error)
	// ContainerSummaries is Containers for listing: only these config
	// fields are filled in: ID, Name, ImageID, ImageName, CreatedTime,
	// Rootfs, AutoRemove, Pod, OCIRuntime, Command, Labels, UserVolumes, Volumes,
	// Networks, Ports; state Status, PID, ConmonPID, PIDStart,
	// ConmonPIDStart, ExitCode,
	// StartedTime, FinishedTime, RestartCount, NetNS, Networks (the names;
	// the per-network options may be left zero), Ports.
	ContainerSummaries() ([]*define.ContainerRecord, error)
	// RenameContainer changes a container's name (ErrNameInUse if taken).
	RenameContainer(id, newName string) error
	// UpdateContainer rewrites a container's config and stored spec with
	// fn in one transaction (`update`, `system migrate`); fn must not
	// change the name, the ID or a listing column other than OCIRuntime
	// and the extra fields, and an error from it changes nothing. spec is
	// nil when none was stored.
	UpdateContainer(id string, fn func(cfg *define.ContainerConfig, spec *specs.Spec) error) error
	// ContainersUsingImage returns the IDs of containers created from image.
	ContainersUsingImage(imageID string) ([]string, error)
	// ContainerDependents returns the IDs of the containers that list id
	// in their Dependencies, in creation order.
	ContainerDependents(id string) ([]string, error)
	VolumeStore
	PodStore
	// RuntimeValue / SetRuntimeValue keep small runtime-wide facts (the
	// storage paths a database was created with, the boot ID).
	RuntimeValue(key string) (string, error)
	SetRuntimeValue(key, value string) error
	// Close releases the store.
	Close() error
}
