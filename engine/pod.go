package engine

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/lock"
	"github.com/berth-dev/berth/internal/idgen"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Pod is a handle on a group of containers sharing namespaces (those of
// its infra container) and a cgroup. Its config is immutable once the
// infra container exists; its status is derived from its members'.
type Pod struct {
	config  *define.PodConfig
	lock    lock.Locker
	runtime *Runtime
}

// ID returns the pod's full ID.
func (p *Pod) ID() string { return p.config.ID }

// Name returns the pod's name.
func (p *Pod) Name() string { return p.config.Name }

// Config returns a copy of the pod's configuration.
func (p *Pod) Config() define.PodConfig { return *p.config }

// PodOption configures a new pod before it is persisted.
type PodOption func(*define.PodConfig) error

// WithPodID gives the pod the ID its creator chose (its infra
// container's cgroup is named after it); without it NewPod picks one.
func WithPodID(id string) PodOption {
	return func(p *define.PodConfig) error {
		if !idgen.IsID(id) {
			return fmt.Errorf("pod ID %q: must be 64 lowercase hex digits: %w", id, define.ErrInvalidArg)
		}
		p.ID = id
		return nil
	}
}

// WithPodName names the pod (a random name otherwise).
func WithPodName(name string) PodOption {
	return func(p *define.PodConfig) error {
		if name != "" {
			if err := ValidateName(name); err != nil {
				return err
			}
		}
		p.Name = name
		return nil
	}
}

// WithPodLabels sets the pod's labels.
func WithPodLabels(l map[string]string) PodOption {
	return func(p *define.PodConfig) error { p.Labels = l; return nil }
}

// WithPodHostname sets the hostname members sharing the UTS namespace see.
func WithPodHostname(h string) PodOption {
	return func(p *define.PodConfig) error { p.Hostname = h; return nil }
}

// WithPodShare sets the namespace kinds the members join.
func WithPodShare(kinds []string) PodOption {
	return func(p *define.PodConfig) error { p.Share = kinds; return nil }
}

// WithPodExitPolicy sets what happens when the last member exits.
func WithPodExitPolicy(policy string) PodOption {
	return func(p *define.PodConfig) error {
		switch policy {
		case "", define.PodExitPolicyContinue, define.PodExitPolicyStop:
			p.ExitPolicy = policy
			return nil
		}
		return fmt.Errorf("invalid pod exit policy: %q: %w", policy, define.ErrInvalidArg)
	}
}

// WithPodCgroupParent sets the cgroup the pod's own cgroup is made under.
func WithPodCgroupParent(parent string) PodOption {
	return func(p *define.PodConfig) error { p.CgroupParent = parent; return nil }
}

// WithPodResources limits the pod's cgroup as a whole: memory in bytes,
// CPU as a CFS quota per period (0: no limit).
func WithPodResources(memory, cpuQuota int64, cpuPeriod uint64) PodOption {
	return func(p *define.PodConfig) error {
		p.Memory, p.CPUQuota, p.CPUPeriod = memory, cpuQuota, cpuPeriod
		return nil
	}
}

// WithPodCreateCommand records the command line that created the pod.
func WithPodCreateCommand(argv []string) PodOption {
	return func(p *define.PodConfig) error { p.CreateCommand = argv; return nil }
}

// WithPodInfraConmonPidFile has every start write the infra container's
// conmon PID to path.
func WithPodInfraConmonPidFile(path string) PodOption {
	return func(p *define.PodConfig) error { p.InfraConmonPidFile = path; return nil }
}

// InfraContainer is what NewPod needs to create a pod's infra container:
// its OCI spec and options, made by spec/generate.
type InfraContainer struct {
	Spec    *specs.Spec
	Options []CtrOption
	// cloned marks a spec copied by ClonePod, whose hostname and cgroup
	// NewPod derives anew (see newContainer).
	cloned bool
}

// NewPod persists a new pod and, unless infra is nil, its infra container.
// Nothing is left behind on failure.
func (r *Runtime) NewPod(ctx context.Context, infra *InfraContainer, opts ...PodOption) (_ *Pod, retErr error) {
	cfg := &define.PodConfig{ID: idgen.NewID(), CreatedTime: time.Now(), ExitPolicy: define.PodExitPolicyContinue}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	if infra == nil && len(cfg.Share) > 0 {
		return nil, fmt.Errorf("cannot share namespaces (%s) without an infra container: %w", strings.Join(cfg.Share, ","), define.ErrInvalidArg)
	}
	if (cfg.Memory > 0 || cfg.CPUQuota > 0) && r.cfg.CgroupManager == "systemd" {
		return nil, fmt.Errorf("pod resource limits need the cgroupfs cgroup manager: %w", define.ErrNotImplemented)
	}
	if cfg.Name == "" {
		name, err := r.freePodName()
		if err != nil {
			return nil, err
		}
		cfg.Name = name
	}
	if cfg.Hostname == "" {
		cfg.Hostname = cfg.Name
	}
	parent := cfg.CgroupParent
	if parent == "" {
		parent = r.cfg.DefaultCgroupParent()
	}
	cfg.CgroupPath = PodCgroupPath(r.cfg.CgroupManager, parent, cfg.ID)
	l, err := r.locks.Retrieve(cfg.ID)
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			_ = r.locks.Free(cfg.ID)
		}
	}()
	// Held until the infra container is recorded: a member created
	// meanwhile would otherwise join a pod without namespaces.
	if err := l.Lock(); err != nil {
		return nil, err
	}
	defer l.Unlock()
	if err := r.state.AddPod(cfg); err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			_ = r.state.RemovePod(cfg.ID)
		}
	}()
	p := &Pod{config: cfg, lock: l, runtime: r}
	if infra != nil {
		ctrOpts := append(slices.Clip(infra.Options), withPodMember(cfg, true))
		c, err := r.newContainer(ctx, infra.Spec, ctrOpts, nil, infra.cloned)
		if err != nil {
			return nil, fmt.Errorf("creating the infra container of pod %s: %w", cfg.Name, err)
		}
		cfg.InfraID = c.ID()
		if err := r.state.SavePodConfig(cfg); err != nil {
			_ = r.RemoveContainer(ctx, c, RemoveOptions{Force: true, pod: true})
			return nil, err
		}
	}
	r.event(p.newEvent("create"))
	return p, nil
}

