package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
	"github.com/berth-dev/berth/spec"
	"github.com/berth-dev/berth/spec/generate"
)

// CreateOptions are the service-level choices of create/run that are not
// part of the container itself.
type CreateOptions struct {
	// Pull is the pull policy: "missing" (default), "never", "always",
	// "newer".
	Pull string
	// Registry holds the credentials, TLS settings and platform for a
	// pull.
	Registry image.RegistryOptions
	// PullWriter receives the pull progress; nil is quiet.
	PullWriter io.Writer
	// Host overrides the host facts (tests, API); nil uses the local host.
	Host *generate.Host
	// Warnings receives, one a line, what the host cannot honour (a
	// dropped swap limit); nil is quiet.
	Warnings io.Writer
	// MaxRetries and RetryDelay are a pull's retries (--retry, default 3
	// in the CLI; 0 none) and the pause between them (0: 1s, doubling).
	MaxRetries uint
	RetryDelay time.Duration
}

// Create makes a new container from s: resolves the image, generates the
// OCI spec and persists the container (Configured).
func Create(ctx context.Context, rt *engine.Runtime, s *spec.ContainerSpec, opts CreateOptions) (*engine.Container, error) {
	if err := image.ValidPullPolicy(opts.Pull); err != nil {
		return nil, err
	}
	var img *define.Image
	if s.Rootfs == "" {
		if s.Image == "" {
			return nil, fmt.Errorf("an image name or --rootfs is required: %w", define.ErrInvalidArg)
		}
		var release func()
		var err error
		if img, release, err = imageForCreate(ctx, rt, s.Image, opts); err != nil {
			return nil, err
		}
		// Until the container is in the database, no rmi or prune may
		// delete its image.
		defer release()
		if image.IsManifestListType(img.ManifestType) {
			return nil, fmt.Errorf("%s is a manifest list: run one of its images, or pull it to get the one for this platform: %w", s.Image, define.ErrInvalidArg)
		}
	}
	host := createHost(rt, opts)
	if s.CreateCommand == nil {
		s.CreateCommand = os.Args
	}
	var newPod *engine.Pod
	if name := PodNewName(s.Pod); name != "" || s.Pod == "new:" {
		pod, err := newPodFor(ctx, rt, s, name, opts)
		if err != nil {
			return nil, err
		}
		newPod = pod
	}
	c, err := newContainer(ctx, rt, s, img, host)
	if err != nil && newPod != nil {
		_ = rt.RemovePod(ctx, newPod, engine.PodRemoveOptions{Force: true})
	}
	return c, err
}

// newContainer places, generates and records the container.
func newContainer(ctx context.Context, rt *engine.Runtime, s *spec.ContainerSpec, img *define.Image, host generate.Host) (*engine.Container, error) {
	if err := resolveLinks(rt, s); err != nil {
		return nil, err
	}
	place, err := placement(rt, s)
	if err != nil {
		return nil, err
	}
	ociSpec, ctrOpts, err := generate.Container(s, img, host, place)
	if err != nil {
		return nil, err
	}
	if img != nil {
		// Record the image by its full name, as podman's ps shows it.
		ctrOpts = append(ctrOpts, engine.WithImage(img.ID, imageName(img, s.Image)))
	}
	return rt.NewContainer(ctx, ociSpec, ctrOpts...)
}

// newPodFor makes the pod of `--pod new:NAME`: the container's published
// ports and networks move to the pod's infra container (a member cannot
// have its own), as podman does, and the container joins it.
func newPodFor(ctx context.Context, rt *engine.Runtime, s *spec.ContainerSpec, name string, opts CreateOptions) (*engine.Pod, error) {
	if name == "" {
		return nil, fmt.Errorf("--pod new: needs a pod name: %w", define.ErrInvalidArg)
	}
	ps := &spec.PodSpec{
		Name: name, Infra: true, CreateCommand: s.CreateCommand,
		Network: s.Network, Ports: s.Ports, NetworkAlias: s.NetworkAlias, IP: s.IP, MacAddress: s.MacAddress,
		DNS: s.DNS, DNSSearch: s.DNSSearch, DNSOption: s.DNSOption, AddHost: s.AddHost, NoHosts: s.NoHosts,
	}
	pod, err := PodCreate(ctx, rt, ps, PodCreateOptions{Create: opts})
	if err != nil {
		return nil, err
	}
	s.Network, s.Ports, s.NetworkAlias, s.IP, s.MacAddress = nil, nil, nil, "", ""
	s.DNS, s.DNSSearch, s.DNSOption, s.AddHost, s.NoHosts = nil, nil, nil, nil, false
	s.Pod = pod.ID()
	return pod, nil
}

// placement looks up what the new container takes from its pod, from
// the owner of a UTS namespace it joins and from the containers whose
// volumes it mounts. A pod or UTS owner that does not resolve is left for
// the engine to report.
func placement(rt *engine.Runtime, s *spec.ContainerSpec) (generate.Placement, error) {
	var p generate.Placement
	hostnameOf := func(ref string) string {
		if c, err := rt.LookupContainer(ref); err == nil {
			return c.Config().Hostname
		}
		return ""
	}
	for _, ref := range s.VolumesFrom {
		name, _, _ := strings.Cut(ref, ":")
		src, err := volumesFromSource(rt, name, ref)
		if err != nil {
			return p, fmt.Errorf("--volumes-from %q: %w", ref, err)
		}
		p.VolumesFrom = append(p.VolumesFrom, src)
	}
	if s.Pod != "" {
		if pod, err := rt.LookupPod(s.Pod); err == nil {
			cfg := pod.Config()
			p.Pod = &generate.PodPlacement{
				CgroupPath: cfg.CgroupPath, Hostname: cfg.Hostname,
				SharesUTS: cfg.Shares("uts"), SharesIPC: cfg.Shares("ipc"), HasInfra: cfg.InfraID != "",
			}
			if p.Pod.HasInfra && p.Pod.SharesUTS {
				p.UTSHostname = hostnameOf(cfg.InfraID)
			}
			if err := podUserNS(rt, cfg.InfraID, p.Pod); err != nil {
				return p, err
			}
			if err := podVolumes(rt, cfg.InfraID, &p); err != nil {
				return p, err
			}
		}
	}
	if ref, ok := strings.CutPrefix(s.UTS, "container:"); ok {
		p.UTSHostname = hostnameOf(ref)
	}
	return p, nil
}

