package api

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/spec"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
)

// specFromCreate turns docker's create body into the same ContainerSpec
// the CLI's flags make, in the CLI's own value forms, so spec/generate
// validates both alike. Fields berth cannot honour are refused (400), not
// dropped.
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
		StopSignal: cfg.StopSignal,
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
		Volumes:         hc.Binds,
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
	if r := hc.RestartPolicy; r.Name != "" {
		s.Restart = string(r.Name)
		if r.MaximumRetryCount > 0 {
			s.Restart += ":" + strconv.Itoa(r.MaximumRetryCount)
		}
	}
	if hc.Memory > 0 {
		s.Memory = strconv.FormatInt(hc.Memory, 10)
	}
	if hc.MemorySwap != 0 {
		s.MemorySwap = strconv.FormatInt(hc.MemorySwap, 10)
	}
	if hc.NanoCPUs > 0 {
		s.CPUs = strconv.FormatFloat(float64(hc.NanoCPUs)/1e9, 'f', -1, 64)
	}
	if hc.ShmSize > 0 {
		s.ShmSize = strconv.FormatInt(hc.ShmSize, 10)
	}
	for _, u := range hc.Ulimits {
		s.Ulimits = append(s.Ulimits, fmt.Sprintf("%s=%d:%d", u.Name, u.Soft, u.Hard))
	}
	for _, k := range sortedKeys(hc.Sysctls) {
		s.Sysctls = append(s.Sysctls, k+"="+hc.Sysctls[k])
	}
	for _, dst := range sortedKeys(hc.Tmpfs) {
		t := dst
		if o := hc.Tmpfs[dst]; o != "" {
			t += ":" + o
		}
		s.Tmpfs = append(s.Tmpfs, t)
	}
	for _, d := range hc.Devices {
		dev := d.PathOnHost
		if d.PathInContainer != "" {
			dev += ":" + d.PathInContainer
		}
		if d.CgroupPermissions != "" {
			dev += ":" + d.CgroupPermissions
		}
		s.Devices = append(s.Devices, dev)
	}
	// Config.Volumes are anonymous volumes, unless a bind or mount covers
	// the same destination (compose sends both).
	covered := map[string]bool{}
	for _, b := range hc.Binds {
		if parts := strings.Split(b, ":"); len(parts) >= 2 {
			covered[path.Clean(parts[1])] = true
		} else {
			covered[path.Clean(b)] = true
		}
	}
	for _, m := range hc.Mounts {
		covered[path.Clean(m.Target)] = true
	}
	for dst := range cfg.Volumes {
		if !covered[path.Clean(dst)] {
			s.Volumes = append(s.Volumes, dst)
		}
	}
	sort.Strings(s.Volumes[len(hc.Binds):])
	for _, m := range hc.Mounts {
		mnt, err := mountArg(m)
		if err != nil {
			return nil, badRequest(err)
		}
		s.Mounts = append(s.Mounts, mnt)
	}
	for p := range cfg.ExposedPorts {
		s.Expose = append(s.Expose, p.String())
	}
	sort.Strings(s.Expose)
	for p, binds := range hc.PortBindings {
		if len(binds) == 0 {
			s.Publish = append(s.Publish, p.String())
		}
		for _, b := range binds {
			host := ""
			if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
				host = b.HostIP.String()
				if b.HostIP.Is6() {
					host = "[" + host + "]"
				}
			}
			switch {
			case host != "":
				s.Publish = append(s.Publish, host+":"+b.HostPort+":"+p.String())
			case b.HostPort != "":
				s.Publish = append(s.Publish, b.HostPort+":"+p.String())
			default:
				s.Publish = append(s.Publish, p.String())
			}
		}
	}
	sort.Strings(s.Publish)
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
		if len(ep.MacAddress) > 0 {
			s.MacAddress = ep.MacAddress.String()
		}
	}
	return nil
}

// mountArg writes a Mounts entry as the --mount value the CLI parses.
func mountArg(m mount.Mount) (string, error) {
	if m.Target == "" {
		return "", fmt.Errorf("invalid mount config: Target must not be empty")
	}
	parts := []string{"type=" + string(m.Type)}
	if m.Source != "" {
		parts = append(parts, "src="+m.Source)
	}
	parts = append(parts, "dst="+m.Target)
	if m.ReadOnly {
		parts = append(parts, "ro")
	}
	if b := m.BindOptions; b != nil {
		if b.Propagation != "" {
			parts = append(parts, "bind-propagation="+string(b.Propagation))
		}
		if b.NonRecursive {
			parts = append(parts, "bind-nonrecursive")
		}
	}
	if v := m.VolumeOptions; v != nil {
		if v.NoCopy {
			parts = append(parts, "volume-nocopy")
		}
		if v.Subpath != "" {
			return "", fmt.Errorf("volume subpath is not supported yet")
		}
	}
	if t := m.TmpfsOptions; t != nil {
		if t.SizeBytes > 0 {
			parts = append(parts, "tmpfs-size="+strconv.FormatInt(t.SizeBytes, 10))
		}
		if t.Mode != 0 {
			parts = append(parts, "tmpfs-mode="+strconv.FormatUint(uint64(t.Mode.Perm()), 8))
		}
	}
	return strings.Join(parts, ","), nil
}

// refuseUnsupported names the first field set that berth has no way to
// honour yet: accepting and ignoring it would be a silent lie.
func refuseUnsupported(cfg *container.Config, hc *container.HostConfig) error {
	type field struct {
		set  bool
		name string
	}
	for _, f := range []field{
		{cfg.Domainname != "", "Domainname"},
		{hc.UsernsMode != "" && hc.UsernsMode != "host", "HostConfig.UsernsMode"},
		{hc.CpusetCpus != "", "HostConfig.CpusetCpus"},
		{hc.CpusetMems != "", "HostConfig.CpusetMems"},
		{hc.CPUQuota != 0 || hc.CPUPeriod != 0, "HostConfig.CpuQuota/CpuPeriod"},
		{hc.BlkioWeight != 0 || len(hc.BlkioWeightDevice) > 0 || len(hc.BlkioDeviceReadBps) > 0 || len(hc.BlkioDeviceWriteBps) > 0, "HostConfig.Blkio*"},
		{hc.MemoryReservation != 0, "HostConfig.MemoryReservation"},
		{hc.OomScoreAdj != 0, "HostConfig.OomScoreAdj"},
		{len(hc.DeviceRequests) > 0, "HostConfig.DeviceRequests"},
		{len(hc.Links) > 0, "HostConfig.Links"},
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
