package service

import (
	"fmt"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// PodMember is one container of a pod, with its pod.
type PodMember struct {
	Pod *engine.Pod
	Ctr *engine.Container
}

// PodStatsMembers returns the running members (infra included) of the
// named pods, of the newest pod with latest, or of every pod when neither
// names nor latest are given (podman's `pod stats`).
func PodStatsMembers(rt *engine.Runtime, names []string, all, latest bool) ([]PodMember, error) {
	n := 0
	for _, set := range []bool{len(names) > 0, all, latest} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("--all, --latest and arguments cannot be used together: %w", define.ErrInvalidArg)
	}
	if err := rt.CheckCgroups("stats"); err != nil {
		return nil, err
	}
	var pods []*engine.Pod
	if len(names) > 0 {
		for _, name := range names {
			p, err := rt.LookupPod(name)
			if err != nil {
				return nil, fmt.Errorf("unable to get list of pods: %w", err)
			}
			pods = append(pods, p)
		}
	} else {
		var err error
		if pods, _, err = ResolvePods(rt, nil, !latest, latest); err != nil {
			return nil, fmt.Errorf("unable to get list of pods: %w", err)
		}
	}
	var out []PodMember
	for _, p := range pods {
		ctrs, err := p.Containers()
		if err != nil {
			return nil, err
		}
		for _, c := range ctrs {
			if s := c.CachedState().Status; s == define.StatusRunning || s == define.StatusPaused {
				out = append(out, PodMember{Pod: p, Ctr: c})
			}
		}
	}
	return out, nil
}