// withPodMember joins a new container to pod: it shares the pod's
// namespaces (the infra container's), lives in its cgroup and sees its
// hostname. The infra container itself only takes the cgroup.
func withPodMember(pod *define.PodConfig, infra bool) CtrOption {
	return func(c *define.ContainerConfig) error {
		c.Pod, c.IsInfra = pod.ID, infra
		if c.CgroupParent == "" && c.CgroupsMode == "" {
			c.CgroupParent = pod.CgroupPath
		}
		if infra {
			if c.Name == "" {
				c.Name = pod.ID[:12] + "-infra"
			}
			if c.ConmonPidFile == "" {
				// Written at each start of the infra container, whichever
				// path starts it, as podman's infra --conmon-pidfile is.
				c.ConmonPidFile = pod.InfraConmonPidFile
			}
			if pod.Shares("uts") {
				c.Hostname = pod.Hostname
			}
			return nil
		}
		if pod.InfraID == "" {
			return nil
		}
		for _, kind := range pod.Share {
			if c.Namespaces[kind] != "" {
				continue
			}
			if kind == "net" {
				if c.NetMode != "" || len(c.Ports) > 0 {
					return fmt.Errorf("invalid config provided: networks and ports must be defined when the pod is created: network cannot be configured when it is shared with a pod: %w", define.ErrInvalidArg)
				}
				c.NetMode = "container:" + pod.InfraID
			}
			if c.Namespaces == nil {
				c.Namespaces = map[string]string{}
			}
			c.Namespaces[kind] = pod.InfraID
		}
		if pod.Shares("uts") && c.Hostname == "" {
			c.Hostname = pod.Hostname
		}
		return nil
	}
}