// podUserNS fills in the user namespace of a pod's infra container (pod
// create --userns) for its members, who join it.
func podUserNS(rt *engine.Runtime, infraID string, pp *generate.PodPlacement) error {
	if infraID == "" {
		return nil
	}
	infra, err := rt.LookupContainer(infraID)
	if err != nil {
		return nil // the engine reports the pod's state
	}
	cfg := infra.Config()
	if cfg.UserNS == nil || cfg.UserNS.Mode == "" {
		return nil
	}
	pp.InfraUserNS, pp.InfraUser = infraID, cfg.User
	return nil
}

// volumesFromSource reads the volumes and user bind mounts of container
// name, recorded as ref.
func volumesFromSource(rt *engine.Runtime, name, ref string) (generate.VolumesFromSource, error) {
	c, err := rt.LookupContainer(name)
	if err != nil {
		return generate.VolumesFromSource{}, err
	}
	cfg := c.Config()
	sp, err := c.Spec()
	if err != nil {
		return generate.VolumesFromSource{}, err
	}
	src := generate.VolumesFromSource{Ref: ref, Volumes: cfg.Volumes}
	for _, m := range sp.Mounts {
		if m.Type == "bind" && slices.Contains(cfg.UserVolumes, m.Destination) {
			src.Binds = append(src.Binds, m)
		}
	}
	return src, nil
}

// podVolumes gives a member the pod's volumes and bind mounts (pod create
// -v/--volumes-from, held by the infra container), as podman does,
// unless it names the infra container in --volumes-from itself.
func podVolumes(rt *engine.Runtime, infraID string, p *generate.Placement) error {
	if infraID == "" {
		return nil
	}
	infra, err := rt.LookupContainer(infraID)
	if err != nil {
		return nil // the engine reports the pod's state
	}
	if cfg := infra.Config(); len(cfg.UserVolumes) == 0 && len(cfg.Volumes) == 0 {
		return nil
	}
	for _, src := range p.VolumesFrom {
		name, _, _ := strings.Cut(src.Ref, ":")
		if c, err := rt.LookupContainer(name); err == nil && c.ID() == infraID {
			return nil
		}
	}
	src, err := volumesFromSource(rt, infraID, infraID)
	if err != nil {
		return err
	}
	p.VolumesFrom = append(p.VolumesFrom, src)
	return nil
}

// imageForCreate finds the container's image under the pull policy and
// returns it with the image hold (Runtime.HoldImages) to release once the
// container is created. The common case, policy missing with the image
// present, costs one flock and one local lookup and never touches a
// registry. A pull runs without the hold (it would keep rmi waiting for
// its whole download); the pulled image is looked up again under it.
func imageForCreate(ctx context.Context, rt *engine.Runtime, name string, opts CreateOptions) (_ *define.Image, release func(), retErr error) {
	policy := opts.Pull
	if policy == "" {
		policy = image.PullMissing
	}
	ro := opts.Registry
	platform := ro.OS != "" || ro.Arch != "" || ro.Variant != ""
	images, err := rt.Images()
	if err != nil {
		return nil, nil, err
	}
	held := func() {}
	hold := func() error {
		r, err := rt.HoldImages()
		if err == nil {
			held = r
		}
		return err
	}
	unhold := func() { held(); held = func() {} }
	defer func() {
		if retErr != nil {
			unhold()
		}
	}()
	if err := hold(); err != nil {
		return nil, nil, err
	}
	if policy == image.PullMissing || policy == image.PullNever {
		img, err := images.LookupForContainer(name)
		if err == nil && (!platform || policy == image.PullNever) {
			return img, unhold, nil
		}
		if err != nil && (policy == image.PullNever || !errors.Is(err, define.ErrNoSuchImage)) {
			return nil, nil, err
		}
	}
	unhold()
	po := image.PullOptions{RegistryOptions: ro, Policy: policy, ReportWriter: opts.PullWriter, RetryDelay: opts.RetryDelay, RetryWarn: opts.Warnings, MaxRetries: opts.MaxRetries}
	pulled, err := rt.PullImage(ctx, name, po)
	if err != nil {
		return nil, nil, err
	}
	if err := hold(); err != nil {
		return nil, nil, err
	}
	img, err := images.LookupForContainer(pulled[0].ID)
	if err != nil {
		return nil, nil, fmt.Errorf("image %s was removed right after its pull: %w", name, err)
	}
	return img, unhold, nil
}

// imageName picks the image's name the user meant: the stored name that
// the typed reference resolves to, else the first name, else what was
// typed (an ID).
func imageName(img *define.Image, typed string) string {
	for _, n := range img.Names {
		if n == typed || strings.HasSuffix(n, "/"+typed) || strings.HasSuffix(n, "/"+typed+":latest") {
			return n
		}
	}
	if len(img.Names) > 0 && !strings.HasPrefix(img.ID, strings.TrimPrefix(typed, "sha256:")) {
		return img.Names[0]
	}
	return typed
}
