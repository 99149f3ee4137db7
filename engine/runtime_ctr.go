package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/fault"
	"github.com/berth-dev/berth/internal/idgen"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// NewContainer persists a new container in the Configured state: its
// record in the database and its rootfs in storage. Nothing is left behind
// on failure. The spec is taken as spec/generate made it, hostname,
// $HOSTNAME and cgroup path included (WithID gives the ID it used).
func (r *Runtime) NewContainer(ctx context.Context, spec *specs.Spec, opts ...CtrOption) (*Container, error) {
	return r.newContainer(ctx, spec, opts, nil, false)
}

// newContainer is NewContainer. A container joining a pod (WithPod) is
// created under the pod's lock, so that it never joins a pod being
// removed or one whose infra container is not recorded yet; heldPod is
// the pod whose lock the caller already holds (or nil). cloned is true
// for a spec ClonePod copied from another container, stripped of the
// hostname, $HOSTNAME and cgroup path, which are derived here anew
// (derivePlacement), and given the pod's volumes (inheritPodVolumes,
// applyVolumesFrom); spec/generate does all that for a new container.
func (r *Runtime) newContainer(ctx context.Context, spec *specs.Spec, opts []CtrOption, heldPod *Pod, cloned bool) (_ *Container, retErr error) {
	if spec == nil {
		return nil, fmt.Errorf("container needs an OCI spec: %w", define.ErrInvalidArg)
	}
	cfg := &define.ContainerConfig{
		ID:          idgen.NewID(),
		CreatedTime: time.Now(),
		StopSignal:  15,
		StopTimeout: 10,
	}
	for _, o := range opts {
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.CgroupsMode != "" && cfg.CgroupParent != "" {
		return nil, fmt.Errorf("--cgroups=%s conflicts with --cgroup-parent: %w", cfg.CgroupsMode, define.ErrInvalidArg)
	}
	if cfg.Pod != "" && !cfg.IsInfra {
		pod := heldPod
		if pod == nil {
			p, err := r.LookupPod(cfg.Pod)
			if err != nil {
				return nil, err
			}
			if err := p.lock.Lock(); err != nil {
				return nil, err
			}
			defer p.lock.Unlock()
			// Re-read under the lock: the infra ID is set under it.
			if p.config, err = r.state.Pod(p.config.ID); err != nil {
				return nil, err
			}
			pod = p
		}
		if err := withPodMember(pod.config, false)(cfg); err != nil {
			return nil, err
		}
		if err := r.checkInitContainer(cfg, pod); err != nil {
			return nil, err
		}
		if cloned {
			if err := r.inheritPodVolumes(pod.config, cfg); err != nil {
				return nil, err
			}
		}
		if cfg.Namespaces["uts"] != "" && spec.Hostname != "" {
			return nil, fmt.Errorf("invalid config provided: cannot set hostname when joining the pod UTS namespace: %w", define.ErrInvalidArg)
		}
	}
	if cfg.Pod == "" {
		if err := r.checkInitContainer(cfg, nil); err != nil {
			return nil, err
		}
	}
	if cfg.ImageID == "" && cfg.Rootfs == "" {
		return nil, fmt.Errorf("container needs an image or a rootfs: %w", define.ErrInvalidArg)
	}
	if err := r.resolveSecrets(cfg); err != nil {
		return nil, err
	}
	if err := r.resolveImageMounts(cfg); err != nil {
		return nil, err
	}
	if cfg.OCIRuntime == "" {
		cfg.OCIRuntime = r.DefaultOCIRuntime()
	}
	ocirt, err := r.ociRuntimeFor(cfg.OCIRuntime)
	if err != nil {
		return nil, err
	}
	if err := checkRuntimeFeatures(ctx, ocirt, spec); err != nil {
		return nil, err
	}
	if cfg.CgroupsMode == "disabled" && !supportsNoCgroups(cfg.OCIRuntime) {
		// podman's words; runc always makes a cgroup.
		return nil, fmt.Errorf("requested OCI runtime %s is not compatible with NoCgroups: %w", cfg.OCIRuntime, define.ErrInvalidArg)
	}
	if err := r.prepareNetworkConfig(cfg); err != nil {
		return nil, err
	}
	if err := r.setDependencies(cfg); err != nil {
		return nil, err
	}
	if err := r.checkIPCJoinable(cfg); err != nil {
		return nil, err
	}
	if cfg.Name == "" {
		name, err := r.freeName()
		if err != nil {
			return nil, err
		}
		cfg.Name = name
	}
	if cloned {
		if err := r.derivePlacement(cfg, spec); err != nil {
			return nil, err
		}
	}
	cfg.StaticDir = r.cfg.staticDir() + "/" + cfg.ID

	if cloned {
		if err := r.applyVolumesFrom(cfg, spec); err != nil {
			return nil, err
		}
	}
	undoVolumes, err := r.prepareVolumes(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			undoVolumes()
		}
	}()
	st := &define.ContainerState{Status: define.StatusConfigured, Networks: maps.Clone(cfg.NetworkOptions)}
	if err := r.state.AddContainer(cfg, spec, st); err != nil {
		return nil, err
	}
	fault.At("create", 0, 0)
	defer func() {
		if retErr != nil {
			_ = r.state.RemoveContainer(cfg.ID)
		}
	}()
	undoUserNS, err := r.reserveUserNS(cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		if retErr != nil {
			undoUserNS()
		}
	}()
	// The rootfs is created on first start (see container_rootfs.go), and
	// so is StaticDir (for the log): a new inode costs more than the rest of
	// a create on a journal-less ext4 that scans recently deleted inodes.
	l, err := r.locks.Retrieve(cfg.ID)
	if err != nil {
		return nil, err
	}
	c := &Container{config: cfg, state: st, lock: l, runtime: r, valid: true}
	r.event(c.newEvent("create"))
	return c, nil
}