// inheritPodVolumes gives a member the volumes and bind mounts of the
// pod (pod create -v/--volumes-from, held by the infra container), as
// podman does, through --volumes-from of the infra container.
func (r *Runtime) inheritPodVolumes(pod *define.PodConfig, cfg *define.ContainerConfig) error {
	if pod.InfraID == "" {
		return nil
	}
	rec, err := r.state.Container(pod.InfraID)
	if err != nil {
		return err
	}
	if len(rec.Config.UserVolumes) == 0 && len(rec.Config.Volumes) == 0 {
		return nil
	}
	for _, ref := range cfg.VolumesFrom {
		if strings.SplitN(ref, ":", 2)[0] == pod.InfraID {
			return nil
		}
	}
	cfg.VolumesFrom = append(cfg.VolumesFrom, pod.InfraID)
	return nil
}

// PodCgroupPath is a pod's own cgroup, every member's parent, under the
// cgroup manager ("systemd" or cgroupfs) and the pod's cgroup parent.
func PodCgroupPath(manager, parent, id string) string {
	if manager == "systemd" {
		parent := strings.TrimSuffix(parent, ".slice")
		if parent == "" {
			parent = "machine"
		}
		return parent + "-berth_pod_" + id + ".slice"
	}
	if parent == "" {
		parent = "/berth"
	}
	return path.Join("/", parent, "berth-pod-"+id)
}

// FreePodName picks a random name no pod has, for a pod whose infra
// container's hostname (the pod's name) is decided before NewPod.
func (r *Runtime) FreePodName() (string, error) { return r.freePodName() }

// freePodName picks a random name no pod has.
func (r *Runtime) freePodName() (string, error) {
	for i := 0; i < 100; i++ {
		n := idgen.NewName()
		if _, err := r.state.LookupPod(n); errors.Is(err, define.ErrNoSuchPod) {
			return n, nil
		} else if err != nil && !errors.Is(err, define.ErrAmbiguous) {
			return "", err
		}
	}
	return "", fmt.Errorf("no free random pod name found")
}

// LookupPod finds a pod by full ID, name or unique ID prefix.
func (r *Runtime) LookupPod(nameOrID string) (*Pod, error) {
	id, err := r.state.LookupPod(nameOrID)
	if err != nil {
		return nil, err
	}
	return r.podByID(id)
}

func (r *Runtime) podByID(id string) (*Pod, error) {
	cfg, err := r.state.Pod(id)
	if err != nil {
		return nil, err
	}
	l, err := r.locks.Retrieve(id)
	if err != nil {
		return nil, err
	}
	return &Pod{config: cfg, lock: l, runtime: r}, nil
}

// PodExists reports whether a pod with this name or ID exists.
func (r *Runtime) PodExists(nameOrID string) (bool, error) {
	_, err := r.state.LookupPod(nameOrID)
	if errors.Is(err, define.ErrNoSuchPod) {
		return false, nil
	}
	return err == nil, err
}

// Pods returns every pod, oldest first.
func (r *Runtime) Pods() ([]*Pod, error) {
	cfgs, err := r.state.Pods()
	if err != nil {
		return nil, err
	}
	out := make([]*Pod, 0, len(cfgs))
	for _, cfg := range cfgs {
		l, err := r.locks.Retrieve(cfg.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, &Pod{config: cfg, lock: l, runtime: r})
	}
	return out, nil
}

// Containers returns the pod's members (infra included), in creation
// order, as a snapshot (no locks taken).
func (p *Pod) Containers() ([]*Container, error) {
	ids, err := p.runtime.state.PodContainers(p.config.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*Container, 0, len(ids))
	for _, id := range ids {
		c, err := p.runtime.containerByID(id)
		if errors.Is(err, define.ErrNoSuchCtr) {
			continue
		}
		if err != nil {
			return nil, err
		}
		c.peekExit()
		out = append(out, c)
	}
	return out, nil
}

// Status derives the pod's status from its members' (a snapshot).
func (p *Pod) Status() (string, error) {
	ctrs, err := p.Containers()
	if err != nil {
		return define.PodStateErrored, err
	}
	st := make([]define.ContainerStatus, 0, len(ctrs))
	for _, c := range ctrs {
		if c.config.InitContainerType != "" {
			// Exited after its run: not a sign of a degraded pod.
			continue
		}
		st = append(st, c.state.Status)
	}
	return define.PodStatus(st), nil
}

// newEvent is a pod event as podman records it.
func (p *Pod) newEvent(status string) define.Event {
	return define.Event{
		Type: "pod", Status: status, ID: p.config.ID, Name: p.config.Name,
		Time: time.Now(),
	}
}
