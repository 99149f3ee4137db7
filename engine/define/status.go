package define

import (
	"fmt"
	"strings"
)

// ContainerStatus is the lifecycle state of a container. There is exactly
// one status; see Transition for the allowed moves between them.
type ContainerStatus int

// Container statuses. Stopped means the process has exited but the OCI
// runtime still knows the container; Exited means cleanup has run.
const (
	StatusUnknown ContainerStatus = iota
	StatusConfigured
	StatusCreated
	StatusRunning
	StatusPaused
	StatusStopping
	StatusStopped
	StatusExited
	StatusRemoving
)

var statusNames = [...]string{
	StatusUnknown:    "unknown",
	StatusConfigured: "configured",
	StatusCreated:    "created",
	StatusRunning:    "running",
	StatusPaused:     "paused",
	StatusStopping:   "stopping",
	StatusStopped:    "stopped",
	StatusExited:     "exited",
	StatusRemoving:   "removing",
}

// String returns the lowercase name podman prints for the status.
func (s ContainerStatus) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "unknown"
	}
	return statusNames[s]
}

// DockerString returns the status name Docker's API uses (no "configured",
// "stopped" or "stopping").
func (s ContainerStatus) DockerString() string {
	switch s {
	case StatusConfigured:
		return "created"
	case StatusStopped, StatusStopping:
		return "exited"
	}
	return s.String()
}

// ParseStatus turns a status name into a ContainerStatus.
func ParseStatus(name string) (ContainerStatus, error) {
	name = strings.ToLower(name)
	for i, n := range statusNames {
		if n == name {
			return ContainerStatus(i), nil
		}
	}
	return StatusUnknown, fmt.Errorf("unknown container status %q: %w", name, ErrInvalidArg)
}

// IsStopped reports whether a container in this status has no process.
func (s ContainerStatus) IsStopped() bool {
	switch s {
	case StatusConfigured, StatusCreated, StatusStopped, StatusExited:
		return true
	}
	return false
}

// transitions is the one table of allowed status changes.
var transitions = map[ContainerStatus][]ContainerStatus{
	StatusConfigured: {StatusCreated, StatusRemoving},
	StatusCreated:    {StatusRunning, StatusStopped, StatusExited, StatusConfigured, StatusRemoving},
	StatusRunning:    {StatusPaused, StatusStopping, StatusStopped, StatusExited},
	StatusPaused:     {StatusRunning, StatusStopping, StatusStopped, StatusExited},
	StatusStopping:   {StatusStopped, StatusExited, StatusRunning},
	StatusStopped:    {StatusExited, StatusConfigured, StatusCreated, StatusRunning, StatusRemoving},
	StatusExited:     {StatusConfigured, StatusCreated, StatusRunning, StatusRemoving},
	StatusRemoving:   {},
}

// CanTransition reports whether a container may move from one status to
// another.
func CanTransition(from, to ContainerStatus) bool {
	if from == to {
		return true
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// CheckTransition returns a wrapped ErrCtrStateInvalid naming the container
// when the move is not allowed.
func CheckTransition(id string, from, to ContainerStatus) error {
	if CanTransition(from, to) {
		return nil
	}
	return fmt.Errorf("container %s is %s, cannot become %s: %w", ShortID(id), from, to, ErrCtrStateInvalid)
}

// ShortID returns the 12-character form of an ID.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
