package generate

import (
	"os"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/idgen"
	"github.com/berth-dev/berth/spec"
)

// Placement is where a new container goes, as the caller found it in the
// engine's state before generating: its ID, its pod, and the hostname of
// the container whose UTS namespace it joins. With it Container writes
// the hostname, $HOSTNAME and the cgroup path itself, and the engine
// records the spec as it is.
type Placement struct {
	// ID is the new container's ID ("": Container picks one).
	ID string
	// Pod is what the container takes from its pod; nil outside one.
	Pod *PodPlacement
	// UTSHostname is the hostname in the UTS namespace the container
	// joins (--uts container:X, or its pod's infra container's): the
	// owner's hostname ("": the host's, which a namespace keeps when its
	// owner set none).
	UTSHostname string
	// VolumesFrom are the containers of --volumes-from, in order, then
	// the pod's infra container when it holds the pod's volumes (pod
	// create -v, --volumes-from): every member mounts them, as in podman.
	VolumesFrom []VolumesFromSource
}

// VolumesFromSource is a container whose volumes and bind mounts the new
// one mounts.
type VolumesFromSource struct {
	// Ref is the reference as recorded (--volumes-from's CTR[:MODE], or
	// the infra container's ID).
	Ref string
	// Volumes are the source's volume mounts; Binds its user bind
	// mounts (those of its spec at one of its UserVolumes).
	Volumes []define.VolumeMount
	Binds   []specs.Mount
}

// volumesFrom adds the sources' volumes and bind mounts, as docker and
// podman do: with ":ro" read-only, with ":rw" writable, else as the
// source has them. A destination the new container mounts itself keeps
// its own mount; an image VOLUME's anonymous volume gives way (the
// data-container pattern). U chowned a source for its own container: no
// second chown. It returns the user destinations and volumes grown by
// what it added.
func volumesFrom(g *specs.Spec, s *spec.ContainerSpec, srcs []VolumesFromSource, userDests []string, vols []define.VolumeMount) ([]string, []define.VolumeMount, error) {
	if len(srcs) < len(s.VolumesFrom) {
		return nil, nil, invalid("--volumes-from %q: the container was not looked up", s.VolumesFrom[len(srcs)])
	}
	for _, src := range srcs {
		_, mode, _ := strings.Cut(src.Ref, ":")
		switch mode {
		case "", "ro", "rw", "z", "Z":
		default:
			return nil, nil, invalid("--volumes-from %q: mode must be ro or rw", src.Ref)
		}
		taken := func(dst string) bool {
			return slices.Contains(userDests, dst) || slices.ContainsFunc(vols, func(v define.VolumeMount) bool { return v.Dest == dst && !v.FromImage })
		}
		dropImageVolume := func(dst string) {
			vols = slices.DeleteFunc(vols, func(v define.VolumeMount) bool { return v.Dest == dst && v.FromImage })
		}
		for _, vm := range src.Volumes {
			if taken(vm.Dest) {
				continue
			}
			vm.Options = withMode(vm.Options, mode)
			vm.CreateOptions, vm.FromImage = nil, false
			dropImageVolume(vm.Dest)
			vols = append(vols, vm)
		}
		for _, m := range src.Binds {
			if taken(m.Destination) {
				continue
			}
			m.Options = withMode(m.Options, mode)
			dropImageVolume(m.Destination)
			g.Mounts = append(g.Mounts, m)
			userDests = append(userDests, m.Destination)
		}
	}
	return userDests, vols, nil
}

// withMode drops U from opts and replaces ro/rw by mode ("ro" or "rw");
// any other mode keeps them.
func withMode(opts []string, mode string) []string {
	opts = slices.DeleteFunc(slices.Clone(opts), func(o string) bool { return o == "U" })
	if mode != "ro" && mode != "rw" {
		return opts
	}
	opts = slices.DeleteFunc(opts, func(o string) bool { return o == "ro" || o == "rw" })
	return append(opts, mode)
}

