package engine

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/engine/define"
)

// CloneContainer makes a new container like src, as podman's container
// clone does: the same image or rootfs, command and settings, a new ID
// and the name name. It goes into pod (a name or ID), else src's pod if
// any. Anonymous volumes are made anew; named volumes and bind mounts are
// shared. An infra container is refused (pod clone copies those).
func (r *Runtime) CloneContainer(ctx context.Context, src *Container, name, pod string) (*Container, error) {
	if src.config.IsInfra {
		return nil, fmt.Errorf("container %s is the infra container of pod %s and cannot be cloned: %w", src.config.Name, src.config.Pod, define.ErrInvalidArg)
	}
	var podCfg define.PodConfig
	if src.config.Pod != "" {
		pc, err := r.state.Pod(src.config.Pod)
		if err != nil {
			return nil, err
		}
		podCfg = *pc
	}
	spec, opt, err := r.cloneContainer(src, name, &podCfg, map[string]string{})
	if err != nil {
		return nil, err
	}
	opts := []CtrOption{opt}
	if pod == "" {
		pod = src.config.Pod
	}
	if pod != "" {
		opts = append(opts, WithPod(pod))
	}
	return r.newContainer(ctx, spec, opts, nil, true)
}
