package engine

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Inspect returns the docker-shaped description of the container; with
// size it also measures the writable layer and the whole rootfs.
func (c *Container) Inspect(ctx context.Context, size bool) (*define.InspectContainerData, error) {
	if err := c.lockSync(); err != nil {
		return nil, err
	}
	cfg, st := c.config, *c.state
	c.lock.Unlock()
	spec, err := c.runtime.state.ContainerSpec(cfg.ID)
	if err != nil {
		return nil, err
	}
	d := &define.InspectContainerData{
		ID:            cfg.ID,
		Created:       cfg.CreatedTime,
		Image:         cfg.ImageID,
		ImageName:     cfg.ImageName,
		Rootfs:        cfg.Rootfs,
		LogPath:       c.LogPath(),
		Name:          cfg.Name,
		RestartCount:  int32(st.RestartCount),
		Platform:      "linux",
		ExecIDs:       []string{},
		Mounts:        []define.InspectMount{},
		Dependencies:  append([]string{}, cfg.Dependencies...),
		OCIRuntime:    cfg.OCIRuntime,
		Pod:           cfg.Pod,
		ConmonPidFile: filepath.Join(c.bundleDir(), "conmon.pid"),
		State: define.InspectContainerState{
			OciVersion: specs.Version,
			Status:     st.Status.DockerString(),
			Running:    st.Status == define.StatusRunning || st.Status == define.StatusPaused,
			Paused:     st.Status == define.StatusPaused,
			Restarting: c.restartPending(),
			OOMKilled:  st.OOMKilled,
			Pid:        st.PID,
			ConmonPid:  st.ConmonPID,
			ExitCode:   st.ExitCode,
			Error:      st.Error,
			StartedAt:  st.StartedTime,
			FinishedAt: st.FinishedTime,
		},
	}
	for id := range st.ExecSessions {
		d.ExecIDs = append(d.ExecIDs, id)
	}
	if c.HasHealthCheck() {
		// Read without the lock, like ps: the file is replaced whole.
		hst, err := c.readHealthLocked()
		if err != nil {
			return nil, err
		}
		d.State.Health = healthForInspect(hst)
	}
	if st.RunDir != "" {
		d.ResolvConfPath = filepath.Join(st.RunDir, "resolv.conf")
		d.HostsPath = filepath.Join(st.RunDir, "hosts")
		d.HostnamePath = filepath.Join(st.RunDir, "hostname")
	}
	if spec.Process != nil && len(spec.Process.Args) > 0 {
		d.Path = spec.Process.Args[0]
		d.Args = spec.Process.Args[1:]
	}
	d.EffectiveCaps, d.BoundingCaps = []string{}, []string{}
	if spec.Process != nil {
		d.AppArmorProfile = spec.Process.ApparmorProfile
		d.ProcessLabel = spec.Process.SelinuxLabel
		if caps := spec.Process.Capabilities; caps != nil {
			eff := caps.Effective
			if !isRootUser(cfg.User) {
				// As podman: a non-root process keeps only what
				// was added for it (the ambient set).
				eff = caps.Ambient
			}
			d.EffectiveCaps = append(d.EffectiveCaps, eff...)
			d.BoundingCaps = append(d.BoundingCaps, caps.Bounding...)
		}
	}
	if spec.Linux != nil {
		d.MountLabel = spec.Linux.MountLabel
	}
	d.Config = inspectConfig(cfg, spec)
	d.HostConfig = c.inspectHostConfig(spec)
	d.NetworkSettings = c.inspectNetwork(&st)
	for _, m := range spec.Mounts {
		if !isUserMount(cfg, m.Destination) {
			continue
		}
		im := define.InspectMount{Type: m.Type, Source: m.Source, Destination: m.Destination, Options: m.Options, RW: true, Propagation: "rprivate"}
		for _, o := range m.Options {
			switch {
			case o == "ro":
				im.RW = false
			case IsPropagation(o):
				im.Propagation = o
			}
		}
		d.Mounts = append(d.Mounts, im)
	}
	for _, vm := range cfg.Volumes {
		im := define.InspectMount{Type: "volume", Name: vm.Name, Destination: vm.Dest, Driver: define.VolumeDriverLocal,
			Options: []string{"rbind"}, RW: true, Propagation: "rprivate"}
		if v, err := c.runtime.volumeByName(vm.Name); err == nil {
			im.Source = v.MountPoint()
		}
		for _, o := range vm.Options {
			switch {
			case o == "ro":
				im.RW = false
			case IsPropagation(o):
				im.Propagation = o
			}
			if o != "nocopy" && o != "copy" && o != "U" {
				im.Options = append(im.Options, o)
			}
		}
		d.Mounts = append(d.Mounts, im)
	}
	for _, m := range cfg.ImageMounts {
		// podman's shape: the image's ID as the source.
		d.Mounts = append(d.Mounts, define.InspectMount{Type: "image", Source: m.ImageID, Destination: m.Dest,
			Options: []string{"rbind"}, RW: m.ReadWrite, Propagation: "rprivate"})
	}
	if cfg.ImageID != "" {
		store, err := c.runtime.storage()
		if err != nil {
			return nil, err
		}
		d.Driver = store.GraphDriverName()
		d.GraphDriver = define.DriverData{Name: d.Driver, Data: store.LayerData(cfg.ID)}
		if size && c.hasRootfs(store) {
			rw, rootfs, err := store.ContainerSize(cfg.ID)
			if err == nil {
				d.SizeRw = &rw
				d.SizeRootFs = rootfs
			}
		}
	}
	return d, nil
}

