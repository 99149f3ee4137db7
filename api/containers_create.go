package api

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"time"

	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
)

// specFromCreate turns docker's create body into the same typed
// ContainerSpec the CLI's flags make; spec/generate validates both alike.
// Binds and Tmpfs options are text in docker's API too and go through the
// CLI's parsers (internal/specflag). Fields berth cannot honour are
// refused (400), not dropped.
func specFromCreate(name string, req *container.CreateRequest) (*spec.ContainerSpec, error) {
	if req.Config == nil {
		return nil, badRequest(fmt.Errorf("config cannot be empty in order to create a container"))
	}
	cfg := req.Config
	hc := req.HostConfig
	if hc == nil {
		hc = &container.HostConfig{}
	}
	if err := refuseUnsupported(cfg, hc); err != nil {
		return nil, badRequest(err)
	}
	s := &spec.ContainerSpec{
		Name:       name,
		Image:      cfg.Image,
		Command:    cfg.Cmd,
		Env:        cfg.Env,
		WorkDir:    cfg.WorkingDir,
		User:       cfg.User,
		Labels:     cfg.Labels,
		Hostname:   cfg.Hostname,
		Terminal:   cfg.Tty,
		Stdin:      cfg.OpenStdin,
		Remove:     hc.AutoRemove,
		ReadOnly:   hc.ReadonlyRootfs,
		Privileged: hc.Privileged,
		// Docker's --read-only adds no tmpfs of its own.
		NoReadOnlyTmpfs: hc.ReadonlyRootfs,
		CgroupParent:    hc.CgroupParent,
		CapAdd:          hc.CapAdd,
		CapDrop:         hc.CapDrop,
		SecurityOpt:     hc.SecurityOpt,
		GroupAdd:        hc.GroupAdd,
		VolumesFrom:     hc.VolumesFrom,
		PublishAll:      hc.PublishAllPorts,
		DNSSearch:       hc.DNSSearch,
		DNSOption:       hc.DNSOptions,
		AddHost:         hc.ExtraHosts,
		Pid:             string(hc.PidMode),
		IPC:             string(hc.IpcMode),
		UTS:             string(hc.UTSMode),
		CgroupNS:        string(hc.CgroupnsMode),
		LogDriver:       logDriver(hc.LogConfig.Type),
		Runtime:         hc.Runtime,
		PidsLimit:       hc.PidsLimit,
		CPUShares:       uint64(max(hc.CPUShares, 0)),
		CreateCommand:   []string{},
	}
	s.Domainname, s.Annotations, s.Links = cfg.Domainname, hc.Annotations, hc.Links
	if cfg.Entrypoint != nil {
		s.Entrypoint, s.EntrypointSet = cfg.Entrypoint, true
		if len(cfg.Entrypoint) == 1 && cfg.Entrypoint[0] == "" {
			s.Entrypoint = nil
		}
	}
	if cfg.StopTimeout != nil {
		if *cfg.StopTimeout < 0 {
			return nil, badRequest(fmt.Errorf("invalid StopTimeout %d", *cfg.StopTimeout))
		}
		t := uint(*cfg.StopTimeout)
		s.StopTimeout = &t
	}
	if hc.Init != nil {
		s.Init = *hc.Init
	}
	h, err := healthFromCreate(cfg.Healthcheck)
	if err != nil {
		return nil, badRequest(err)
	}
	s.Health = h
	for _, d := range hc.DNS {
		s.DNS = append(s.DNS, d.String())
	}
	for k, v := range hc.LogConfig.Config {
		s.LogOpts = append(s.LogOpts, k+"="+v)
	}
	// UsernsMode takes podman's --userns values, as podman's compat API does.
	uns, err := specflag.UserNS(string(hc.UsernsMode), nil, nil, "", "")
	if err != nil {
		return nil, badRequest(err)
	}
	s.UserNS = uns
	if cfg.StopSignal != "" {
		sig, err := signals.Parse(cfg.StopSignal)
		if err != nil {
			return nil, badRequest(fmt.Errorf("StopSignal: %w", err))
		}
		s.StopSignal = sig
	}
	if r := hc.RestartPolicy; r.Name != "" {
		s.Restart = spec.RestartPolicy{Name: string(r.Name), MaxRetries: uint(max(r.MaximumRetryCount, 0))}
	}
	s.Memory, s.MemorySwap, s.NanoCPUs, s.ShmSize = hc.Memory, hc.MemorySwap, hc.NanoCPUs, hc.ShmSize
	if err := moreHostResources(s, hc); err != nil {
		return nil, err
	}
	for _, u := range hc.Ulimits {
		if u != nil {
			s.Ulimits = append(s.Ulimits, spec.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
		}
	}
	if len(hc.Sysctls) > 0 {
		s.Sysctls = hc.Sysctls
	}
	for _, d := range hc.Devices {
		s.Devices = append(s.Devices, spec.Device{Source: d.PathOnHost, Destination: d.PathInContainer, Permissions: d.CgroupPermissions})
	}
	mounts, err := mountsFromCreate(cfg, hc)
	if err != nil {
		return nil, badRequest(err)
	}
	s.Mounts = mounts
	for p := range cfg.ExposedPorts {
		s.Expose = append(s.Expose, spec.ExposedPort{Port: p.Num(), Protocol: string(p.Proto())})
	}
	sort.Slice(s.Expose, func(i, j int) bool {
		a, b := s.Expose[i], s.Expose[j]
		return a.Port < b.Port || a.Port == b.Port && a.Protocol < b.Protocol
	})
	if s.Ports, err = portsFromCreate(hc.PortBindings); err != nil {
		return nil, badRequest(err)
	}
	if err := networkFromCreate(s, hc, req); err != nil {
		return nil, badRequest(err)
	}
	return s, nil
}

// networkFromCreate maps NetworkMode and the endpoint settings: docker's
// "default" and "bridge" are berth's default network.
func networkFromCreate(s *spec.ContainerSpec, hc *container.HostConfig, req *container.CreateRequest) error {
	mode := string(hc.NetworkMode)
	switch mode {
	case "", "default":
		mode = ""
	case "bridge":
		mode = "bridge"
	}
	if mode != "" {
		s.Network = []string{mode}
	}
	if req.NetworkingConfig == nil {
		return nil
	}
	for netName, ep := range req.NetworkingConfig.EndpointsConfig {
		if ep == nil {
			continue
		}
		if mode == "" && netName != "bridge" && netName != "default" {
			s.Network = append(s.Network, netName)
		} else if mode != "" && netName != mode && !(mode == "bridge" && netName == "default") {
			s.Network = append(s.Network, netName)
		}
		s.NetworkAlias = append(s.NetworkAlias, ep.Aliases...)
		if ep.IPAMConfig != nil && ep.IPAMConfig.IPv4Address.IsValid() {
			s.IP = ep.IPAMConfig.IPv4Address.String()
		}
		if ep.IPAMConfig != nil && ep.IPAMConfig.IPv6Address.IsValid() {
			s.IP6 = ep.IPAMConfig.IPv6Address.String()
		}
		if ep.IPAMConfig != nil {
			for _, a := range ep.IPAMConfig.LinkLocalIPs {
				s.LinkLocalIP = append(s.LinkLocalIP, a.String())
			}
		}
		if len(ep.MacAddress) > 0 {
			s.MacAddress = ep.MacAddress.String()
		}
	}
	return nil
}

// mountsFromCreate gathers the container's mounts: Binds (docker's
// "src:dst:opts" text, read by -v's parser), Mounts, Tmpfs, and the
// anonymous volumes of Config.Volumes that no bind or mount covers
// (compose sends both).
func mountsFromCreate(cfg *container.Config, hc *container.HostConfig) ([]spec.Mount, error) {
	var out []spec.Mount
	covered := map[string]bool{}
	for _, b := range hc.Binds {
		m, err := specflag.Volume(b)
		if err != nil {
			return nil, fmt.Errorf("invalid Binds entry: %w", err)
		}
		covered[m.Destination] = true
		out = append(out, m)
	}
	for _, mnt := range hc.Mounts {
		m, err := mountFromAPI(mnt)
		if err != nil {
			return nil, err
		}
		covered[path.Clean(m.Destination)] = true
		out = append(out, m)
	}
	for _, dst := range sortedKeys(hc.Tmpfs) {
		m, err := specflag.TmpfsOptions("Tmpfs", dst, dst, hc.Tmpfs[dst])
		if err != nil {
			return nil, err
		}
		covered[m.Destination] = true
		out = append(out, m)
	}
	var anon []string
	for dst := range cfg.Volumes {
		if !covered[path.Clean(dst)] {
			anon = append(anon, dst)
		}
	}
	sort.Strings(anon)
	for _, dst := range anon {
		out = append(out, spec.Mount{Type: spec.MountVolume, Destination: dst})
	}
	return out, nil
}

// mountFromAPI maps one Mounts entry onto the typed mount.
func mountFromAPI(m mount.Mount) (spec.Mount, error) {
	if m.Target == "" {
		return spec.Mount{}, fmt.Errorf("invalid mount config: Target must not be empty")
	}
	out := spec.Mount{Type: string(m.Type), Source: m.Source, Destination: m.Target, ReadOnly: m.ReadOnly}
	switch m.Type {
	case mount.TypeBind, mount.TypeVolume, mount.TypeTmpfs:
	default:
		return spec.Mount{}, fmt.Errorf("invalid mount config: mount type %q is not supported", m.Type)
	}
	if b := m.BindOptions; b != nil {
		out.Propagation = string(b.Propagation)
		out.NonRecursive = b.NonRecursive
	}
	if v := m.VolumeOptions; v != nil {
		out.NoCopy = v.NoCopy
		if v.Subpath != "" {
			return spec.Mount{}, fmt.Errorf("volume subpath is not supported yet")
		}
		if v.DriverConfig != nil && len(v.DriverConfig.Options) > 0 {
			out.VolumeOptions = v.DriverConfig.Options
		}
	}
	if t := m.TmpfsOptions; t != nil {
		out.TmpfsSize = t.SizeBytes
		out.TmpfsMode = uint32(t.Mode.Perm())
	}
	return out, nil
}

// portsFromCreate maps PortBindings: an empty host port (or none) is a
// random one, an unspecified host IP is every address.
func portsFromCreate(pb network.PortMap) ([]spec.PortMapping, error) {
	var out []spec.PortMapping
	for p, binds := range pb {
		m := spec.PortMapping{ContainerPort: p.Num(), Protocol: string(p.Proto())}
		if len(binds) == 0 {
			out = append(out, m)
		}
		for _, b := range binds {
			m := m
			if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
				m.HostIP = b.HostIP.String()
			}
			if b.HostPort != "" {
				n, err := strconv.ParseUint(b.HostPort, 10, 16)
				if err != nil {
					return nil, fmt.Errorf("invalid host port %q for %s", b.HostPort, p)
				}
				m.HostPort = uint16(n)
			}
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ContainerPort != b.ContainerPort {
			return a.ContainerPort < b.ContainerPort
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		if a.HostIP != b.HostIP {
			return a.HostIP < b.HostIP
		}
		return a.HostPort < b.HostPort
	})
	return out, nil
}

// moreHostResources maps the resource fields beyond memory and CPUs;
// generate checks their ranges as it does for the CLI's flags. Docker's
// -1 swappiness and 0 OomScoreAdj mean "not set".
func moreHostResources(s *spec.ContainerSpec, hc *container.HostConfig) error {
	if hc.CPUPeriod < 0 {
		return badRequest(fmt.Errorf("HostConfig.CpuPeriod %d: must not be negative", hc.CPUPeriod))
	}
	s.MemoryReservation, s.CPUPeriod, s.CPUQuota = hc.MemoryReservation, uint64(hc.CPUPeriod), hc.CPUQuota
	if hc.CPURealtimePeriod < 0 {
		return badRequest(fmt.Errorf("HostConfig.CpuRealtimePeriod %d: must not be negative", hc.CPURealtimePeriod))
	}
	s.CPURtPeriod, s.CPURtRuntime = uint64(hc.CPURealtimePeriod), hc.CPURealtimeRuntime
	s.CpusetCPUs, s.CpusetMems = hc.CpusetCpus, hc.CpusetMems
	if sw := hc.MemorySwappiness; sw != nil && *sw != -1 {
		v := *sw
		s.MemorySwappiness = &v
	}
	if hc.OomScoreAdj != 0 {
		v := hc.OomScoreAdj
		s.OOMScoreAdj = &v
	}
	s.OOMKillDisable = hc.OomKillDisable != nil && *hc.OomKillDisable
	s.BlkioWeight = hc.BlkioWeight
	for _, v := range hc.DeviceCgroupRules {
		r, err := specflag.DeviceCgroupRule(v)
		if err != nil {
			return badRequest(fmt.Errorf("HostConfig.DeviceCgroupRules: %w", err))
		}
		s.DeviceCgroupRules = append(s.DeviceCgroupRules, r)
	}
	for _, w := range hc.BlkioWeightDevice {
		if w != nil {
			s.BlkioWeightDevice = append(s.BlkioWeightDevice, spec.WeightDevice{Path: w.Path, Weight: w.Weight})
		}
	}
	for _, t := range []struct {
		in  []*blkiodev.ThrottleDevice
		out *[]spec.ThrottleDevice
	}{
		{hc.BlkioDeviceReadBps, &s.DeviceReadBps}, {hc.BlkioDeviceWriteBps, &s.DeviceWriteBps},
		{hc.BlkioDeviceReadIOps, &s.DeviceReadIOps}, {hc.BlkioDeviceWriteIOps, &s.DeviceWriteIOps},
	} {
		for _, d := range t.in {
			if d != nil {
				*t.out = append(*t.out, spec.ThrottleDevice{Path: d.Path, Rate: d.Rate})
			}
		}
	}
	return nil
}

// refuseUnsupported names the first field set that berth has no way to
// honour yet: accepting and ignoring it would be a silent lie.
func refuseUnsupported(cfg *container.Config, hc *container.HostConfig) error {
	type field struct {
		set  bool
		name string
	}
	for _, f := range []field{
		{len(hc.DeviceRequests) > 0, "HostConfig.DeviceRequests"},
		{len(hc.StorageOpt) > 0, "HostConfig.StorageOpt"},
	} {
		if f.set {
			return fmt.Errorf("%s is not supported by berth yet", f.name)
		}
	}
	return nil
}

// logDriver maps docker's default json-file onto berth's k8s-file: the
// same role (a file `logs` reads).
func logDriver(t string) string {
	if t == "json-file" {
		return ""
	}
	return t
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// healthFromCreate is docker's Config.Healthcheck as berth's spec: an
// empty Test and zero fields inherit the image's, ["NONE"] disables it.
func healthFromCreate(h *container.HealthConfig) (*spec.HealthConfig, error) {
	if h == nil {
		return nil, nil
	}
	out := &spec.HealthConfig{}
	if len(h.Test) > 0 {
		switch h.Test[0] {
		case "NONE":
			out.Disable = true
			return out, nil
		case "CMD", "CMD-SHELL":
			if len(h.Test) < 2 {
				return nil, fmt.Errorf("healthcheck test %q has no command", h.Test)
			}
		default:
			return nil, fmt.Errorf("healthcheck test must start with NONE, CMD or CMD-SHELL, not %q", h.Test[0])
		}
		out.Test = h.Test
	}
	for _, d := range []struct {
		v    time.Duration
		dst  **time.Duration
		name string
	}{
		{h.Interval, &out.Interval, "Interval"},
		{h.Timeout, &out.Timeout, "Timeout"},
		{h.StartPeriod, &out.StartPeriod, "StartPeriod"},
	} {
		if d.v < 0 || (d.v > 0 && d.v < time.Millisecond) {
			return nil, fmt.Errorf("%s in Healthcheck cannot be less than 1ms", d.name)
		}
		if d.v > 0 {
			v := d.v
			*d.dst = &v
		}
	}
	if h.Retries < 0 {
		return nil, fmt.Errorf("%s in Healthcheck cannot be negative", "Retries") // docker's words
	}
	if h.Retries > 0 {
		r := h.Retries
		out.Retries = &r
	}
	return out, nil
}