// setDependencies records, by full ID, the containers cfg requires
// (--requires, given as names in cfg.Dependencies) and those whose
// namespaces it joins: rm refuses to remove them first, start starts them
// first, and the store refuses the create if one has gone meanwhile.
func (r *Runtime) setDependencies(cfg *define.ContainerConfig) error {
	required := cfg.Dependencies
	cfg.Dependencies = nil
	for _, ref := range required {
		id, err := r.state.LookupContainer(ref)
		if err != nil {
			return fmt.Errorf("container %s required by --requires: %w", ref, err)
		}
		if !slices.Contains(cfg.Dependencies, id) {
			cfg.Dependencies = append(cfg.Dependencies, id)
		}
	}
	for kind, ref := range cfg.Namespaces {
		id, err := r.state.LookupContainer(ref)
		if err != nil {
			return fmt.Errorf("joining the %s namespace of container %s: %w", kind, ref, err)
		}
		cfg.Namespaces[kind] = id
		if !slices.Contains(cfg.Dependencies, id) {
			cfg.Dependencies = append(cfg.Dependencies, id)
		}
	}
	slices.Sort(cfg.Dependencies)
	return nil
}

// derivePlacement sets what ClonePod's copied spec was stripped of, the
// way spec/generate sets it for a new one: the hostname (the pod's for an
// infra container sharing UTS, the owner's in a joined UTS namespace, the
// host's without one, else the short ID unless on the host's network),
// $HOSTNAME, and the cgroup path under the (pod's) cgroup parent.
func (r *Runtime) derivePlacement(cfg *define.ContainerConfig, spec *specs.Spec) error {
	if cfg.IsInfra && spec.Hostname == "" {
		spec.Hostname = cfg.Hostname
	}
	if err := r.utsHostname(cfg, spec); err != nil {
		return err
	}
	if spec.Hostname == "" && cfg.Namespaces["uts"] == "" && hasOwnUTS(spec) && cfg.NetMode != "host" {
		spec.Hostname = cfg.ID[:12]
	}
	if cfg.Hostname == "" {
		cfg.Hostname = spec.Hostname
	}
	if spec.Process != nil && cfg.Hostname != "" && !hasEnv(spec.Process.Env, "HOSTNAME") {
		spec.Process.Env = append(spec.Process.Env, "HOSTNAME="+cfg.Hostname)
	}
	if spec.Linux != nil && spec.Linux.CgroupsPath == "" && !r.cfg.noCgroups() {
		switch cfg.CgroupsMode {
		case "disabled":
		case "split":
			spec.Linux.CgroupsPath = SplitCgroupsPath(cfg.ID)
		default:
			parent := cfg.CgroupParent
			if parent == "" {
				parent = r.cfg.DefaultCgroupParent()
			}
			spec.Linux.CgroupsPath = CgroupsPath(r.cfg.CgroupManager, parent, cfg.ID)
		}
	}
	return nil
}