func isUserMount(cfg *define.ContainerConfig, dest string) bool {
	for _, v := range cfg.UserVolumes {
		if v == dest {
			return true
		}
	}
	return false
}

func inspectConfig(cfg *define.ContainerConfig, spec *specs.Spec) *define.InspectContainerConfig {
	ic := &define.InspectContainerConfig{
		Hostname:      cfg.Hostname,
		User:          cfg.User,
		AttachStdin:   cfg.Stdin || slices.Contains(cfg.Attach, "stdin"),
		AttachStdout:  len(cfg.Attach) == 0 || slices.Contains(cfg.Attach, "stdout"),
		AttachStderr:  len(cfg.Attach) == 0 || slices.Contains(cfg.Attach, "stderr"),
		Tty:           cfg.Terminal,
		OpenStdin:     cfg.Stdin,
		Cmd:           cfg.Cmd,
		Image:         cfg.ImageName,
		Entrypoint:    cfg.Entrypoint,
		OnBuild:       nil,
		Labels:        cfg.Labels,
		Annotations:   spec.Annotations,
		StopSignal:    signalName(cfg.StopSignal),
		StopTimeout:   cfg.StopTimeout,
		ExposedPorts:  cfg.Exposed,
		CreateCommand: cfg.CreateCommand,
		Umask:         "0022",
	}
	if ic.Labels == nil {
		ic.Labels = map[string]string{}
	}
	if h := cfg.Health; h != nil {
		ic.Healthcheck = h.Check
		ic.StartupHealthCheck = h.Startup
		ic.HealthcheckOnFailureAction = h.OnFailure
		ic.HealthLogDestination = h.LogDestination
		count, size := h.MaxLogCount, h.MaxLogSize
		ic.HealthMaxLogCount, ic.HealthMaxLogSize = &count, &size
	}
	if spec.Process != nil {
		ic.Env = spec.Process.Env
		ic.WorkingDir = spec.Process.Cwd
		if spec.Process.User.Umask != nil {
			ic.Umask = "0" + strings.TrimLeft(octal(*spec.Process.User.Umask), "0")
		}
	}
	return ic
}

func octal(v uint32) string {
	const digits = "01234567"
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{digits[v%8]}, b...)
		v /= 8
	}
	return string(b)
}

