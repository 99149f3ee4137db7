package service

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine"
)

// lookupPod finds one pod by name or ID, or the newest with latest.
func lookupPod(rt *engine.Runtime, nameOrID string, latest bool) (*engine.Pod, error) {
	if latest {
		pods, _, err := ResolvePods(rt, nil, false, true)
		if err != nil {
			return nil, err
		}
		return pods[0], nil
	}
	return rt.LookupPod(nameOrID)
}

// PodTop lists the processes of a pod's running members as one table (a
// header row first); descriptors are those of `top`.
func PodTop(ctx context.Context, rt *engine.Runtime, nameOrID string, latest bool, descriptors []string) ([][]string, error) {
	p, err := lookupPod(rt, nameOrID, latest)
	if err != nil {
		// podman's words, "container" included.
		return nil, fmt.Errorf("unable to look up requested container: %w", err)
	}
	return p.Top(ctx, descriptors)
}
