package service

import (
	"github.com/berth-dev/berth/engine"
)

// The engine handles and option records the CLI and the API hold while
// they talk to a container, pod or volume. They are aliases so that a
// caller of service never imports engine itself: service is the one door
// into the engine.
type (
	// Runtime is the open engine every service function works on.
	Runtime = engine.Runtime
	// Container is a live container handle.
	Container = engine.Container
	// Pod is a live pod handle.
	Pod = engine.Pod
	// PodErrors maps a container ID to what went wrong with it in a pod verb.
	PodErrors = engine.PodErrors
	// AttachStreams are the caller's ends of an attach or an attached start.
	AttachStreams = engine.AttachStreams
	// PodRemoveOptions are the options of removing a pod.
	PodRemoveOptions = engine.PodRemoveOptions
	// LogOptions select and format what Logs writes.
	LogOptions = engine.LogOptions
	// ContainerStats is one sample of a container's resource use.
	ContainerStats = engine.ContainerStats
	// VolumeOptions are the options of creating a volume.
	VolumeOptions = engine.VolumeOptions
	// RemoveNetworkOptions are the options of removing a network.
	RemoveNetworkOptions = engine.RemoveNetworkOptions
	// ImagePruneOptions select what an image prune removes.
	ImagePruneOptions = engine.ImagePruneOptions
)

// ErrDetach is returned by an attach the user left with the detach keys.
var ErrDetach = engine.ErrDetach