func (c *Container) inspectHostConfig(spec *specs.Spec) *define.InspectHostConfig {
	cfg := c.config
	h := &define.InspectHostConfig{
		Binds:          []string{},
		CgroupManager:  c.runtime.cfg.CgroupManager,
		CgroupMode:     namespaceMode(cfg, spec, "cgroup"),
		LogConfig:      c.inspectLogConfig(),
		NetworkMode:    firstNonEmptyStr(cfg.NetMode, "bridge"),
		PortBindings:   map[string][]define.InspectHostPort{},
		RestartPolicy:  define.InspectRestartPolicy{Name: firstNonEmptyStr(cfg.Restart, "no"), MaximumRetryCount: cfg.RestartMax},
		AutoRemove:     cfg.AutoRemove,
		CapAdd:         nonNil(cfg.CapAdd),
		CapDrop:        nonNil(cfg.CapDrop),
		DNS:            nonNil(cfg.DNSServers),
		DNSOptions:     nonNil(cfg.DNSOptions),
		DNSSearch:      nonNil(cfg.DNSSearch),
		ExtraHosts:     nonNil(cfg.HostAdd),
		GroupAdd:       nonNil(cfg.Groups),
		VolumesFrom:    nonNil(cfg.VolumesFrom),
		IpcMode:        namespaceMode(cfg, spec, "ipc"),
		Cgroup:         "",
		CgroupParent:   cfg.CgroupParent,
		Cgroups:        inspectCgroups(cfg.CgroupsMode),
		PidMode:        namespaceMode(cfg, spec, "pid"),
		Privileged:     cfg.Privileged,
		ReadonlyRootfs: cfg.ReadOnly,
		SecurityOpt:    []string{},
		Tmpfs:          map[string]string{},
		UTSMode:        namespaceMode(cfg, spec, "uts"),
		ShmSize:        cfg.ShmSize,
		Runtime:        "oci",
		Init:           cfg.Init,
		Ulimits:        []define.InspectUlimit{},
	}
	for _, p := range cfg.Ports {
		key := portKey(p.ContainerPort, p.Protocol)
		h.PortBindings[key] = append(h.PortBindings[key], inspectHostPorts(p)...)
	}
	h.SecurityOpt = securityOpts(cfg, spec)
	h.UsernsMode, h.IDMappings = c.inspectUserNS(spec)
	if spec.Process != nil {
		for _, r := range spec.Process.Rlimits {
			h.Ulimits = append(h.Ulimits, define.InspectUlimit{Name: r.Type, Soft: int64(r.Soft), Hard: int64(r.Hard)})
		}
	}
	if spec.Linux != nil && spec.Linux.Resources != nil {
		res := spec.Linux.Resources
		if res.Memory != nil {
			if res.Memory.Limit != nil {
				h.Memory = *res.Memory.Limit
			}
			if res.Memory.Swap != nil {
				h.MemorySwap = *res.Memory.Swap
			}
		}
		if res.CPU != nil {
			if res.CPU.Shares != nil {
				h.CpuShares = *res.CPU.Shares
			}
			if res.CPU.Quota != nil && res.CPU.Period != nil && *res.CPU.Period > 0 {
				h.NanoCpus = *res.CPU.Quota * 1e9 / int64(*res.CPU.Period)
			}
		}
		if res.Pids != nil && res.Pids.Limit != nil {
			h.PidsLimit = *res.Pids.Limit
		}
		inspectFinerLimits(h, res)
		h.DeviceCgroupRules = inspectDeviceRules(spec.Linux)
	}
	if spec.Process != nil && spec.Process.OOMScoreAdj != nil {
		h.OomScoreAdj = *spec.Process.OOMScoreAdj
	}
	for _, m := range spec.Mounts {
		if !isUserMount(cfg, m.Destination) {
			continue
		}
		switch m.Type {
		case "bind":
			b := m.Source + ":" + m.Destination
			for _, o := range m.Options {
				if o == "ro" {
					b += ":ro"
				}
			}
			h.Binds = append(h.Binds, b)
		case "tmpfs":
			h.Tmpfs[m.Destination] = strings.Join(m.Options, ",")
		}
	}
	return h
}

// securityOpts lists the security options in effect the way podman's
// inspect does: no-new-privileges, the label and apparmor options as given
// (recorded in the spec's annotations), the seccomp profile when not the
// default, and unmask=all when nothing is masked.
func securityOpts(cfg *define.ContainerConfig, spec *specs.Spec) []string {
	out := []string{}
	if spec.Process != nil && spec.Process.NoNewPrivileges {
		out = append(out, "no-new-privileges")
	}
	if v, ok := spec.Annotations[define.InspectAnnotationLabel]; ok {
		out = append(out, "label="+v)
	}
	if cfg.Seccomp != "" {
		out = append(out, "seccomp="+cfg.Seccomp)
	}
	if v, ok := spec.Annotations[define.InspectAnnotationAppArmor]; ok {
		out = append(out, "apparmor="+v)
	}
	if spec.Linux != nil && spec.Linux.MaskedPaths == nil {
		out = append(out, "unmask=all")
	}
	return out
}

func portKey(port uint16, proto string) string {
	if proto == "" {
		proto = "tcp"
	}
	return itoa(int(port)) + "/" + proto
}

func firstNonEmptyStr(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// inspectFinerLimits fills the CPU period and quota, cpusets, memory
// reservation and swappiness, OOM killer and block IO weight of h.
func inspectFinerLimits(h *define.InspectHostConfig, res *specs.LinuxResources) {
	h.MemorySwappiness = -1
	if m := res.Memory; m != nil {
		if m.Reservation != nil {
			h.MemoryReservation = *m.Reservation
		}
		if m.Swappiness != nil {
			h.MemorySwappiness = int64(*m.Swappiness)
		}
		if m.DisableOOMKiller != nil {
			h.OomKillDisable = *m.DisableOOMKiller
		}
	}
	if c := res.CPU; c != nil {
		if c.Period != nil {
			h.CpuPeriod = *c.Period
		}
		if c.Quota != nil {
			h.CpuQuota = *c.Quota
		}
		h.CpusetCpus, h.CpusetMems = c.Cpus, c.Mems
	}
	if b := res.BlockIO; b != nil && b.Weight != nil {
		h.BlkioWeight = *b.Weight
	}
}

// isRootUser reports whether a --user value runs as root ("" is the
// image's user, root unless the image says otherwise, as podman reads it).
func isRootUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "" || name == "root" || name == "0"
}

// inspectCgroups is HostConfig.Cgroups as podman shows it.
func inspectCgroups(mode string) string {
	if mode == "disabled" {
		return "disabled"
	}
	return "default"
}