// CgroupsPath places a container under its cgroup parent: a slice for
// the systemd manager, a plain path for cgroupfs.
func CgroupsPath(manager, parent, id string) string {
	if manager == "systemd" {
		if parent == "" {
			parent = "machine.slice"
		}
		return parent + ":berth:" + id
	}
	if parent == "" {
		parent = "/berth"
	}
	return path.Join("/", parent, "berth-"+id)
}

// SplitCgroupsPath is the cgroup of a --cgroups=split container: a
// relative path, which the runtime resolves against its own cgroup in
// each hierarchy. Conmon starts the runtime and stays in the cgroup of
// the berth process that started it (a systemd unit's, say), so the
// container lands right below the caller, as podman's libpod-payload-ID.
func SplitCgroupsPath(id string) string { return "berth-payload-" + id }

// supportsNoCgroups reports whether an OCI runtime can run a container
// without any cgroup (crun's --cgroup-manager=disabled; runc always makes
// one), as containers.conf's default runtime_supports_nocgroups says.
func supportsNoCgroups(runtime string) bool {
	switch path.Base(runtime) {
	case "crun", "krun":
		return true
	}
	return false
}

// freeName picks a random name no container has.
func (r *Runtime) freeName() (string, error) {
	for i := 0; i < 100; i++ {
		n := idgen.NewName()
		if _, err := r.state.LookupContainer(n); errors.Is(err, define.ErrNoSuchCtr) {
			return n, nil
		} else if err != nil && !errors.Is(err, define.ErrAmbiguous) {
			return "", err
		}
	}
	return "", fmt.Errorf("no free random container name found")
}

// LookupContainer finds a container by full ID, name or unique ID prefix.
func (r *Runtime) LookupContainer(nameOrID string) (*Container, error) {
	id, err := r.state.LookupContainer(nameOrID)
	if err != nil {
		return nil, err
	}
	return r.containerByID(id)
}

func (r *Runtime) containerByID(id string) (*Container, error) {
	rec, err := r.state.Container(id)
	if err != nil {
		return nil, err
	}
	l, err := r.locks.Retrieve(id)
	if err != nil {
		return nil, err
	}
	return &Container{config: rec.Config, state: rec.State, lock: l, runtime: r, valid: true}, nil
}

// ContainerExists reports whether a container with this name or ID exists.
func (r *Runtime) ContainerExists(nameOrID string) (bool, error) {
	_, err := r.state.LookupContainer(nameOrID)
	if errors.Is(err, define.ErrNoSuchCtr) {
		return false, nil
	}
	return err == nil, err
}

// Containers returns a snapshot of every container, without locking (the
// states may be slightly stale, as for `ps`). Containers whose process has
// exited since the last command are reported as stopped using their exit
// files, so listing never shows a dead container as running.
func (r *Runtime) Containers() ([]*Container, error) {
	return r.snapshot(r.state.Containers())
}

// ContainersUsingImage returns the IDs of containers made from an image
// or mounting it (--mount type=image).
func (r *Runtime) ContainersUsingImage(imageID string) ([]string, error) {
	ids, err := r.state.ContainersUsingImage(imageID)
	if err != nil {
		return nil, err
	}
	more, err := r.imageMountUsers(imageID)
	if err != nil {
		return nil, err
	}
	for _, id := range more {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
