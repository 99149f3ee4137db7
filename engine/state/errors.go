package state

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// Both backends build their errors here so that the CLI prints the same
// messages whichever store is in use (the conformance suite checks them).

func errNoSuchID(id string) error {
	return fmt.Errorf("no container with ID %q found: %w", id, define.ErrNoSuchCtr)
}

func errNoSuchNameOrID(nameOrID string) error {
	return fmt.Errorf("no container with name or ID %q found: %w", nameOrID, define.ErrNoSuchCtr)
}

// errNameInUse mirrors podman's message, which users grep for in scripts.
func errNameInUse(name, ownerID string) error {
	return fmt.Errorf("the container name %q is already in use by %s. You have to remove that container to be able to reuse that name: %w",
		name, ownerID, define.ErrNameInUse)
}

func errCtrExists(id string) error {
	return fmt.Errorf("container ID %s: %w", id, define.ErrCtrExists)
}

// errNoDependency refuses a container that needs one that does not exist.
func errNoDependency(id, dep string) error {
	return fmt.Errorf("container %s depends on container %s: %w", id, dep, define.ErrNoSuchCtr)
}

// errHasDependents refuses to remove a container others depend on, in
// podman's words.
func errHasDependents(id string, deps []string) error {
	return fmt.Errorf("container %s has dependent containers which must be removed before it: %s: %w", id, strings.Join(deps, ", "), define.ErrCtrExists)
}

func errAmbiguous(prefix string, n int) error {
	return fmt.Errorf("%d containers match %q: %w", n, prefix, define.ErrAmbiguous)
}

// checkNewContainer validates the arguments of AddContainer.
func checkNewContainer(cfg *define.ContainerConfig) error {
	if cfg == nil {
		return fmt.Errorf("add container: nil config: %w", define.ErrInvalidArg)
	}
	if cfg.ID == "" || cfg.Name == "" {
		return fmt.Errorf("add container: ID and name must be set: %w", define.ErrInvalidArg)
	}
	return nil
}

// prefixUpper returns the smallest string greater than every string that
// starts with p, for a range scan on the primary key. ok is false when no
// such bound exists (p ends in 0xff bytes only).
func prefixUpper(p string) (upper string, ok bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// encodeJSON marshals v; nil pointers become SQL NULL-friendly "null".
func encodeJSON(what string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", what, err)
	}
	return b, nil
}

func errNoSuchVolume(name string) error {
	return fmt.Errorf("no volume with name %q found: %w", name, define.ErrNoSuchVolume)
}

func errVolumeExists(name string) error {
	return fmt.Errorf("volume with name %s already exists: %w", name, define.ErrVolumeExists)
}

// errVolumeInUse names the users, as podman does ("volume X is being used
// by the following container(s): ...").
func errVolumeInUse(name string, users []string) error {
	return fmt.Errorf("volume %s is being used by the following container(s): %s: %w",
		name, strings.Join(users, ", "), define.ErrVolumeBeingUsed)
}

// resolveVolumeLookup picks the one volume whose name starts with prefix.
func resolveVolumeLookup(prefix string, matches []string) (string, error) {
	switch len(matches) {
	case 0:
		return "", errNoSuchVolume(prefix)
	case 1:
		return matches[0], nil
	}
	return "", fmt.Errorf("%d volumes match %q: %w", len(matches), prefix, define.ErrAmbiguous)
}

// checkNewVolume validates the arguments of AddVolume.
func checkNewVolume(cfg *define.VolumeConfig) error {
	if cfg == nil || cfg.Name == "" {
		return fmt.Errorf("add volume: a name must be set: %w", define.ErrInvalidArg)
	}
	return nil
}

// volumeNames lists the distinct volumes a container mounts.
func volumeNames(cfg *define.ContainerConfig) []string {
	var out []string
	for _, v := range cfg.Volumes {
		if !slices.Contains(out, v.Name) {
			out = append(out, v.Name)
		}
	}
	return out
}

func errNoSuchPod(nameOrID string) error {
	return fmt.Errorf("no pod with name or ID %s found: %w", nameOrID, define.ErrNoSuchPod)
}

// errPodNameInUse mirrors podman's message for a taken pod name.
func errPodNameInUse(name string) error {
	return fmt.Errorf("adding pod to state: name %q is in use: %w", name, define.ErrNameInUse)
}

func errPodHasMembers(id string, ctrs []string) error {
	return fmt.Errorf("pod %s still has containers %s: %w", id, strings.Join(ctrs, ", "), define.ErrCtrExists)
}

func errAmbiguousPod(prefix string, n int) error {
	return fmt.Errorf("%d pods match %q: %w", n, prefix, define.ErrAmbiguous)
}

// checkNewPod validates the argument of AddPod.
func checkNewPod(cfg *define.PodConfig) error {
	if cfg == nil || cfg.ID == "" || cfg.Name == "" {
		return fmt.Errorf("add pod: ID and name must be set: %w", define.ErrInvalidArg)
	}
	return nil
}