// PodPlacement is what a container takes from its pod.
type PodPlacement struct {
	// CgroupPath is the pod's cgroup, the parent of its containers'
	// (engine.PodCgroupPath).
	CgroupPath string
	// Hostname is the pod's hostname: its infra container's when the pod
	// shares the UTS namespace.
	Hostname string
	// SharesUTS is true when members join the infra container's UTS
	// namespace.
	SharesUTS bool
	// SharesIPC is true when members join the infra container's IPC
	// namespace.
	SharesIPC bool
	// HasInfra is false for a pod without an infra container, whose
	// members join no namespace.
	HasInfra bool
	// Infra is true for the pod's infra container itself.
	Infra bool
	// InfraUserNS is the infra container's ID when it owns a user
	// namespace for the pod (pod create --userns): members join it (and
	// the network namespace the runtime made inside it).
	InfraUserNS string
	// InfraUser is the infra container's user (keep-id's), the default
	// user of a member of a pod with a user namespace.
	InfraUser string
}

// InfraPlacement is the placement of the infra container of a pod about to
// be made with ID podID under the cgroup manager: ps must have its name.
func InfraPlacement(ps *spec.PodSpec, podID string, host Host) (Placement, error) {
	share, err := podShare(ps.Share, host.CgroupV2)
	if err != nil {
		return Placement{}, err
	}
	hostname := ps.Hostname
	if hostname == "" {
		hostname = ps.Name
	}
	return Placement{Pod: &PodPlacement{
		CgroupPath: engine.PodCgroupPath(host.CgroupManager, ps.CgroupParent, podID),
		Hostname:   hostname,
		SharesUTS:  slices.Contains(share, "uts"),
		HasInfra:   true,
		Infra:      true,
	}}, nil
}

// place writes what the container's ID and placement decide: the
// hostname in the spec and the config (the pod's for an infra container
// sharing UTS, the owner's in a joined UTS namespace, the host's without
// a namespace of its own, else the user's or the short ID unless on the
// host's network), $HOSTNAME unless the env has one, and the cgroup path
// under the user's or the pod's cgroup parent.
func place(g *specs.Spec, s *spec.ContainerSpec, p Placement, host *Host, add func(...engine.CtrOption)) error {
	id := p.ID
	if id == "" {
		id = idgen.NewID()
	}
	add(engine.WithID(id))
	pod := p.Pod
	joinsPodUTS := pod != nil && !pod.Infra && pod.HasInfra && pod.SharesUTS && s.UTS == ""
	ownUTS := false
	for _, ns := range g.Linux.Namespaces {
		if ns.Type == specs.UTSNamespace {
			ownUTS = ns.Path == ""
		}
	}
	netMode, _, _ := NetworkMode(s.Network)
	var hostname string
	switch {
	case joinsPodUTS || strings.HasPrefix(s.UTS, "container:"):
		if s.Hostname != "" {
			return invalid("invalid config provided: cannot set hostname when joining the pod UTS namespace")
		}
		hostname = p.UTSHostname
		if hostname == "" {
			hostname, _ = os.Hostname()
		}
	case !ownUTS:
		hostname, _ = os.Hostname()
	default:
		g.Hostname = s.Hostname
		if g.Hostname == "" && pod != nil && pod.Infra && pod.SharesUTS {
			g.Hostname = pod.Hostname
		}
		if g.Hostname == "" && netMode != "host" {
			g.Hostname = id[:12]
		}
		hostname = g.Hostname
	}
	if hostname != "" {
		add(engine.WithHostname(hostname))
		if !slices.ContainsFunc(g.Process.Env, func(e string) bool { return strings.HasPrefix(e, "HOSTNAME=") }) {
			g.Process.Env = append(g.Process.Env, "HOSTNAME="+hostname)
		}
	}
	parent := s.CgroupParent
	if parent == "" && pod != nil {
		parent = pod.CgroupPath
	}
	switch s.CgroupsMode {
	case "split":
		g.Linux.CgroupsPath = engine.SplitCgroupsPath(id)
	case "disabled":
		g.Linux.CgroupsPath = ""
	default:
		if parent == "" {
			parent = host.DefaultCgroupParent
		}
		g.Linux.CgroupsPath = engine.CgroupsPath(host.CgroupManager, parent, id)
	}
	return nil
}
