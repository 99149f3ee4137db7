package generate

import (
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// podShareKinds are the namespaces a pod can share, podman's names.
var podShareKinds = []string{"cgroup", "ipc", "net", "pid", "uts"}

// Pod turns a pod spec into the engine's pod options and the spec of its
// infra container (nil with --infra=false). The infra container gets the
// pod's networking and runs the pause process; its Rootfs (or Image, with
// --infra-image) is for the caller to fill in.
func Pod(ps *spec.PodSpec, host Host) (*spec.ContainerSpec, []engine.PodOption, error) {
	if ps == nil {
		return nil, nil, invalid("no pod spec")
	}
	var opts []engine.PodOption
	add := func(o ...engine.PodOption) { opts = append(opts, o...) }
	if ps.Name != "" {
		if err := engine.ValidateName(ps.Name); err != nil {
			return nil, nil, err
		}
		add(engine.WithPodName(ps.Name))
	}
	if ps.Hostname != "" {
		if err := spec.ValidateHostname(ps.Hostname); err != nil {
			return nil, nil, err
		}
		add(engine.WithPodHostname(ps.Hostname))
	}
	if len(ps.Labels) > 0 {
		add(engine.WithPodLabels(ps.Labels))
	}
	switch ps.ExitPolicy {
	case "", define.PodExitPolicyContinue, define.PodExitPolicyStop:
		add(engine.WithPodExitPolicy(ps.ExitPolicy))
	default:
		return nil, nil, invalid("--exit-policy %q: must be continue or stop", ps.ExitPolicy)
	}
	if ps.CgroupParent != "" {
		if host.CgroupManager == "systemd" && !strings.HasSuffix(ps.CgroupParent, ".slice") {
			return nil, nil, invalid("--cgroup-parent %q: the systemd cgroup manager needs a slice name ending in .slice", ps.CgroupParent)
		}
		if host.CgroupManager != "systemd" && !strings.HasPrefix(ps.CgroupParent, "/") {
			return nil, nil, invalid("--cgroup-parent %q: must be an absolute cgroup path with the cgroupfs manager", ps.CgroupParent)
		}
		add(engine.WithPodCgroupParent(ps.CgroupParent))
	}
	memory, _, err := memoryLimits(ps.Memory, 0)
	if err != nil {
		return nil, nil, err
	}
	quota, err := cpuQuota(ps.NanoCPUs, host.numCPU())
	if err != nil {
		return nil, nil, err
	}
	if (memory > 0 || quota > 0) && host.Rootless && host.RootlessCgroup == nil {
		// No pod cgroup for a rootless user here: dropped, as a rootless
		// container's limits are (noCgroups), with the same warning.
		noCgroupsWarning(&host)
		memory, quota = 0, 0
	}
	if memory > 0 || quota > 0 {
		add(engine.WithPodResources(memory, quota, cpuPeriod))
	}
	// The infra container owns the pod's user namespace (members join
	// it, see podMemberUserNS); joining another one is not a pod's.
	u := ps.UserNS
	switch u.Mode {
	case "", spec.UserNSHost, spec.UserNSPrivate, spec.UserNSAuto, spec.UserNSKeepID, spec.UserNSNoMap:
	default:
		mode := u.Mode
		if u.Path != "" {
			mode += ":" + u.Path
		}
		return nil, nil, invalid("--userns %q: invalid pod user namespace mode: must be auto, host, keep-id, nomap or private", mode)
	}
	if u.Enabled() && !ps.Infra {
		return nil, nil, invalid("--userns %s: the pod has no infra container to hold its user namespace: drop --infra=false", u.Mode)
	}
	add(engine.WithPodCreateCommand(ps.CreateCommand))
	if ps.InfraConmonPidFile != "" {
		if !ps.Infra {
			return nil, nil, invalid("--infra-conmon-pidfile requires an infra container")
		}
		add(engine.WithPodInfraConmonPidFile(ps.InfraConmonPidFile))
	}

	share, err := podShare(ps.Share, host.CgroupV2)
	if err != nil {
		return nil, nil, err
	}
	if !ps.Infra {
		if ps.Share != nil && len(share) > 0 {
			return nil, nil, invalid("--share %q: you cannot share kernel namespaces on the pod level without an infra container", strings.Join(ps.Share, ","))
		}
		if infraOnly := infraOnlyFlag(ps); infraOnly != "" {
			return nil, nil, invalid("%s: the pod has no infra container to hold its network: drop --infra=false", infraOnly)
		}
		return nil, opts, nil
	}
	add(engine.WithPodShare(share))
	if !slices.Contains(share, "net") {
		if f := infraOnlyFlag(ps); f != "" {
			return nil, nil, invalid("%s: the pod does not share its network namespace (--share)", f)
		}
	}
	infra := &spec.ContainerSpec{
		Name:         ps.InfraName,
		Image:        ps.InfraImage,
		Network:      ps.Network,
		Ports:        ps.Ports,
		NetworkAlias: ps.NetworkAlias,
		IP:           ps.IP,
		MacAddress:   ps.MacAddress,
		DNS:          ps.DNS,
		DNSSearch:    ps.DNSSearch,
		DNSOption:    ps.DNSOption,
		AddHost:      ps.AddHost,
		NoHosts:      ps.NoHosts,
		Mounts:       ps.Mounts,
		VolumesFrom:  ps.VolumesFrom,
		Pid:          ps.Pid,
		UserNS:       ps.UserNS,
		Labels:       map[string]string{},
	}
	if ps.InfraImage == "" || len(ps.InfraCommand) > 0 {
		infra.Entrypoint, infra.EntrypointSet = ps.InfraCommand, true
		if len(infra.Entrypoint) == 0 {
			infra.Entrypoint = []string{engine.PauseBinary, "-P"}
		}
	}
	if ps.InfraImage == "" {
		// Only the pause binary is in its root; nothing writes there.
		infra.ReadOnly, infra.NoReadOnlyTmpfs = true, true
	}
	return infra, opts, nil
}

// podShare reads --share: a list of kinds, "none", or "+kind" to add to
// the default (cgroup on cgroup v2 only, where the infra container has a
// cgroup namespace of its own), ipc, net, uts.
func podShare(values []string, cgroupV2 bool) ([]string, error) {
	def := []string{"ipc", "net", "uts"}
	if cgroupV2 {
		def = append([]string{"cgroup"}, def...)
	}
	if values == nil {
		return def, nil
	}
	var out []string
	for _, v := range values {
		for _, kind := range strings.Split(v, ",") {
			kind = strings.TrimSpace(kind)
			switch {
			case kind == "none" || kind == "":
				continue
			case strings.HasPrefix(kind, "+"):
				k := strings.TrimPrefix(kind, "+")
				if !slices.Contains(podShareKinds, k) {
					return nil, invalid("--share %q: invalid kernel namespace to share: %s. Options are: cgroup, ipc, net, pid, uts or none", v, k)
				}
				out = append(out, def...)
				out = append(out, k)
			case !slices.Contains(podShareKinds, kind):
				return nil, invalid("--share %q: invalid kernel namespace to share: %s. Options are: cgroup, ipc, net, pid, uts or none", v, kind)
			default:
				out = append(out, kind)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// infraOnlyFlag names a networking flag given to a pod that cannot use
// it, or "".
func infraOnlyFlag(ps *spec.PodSpec) string {
	switch {
	case len(ps.Ports) > 0:
		return "--publish"
	case len(ps.Network) > 0:
		return "--network"
	case ps.IP != "":
		return "--ip"
	case ps.MacAddress != "":
		return "--mac-address"
	case len(ps.NetworkAlias) > 0:
		return "--network-alias"
	case len(ps.DNS) > 0 || len(ps.DNSSearch) > 0 || len(ps.DNSOption) > 0:
		return "--dns"
	case len(ps.AddHost) > 0:
		return "--add-host"
	}
	return ""
}

// PausePath is the catatonit binary the infra container's pause process
// is copied from: the configured init binary, else the usual locations.
func PausePath(host Host) (string, error) {
	return initPath(&spec.ContainerSpec{}, &host)
}
