package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ClonePod makes a new pod with src's configuration (labels, shared
// namespaces, cgroup parent and limits, exit policy, hostname unless it
// was src's name), an infra container set up like src's (networks,
// ports, DNS) and a copy of each member: the same image or rootfs,
// command and settings, a new ID, and the name NAME-clone (-clone1...
// when taken), as podman's pod clone does. Anonymous volumes are made
// anew; named volumes and bind mounts are shared. opts come after the
// copied settings (the new name first of all). Nothing is left behind on
// failure.
func (r *Runtime) ClonePod(ctx context.Context, src *Pod, opts ...PodOption) (_ *Pod, retErr error) {
	cfg := src.Config()
	podOpts := []PodOption{
		WithPodLabels(maps.Clone(cfg.Labels)), WithPodShare(slices.Clone(cfg.Share)), WithPodCgroupParent(cfg.CgroupParent),
		WithPodResources(cfg.Memory, cfg.CPUQuota, cfg.CPUPeriod), WithPodCreateCommand(cfg.CreateCommand),
	}
	if cfg.ExitPolicy != "" {
		podOpts = append(podOpts, WithPodExitPolicy(cfg.ExitPolicy))
	}
	if cfg.Hostname != cfg.Name {
		podOpts = append(podOpts, WithPodHostname(cfg.Hostname))
	}
	ctrs, err := src.Containers()
	if err != nil {
		return nil, err
	}
	infra, members := src.split(ctrs)
	// newIDs maps src's containers to their copies, so that a member
	// sharing a namespace with another shares its copy's.
	newIDs := map[string]string{}
	var ic *InfraContainer
	if infra != nil {
		spec, opt, err := r.cloneContainer(infra, "", &cfg, newIDs)
		if err != nil {
			return nil, err
		}
		ic = &InfraContainer{Spec: spec, Options: []CtrOption{opt}, cloned: true}
	}
	pod, err := r.NewPod(ctx, ic, append(podOpts, opts...)...)
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			_ = r.RemovePod(ctx, pod, PodRemoveOptions{Force: true, Volumes: true})
		}
	}()
	if infra != nil {
		// Members joining the pod's user namespace join the copy's
		// (the other namespaces come with the new pod).
		newIDs[infra.ID()] = pod.config.InfraID
	}
	for _, c := range members {
		name, err := CloneName(c.Name(), func(n string) (bool, error) {
			_, err := r.state.LookupContainer(n)
			if errors.Is(err, define.ErrNoSuchCtr) {
				return false, nil
			}
			return err == nil || errors.Is(err, define.ErrAmbiguous), err
		})
		if err != nil {
			return nil, err
		}
		spec, opt, err := r.cloneContainer(c, name, &cfg, newIDs)
		if err != nil {
			return nil, err
		}
		n, err := r.newContainer(ctx, spec, []CtrOption{opt, WithPod(pod.ID())}, nil, true)
		if err != nil {
			return nil, fmt.Errorf("cloning container %s: %w", c.Name(), err)
		}
		newIDs[c.ID()] = n.ID()
	}
	return pod, nil
}

// cloneContainer returns the OCI spec and an option making a new
// container like c, named name (""; a default), outside any pod: the
// caller joins it to the new pod, which then sets the pod-derived fields
// (namespaces of the infra container, cgroup parent, hostname) anew.
func (r *Runtime) cloneContainer(c *Container, name string, pod *define.PodConfig, newIDs map[string]string) (*specs.Spec, CtrOption, error) {
	old := c.Config()
	spec, err := r.state.ContainerSpec(old.ID)
	if err != nil {
		return nil, nil, err
	}
	spec.Hostname = ""
	if spec.Linux != nil {
		spec.Linux.CgroupsPath = ""
	}
	if spec.Process != nil {
		spec.Process.Env = slices.DeleteFunc(slices.Clone(spec.Process.Env), func(e string) bool { return strings.HasPrefix(e, "HOSTNAME=") })
	}
	n := old
	n.Name, n.Pod, n.IsInfra, n.Hostname, n.StaticDir = name, "", false, "", ""
	n.Dependencies, n.VolumesFrom = nil, nil // volumes-from mounts are in the copy already
	if n.CgroupParent == pod.CgroupPath {
		n.CgroupParent = ""
	}
	n.Namespaces = map[string]string{}
	for kind, id := range old.Namespaces {
		if id == pod.InfraID && kind != "user" {
			continue
		}
		if nid, ok := newIDs[id]; ok {
			id = nid
		}
		n.Namespaces[kind] = id
	}
	if target, ok := strings.CutPrefix(old.NetMode, "container:"); ok {
		switch nid, copied := newIDs[target]; {
		case target == pod.InfraID:
			n.NetMode = ""
		case copied:
			n.NetMode = "container:" + nid
		}
	}
	n.Volumes = slices.Clone(old.Volumes)
	for i, v := range n.Volumes {
		rec, err := r.state.Volume(v.Name)
		if err != nil && !errors.Is(err, define.ErrNoSuchVolume) {
			return nil, nil, err
		}
		if rec != nil && rec.Config.Anonymous {
			n.Volumes[i].Name = "" // made anew for the copy
		}
	}
	opt := func(c *define.ContainerConfig) error {
		id, created := c.ID, c.CreatedTime
		*c = n
		c.ID, c.CreatedTime = id, created
		return nil
	}
	return spec, opt, nil
}

// CloneName is podman's name for a copy of name: NAME-clone, else
// NAME-clone1, NAME-clone2... (a NAME-cloneN counts on from N); taken
// tells whether a name is in use.
func CloneName(name string, taken func(string) (bool, error)) (string, error) {
	base, n := name+"-clone", 0
	if i := strings.LastIndex(name, "-clone"); i >= 0 {
		rest := name[i+len("-clone"):]
		if k, err := strconv.Atoi(rest); rest == "" || err == nil {
			base, n = name[:i+len("-clone")], k
		}
	}
	cand := base
	if base != name+"-clone" {
		// name is a copy already: number the next one.
		n++
		cand = base + strconv.Itoa(n)
	}
	for i := 0; i < 1000; i++ {
		used, err := taken(cand)
		if err != nil && !used {
			return "", err
		}
		if !used {
			return cand, nil
		}
		n++
		cand = base + strconv.Itoa(n)
	}
	return "", fmt.Errorf("no free name found for a copy of %s", name)
}
