package api

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"syscall"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
	"github.com/moby/moby/api/types/container"
)

// This file is the one place podman's SpecGenerator (libpod container
// create) becomes berth's typed ContainerSpec; mounts given as mount(8)
// option lists go through the CLI's parsers (internal/specflag) so they
// are read as -v and --mount are. The networking and
// resource keys are shared with pod create (libpod_pods.go). How a body's
// keys are accounted for is in libpod_body.go.

// namespace is podman's specgen.Namespace.
type namespace struct {
	NSMode string `json:"nsmode"`
	Value  string `json:"value"`
}

// mode is the namespace as the CLI's --pid/--ipc/--uts/--network value.
func (n namespace) mode() string {
	switch n.NSMode {
	case "", "default":
		return ""
	case "container":
		return "container:" + n.Value
	case "path":
		return "ns:" + n.Value
	case "bridge":
		if n.Value != "" {
			return n.Value
		}
	}
	return n.NSMode
}

type specMount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type"`
	Source      string   `json:"source"`
	Options     []string `json:"options"`
}

type specNamedVolume struct {
	Name        string   `json:"Name"`
	Dest        string   `json:"Dest"`
	Options     []string `json:"Options"`
	IsAnonymous bool     `json:"IsAnonymous"`
}

// specImageVolume is SpecGenerator's image_volumes entry (--mount
// type=image).
type specImageVolume struct {
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	ReadWrite   bool   `json:"ReadWrite"`
	SubPath     string `json:"subPath"`
}

type specPort struct {
	HostIP        string `json:"host_ip"`
	ContainerPort uint16 `json:"container_port"`
	HostPort      uint16 `json:"host_port"`
	Range         uint16 `json:"range"`
	Protocol      string `json:"protocol"`
}

type specNetwork struct {
	Aliases       []string `json:"aliases"`
	StaticIPs     []string `json:"static_ips"`
	StaticMac     string   `json:"static_mac"`
	InterfaceName string   `json:"interface_name"`
}

type specRlimit struct {
	Type string `json:"type"`
	Hard uint64 `json:"hard"`
	Soft uint64 `json:"soft"`
}

// specFromSpecGenerator reads podman's SpecGenerator body.
func specFromSpecGenerator(r *http.Request) (*spec.ContainerSpec, error) {
	b, err := decodeSpecBody(r)
	if err != nil {
		return nil, err
	}
	health, err := healthFromSpecGenerator(b)
	if err != nil {
		return nil, err
	}
	var userns namespace
	if err := b.take("userns", &userns); err != nil {
		return nil, err
	}
	uns, err := usernsFromLibpod(b, userns)
	if err != nil {
		return nil, err
	}
	s := &spec.ContainerSpec{CreateCommand: []string{}, Health: health, UserNS: uns}
	if err := runOptionsFromSpecGenerator(b, s); err != nil {
		return nil, err
	}
	if err := b.podmanDefaults(); err != nil {
		return nil, err
	}
	var env map[string]string
	var stopSignal *int
	var restartPolicy string
	var restartTries *uint
	var shmSize *int64
	var readWriteTmpfs *bool
	var entrypoint *[]string
	var imageVolumeMode, apparmor, seccomp string
	var selinuxOpts []string
	var noNewPrivs bool
	var pidns, ipcns, utsns, cgroupns namespace
	var rlimits []specRlimit
	var sysctl map[string]string
	var devices []struct {
		Path string `json:"path"`
	}
	var deviceRules []struct {
		Allow  bool   `json:"allow"`
		Type   string `json:"type"`
		Major  *int64 `json:"major"`
		Minor  *int64 `json:"minor"`
		Access string `json:"access"`
	}
	var mounts []specMount
	var volumes []specNamedVolume
	var imageVolumes []specImageVolume
	var logCfg struct {
		Driver  string            `json:"driver"`
		Options map[string]string `json:"options"`
	}
	for _, f := range []struct {
		key string
		v   any
	}{
		{"name", &s.Name}, {"pod", &s.Pod}, {"init_container_type", &s.InitContainerType}, {"image", &s.Image}, {"rootfs", &s.Rootfs},
		{"command", &s.Command}, {"entrypoint", &entrypoint}, {"env", &env}, {"env_host", &s.EnvHost},
		{"work_dir", &s.WorkDir}, {"user", &s.User}, {"labels", &s.Labels}, {"hostname", &s.Hostname},
		{"terminal", &s.Terminal}, {"stdin", &s.Stdin}, {"remove", &s.Remove}, {"init", &s.Init},
		{"init_path", &s.InitPath}, {"read_only_filesystem", &s.ReadOnly}, {"read_write_tmpfs", &readWriteTmpfs},
		{"privileged", &s.Privileged}, {"stop_signal", &stopSignal}, {"stop_timeout", &s.StopTimeout},
		{"restart_policy", &restartPolicy}, {"restart_tries", &restartTries}, {"cgroup_parent", &s.CgroupParent}, {"cgroups_mode", &s.CgroupsMode},
		{"shm_size", &shmSize}, {"r_limits", &rlimits},
		{"cap_add", &s.CapAdd}, {"cap_drop", &s.CapDrop}, {"selinux_opts", &selinuxOpts},
		{"apparmor_profile", &apparmor}, {"seccomp_profile_path", &seccomp}, {"no_new_privileges", &noNewPrivs},
		{"sysctl", &sysctl}, {"devices", &devices}, {"groups", &s.GroupAdd}, {"mounts", &mounts},
		{"volumes", &volumes}, {"volumes_from", &s.VolumesFrom}, {"image_volume_mode", &imageVolumeMode},
		{"image_volumes", &imageVolumes},
		{"pidns", &pidns}, {"ipcns", &ipcns}, {"utsns", &utsns}, {"cgroupns", &cgroupns},
		{"log_configuration", &logCfg}, {"oci_runtime", &s.Runtime}, {"containerCreateCommand", &s.CreateCommand},
		{"dependencyContainers", &s.Requires}, {"oom_score_adj", &s.OOMScoreAdj},
		{"device_cgroup_rule", &deviceRules}, {"unified", &s.CgroupConf},
	} {
		if err := b.take(f.key, f.v); err != nil {
			return nil, err
		}
	}
	if err := resourcesToSpec(b, &s.Memory, &s.MemorySwap, &s.NanoCPUs, &s.CPUShares, &s.PidsLimit, s); err != nil {
		return nil, err
	}
	var net netFields
	if err := net.take(b); err != nil {
		return nil, err
	}
	if err := b.rest(); err != nil {
		return nil, err
	}
	if entrypoint != nil {
		s.Entrypoint, s.EntrypointSet = *entrypoint, true
	}
	for _, k := range sortedKeys(env) {
		s.Env = append(s.Env, k+"="+env[k])
	}
	if readWriteTmpfs != nil && !*readWriteTmpfs {
		s.NoReadOnlyTmpfs = true
	}
	if stopSignal != nil && *stopSignal != 0 {
		s.StopSignal = syscall.Signal(*stopSignal)
	}
	if restartPolicy != "" {
		s.Restart.Name = restartPolicy
	}
	if restartTries != nil && *restartTries > 0 {
		s.Restart.MaxRetries = *restartTries
	}
	if shmSize != nil && *shmSize > 0 {
		s.ShmSize = *shmSize
	}
	for _, l := range rlimits {
		s.Ulimits = append(s.Ulimits, spec.Ulimit{Name: strings.ToLower(strings.TrimPrefix(l.Type, "RLIMIT_")),
			Soft: rlimitValue(l.Soft), Hard: rlimitValue(l.Hard)})
	}
	for _, o := range selinuxOpts {
		s.SecurityOpt = append(s.SecurityOpt, "label="+o)
	}
	if apparmor != "" {
		s.SecurityOpt = append(s.SecurityOpt, "apparmor="+apparmor)
	}
	if seccomp != "" {
		s.SecurityOpt = append(s.SecurityOpt, "seccomp="+seccomp)
	}
	if noNewPrivs {
		s.SecurityOpt = append(s.SecurityOpt, "no-new-privileges")
	}
	if len(sysctl) > 0 {
		s.Sysctls = sysctl
	}
	for _, d := range devices {
		dev, err := specflag.Device(d.Path)
		if err != nil {
			return nil, badRequest(fmt.Errorf("devices: %w", err))
		}
		s.Devices = append(s.Devices, dev)
	}
	for _, r := range deviceRules {
		if !r.Allow {
			return nil, badRequest(fmt.Errorf("device_cgroup_rule: only allow rules can be added"))
		}
		s.DeviceCgroupRules = append(s.DeviceCgroupRules, spec.DeviceCgroupRule{Type: r.Type, Major: r.Major, Minor: r.Minor, Access: r.Access})
	}
	ms, err := specMounts(mounts, volumes)
	if err != nil {
		return nil, err
	}
	s.Mounts = ms
	for _, iv := range imageVolumes {
		s.Mounts = append(s.Mounts, spec.Mount{Type: spec.MountImage, Source: iv.Source, Destination: iv.Destination, ReadWrite: iv.ReadWrite, SubPath: iv.SubPath})
	}
	switch imageVolumeMode {
	case "", "anonymous":
	case "tmpfs", "ignore":
		s.ImageVolume = imageVolumeMode
	default:
		return nil, badRequest(fmt.Errorf("image_volume_mode %q is not supported by berth", imageVolumeMode))
	}
	s.Pid, s.IPC, s.UTS, s.CgroupNS = pidns.mode(), ipcns.mode(), utsns.mode(), cgroupns.mode()
	s.LogDriver = logCfg.Driver
	for _, k := range sortedKeys(logCfg.Options) {
		s.LogOpts = append(s.LogOpts, k+"="+logCfg.Options[k])
	}
	if err := net.apply(&s.Network, &s.NetworkAlias, &s.IP, &s.MacAddress, &s.Ports, &s.PublishAll, &s.Expose,
		&s.DNS, &s.DNSSearch, &s.DNSOption, &s.AddHost, &s.NoHosts); err != nil {
		return nil, err
	}
	return s, nil
}

// rlimitValue is an OCI rlimit number as a spec.Ulimit's (-1 unlimited).
func rlimitValue(v uint64) int64 {
	if v > math.MaxInt64 {
		return -1
	}
	return int64(v)
}

// specMounts reads SpecGenerator's mounts (binds, tmpfs and the rest in
// mount(8) option form) and named or anonymous volumes, through the
// CLI's -v, --tmpfs and --mount parsers.
func specMounts(mounts []specMount, volumes []specNamedVolume) ([]spec.Mount, error) {
	var out []spec.Mount
	for _, m := range mounts {
		var (
			sm  spec.Mount
			err error
		)
		switch m.Type {
		case "bind":
			v := m.Source + ":" + m.Destination
			if len(m.Options) > 0 {
				v += ":" + strings.Join(m.Options, ",")
			}
			sm, err = specflag.Volume(v)
		case "tmpfs":
			// rprivate is every mount's propagation in berth already
			// (podman's client adds it to the tmpfs of --read-only).
			var opts []string
			for _, o := range m.Options {
				if o != "rprivate" && o != "private" {
					opts = append(opts, o)
				}
			}
			sm, err = specflag.TmpfsOptions("mounts", m.Destination, m.Destination, strings.Join(opts, ","))
		default:
			parts := []string{"type=" + m.Type}
			if m.Source != "" {
				parts = append(parts, "src="+m.Source)
			}
			// type=glob expands here, on the service's host, as podman's.
			var ms []spec.Mount
			ms, err = specflag.Mounts(strings.Join(append(append(parts, "dst="+m.Destination), m.Options...), ","))
			if err != nil {
				return nil, badRequest(fmt.Errorf("mounts: %w", err))
			}
			out = append(out, ms...)
			continue
		}
		if err != nil {
			return nil, badRequest(fmt.Errorf("mounts: %w", err))
		}
		out = append(out, sm)
	}
	for _, v := range volumes {
		arg := v.Name + ":" + v.Dest
		if v.IsAnonymous || v.Name == "" {
			arg = v.Dest
		}
		if len(v.Options) > 0 {
			if arg == v.Dest {
				return nil, badRequest(fmt.Errorf("volumes: options of an anonymous volume are not supported by berth"))
			}
			arg += ":" + strings.Join(v.Options, ",")
		}
		sm, err := specflag.Volume(arg)
		if err != nil {
			return nil, badRequest(fmt.Errorf("volumes: %w", err))
		}
		out = append(out, sm)
	}
	return out, nil
}

// resourcesToSpec maps resource_limits (OCI LinuxResources) onto the
// CLI's --memory, --memory-swap, --cpus, --cpu-shares and --pids-limit;
// any other limit set is refused by its path.
func resourcesToSpec(b body, memory, swap, nanoCPUs *int64, shares *uint64, pids **int64, ctr *spec.ContainerSpec) error {
	var res map[string]map[string]any
	if err := b.take("resource_limits", &res); err != nil {
		return err
	}
	known := map[string]bool{"memory.limit": true, "memory.swap": true, "cpu.shares": true, "cpu.quota": true, "cpu.period": true, "pids.limit": true}
	if ctr != nil {
		for _, k := range []string{"memory.reservation", "memory.swappiness", "memory.disableOOMKiller", "cpu.cpus", "cpu.mems", "blockIO.weight"} {
			known[k] = true
		}
	}
	for _, group := range mapKeys(res) {
		if group == "unified" && ctr != nil {
			continue // --cgroup-conf, below
		}
		for _, k := range mapKeys(res[group]) {
			if v := res[group][k]; !isZero(v) && !known[group+"."+k] {
				return badRequest(fmt.Errorf("resource_limits.%s.%s is not supported by berth", group, k))
			}
		}
	}
	num := func(group, key string) (float64, bool) {
		v, ok := res[group][key].(float64)
		return v, ok && v != 0
	}
	if v, ok := num("memory", "limit"); ok && v > 0 {
		*memory = int64(v)
	}
	if v, ok := num("memory", "swap"); ok {
		*swap = int64(v)
	}
	if v, ok := num("cpu", "shares"); ok {
		*shares = uint64(v)
	}
	if q, ok := num("cpu", "quota"); ok && q > 0 {
		period, ok := num("cpu", "period")
		if !ok {
			period = 100000
		}
		*nanoCPUs = int64(q / period * 1e9)
	}
	if v, ok := num("pids", "limit"); ok {
		p := int64(v)
		*pids = &p
	}
	if ctr != nil {
		if v, ok := num("memory", "reservation"); ok {
			ctr.MemoryReservation = int64(v)
		}
		// 0 is a swappiness too: present counts, not non-zero.
		if v, ok := res["memory"]["swappiness"].(float64); ok {
			sw := int64(v)
			ctr.MemorySwappiness = &sw
		}
		ctr.OOMKillDisable, _ = res["memory"]["disableOOMKiller"].(bool)
		ctr.CpusetCPUs, _ = res["cpu"]["cpus"].(string)
		ctr.CpusetMems, _ = res["cpu"]["mems"].(string)
		if v, ok := num("blockIO", "weight"); ok {
			ctr.BlkioWeight = uint16(min(max(v, 0), 65535))
		}
		for k, v := range res["unified"] {
			str, ok := v.(string)
			if !ok {
				return badRequest(fmt.Errorf("resource_limits.unified.%s: the value must be a string", k))
			}
			if ctr.CgroupConf == nil {
				ctr.CgroupConf = map[string]string{}
			}
			ctr.CgroupConf[k] = str
		}
	}
	return nil
}

// netFields are the networking keys containers and pods share.
type netFields struct {
	netns       namespace
	networks    map[string]specNetwork
	ports       []specPort
	publishAll  bool
	expose      map[string]string
	dns         []string
	dnsSearch   []string
	dnsOption   []string
	hostAdd     []string
	noHosts     bool
	staticIP    string
	staticMAC   string
	networkOpts map[string][]string
}

func (n *netFields) take(b body) error {
	for _, f := range []struct {
		key string
		v   any
	}{
		{"netns", &n.netns}, {"Networks", &n.networks}, {"portmappings", &n.ports},
		{"publish_image_ports", &n.publishAll}, {"expose", &n.expose}, {"dns_server", &n.dns},
		{"dns_search", &n.dnsSearch}, {"dns_option", &n.dnsOption}, {"hostadd", &n.hostAdd},
		{"no_manage_hosts", &n.noHosts}, {"static_ip", &n.staticIP}, {"static_mac", &n.staticMAC},
		{"network_options", &n.networkOpts},
	} {
		if err := b.take(f.key, f.v); err != nil {
			return err
		}
	}
	if len(n.networkOpts) > 0 {
		return badRequest(fmt.Errorf("network_options are not supported by berth"))
	}
	for name, nw := range n.networks {
		if nw.InterfaceName != "" {
			return badRequest(fmt.Errorf("interface_name (network %s) is not supported by berth", name))
		}
		if len(nw.StaticIPs) > 1 {
			return badRequest(fmt.Errorf("static_ips (network %s): berth takes one address per container", name))
		}
	}
	return nil
}

// apply writes the networking keys as the CLI's flag values.
func (n *netFields) apply(network, aliases *[]string, ip, mac *string, publish *[]spec.PortMapping, publishAll *bool, expose *[]spec.ExposedPort,
	dns, dnsSearch, dnsOption, addHost *[]string, noHosts *bool) error {
	// bridge with networks named is those networks (podman's default).
	if m := n.netns.mode(); m != "" && m != "private" && !(m == "bridge" && len(n.networks) > 0) {
		*network = append(*network, m)
	}
	for _, name := range mapKeys(n.networks) {
		nw := n.networks[name]
		if n.netns.NSMode == "" || n.netns.NSMode == "bridge" {
			*network = append(*network, name)
		}
		*aliases = append(*aliases, nw.Aliases...)
		if len(nw.StaticIPs) == 1 {
			*ip = nw.StaticIPs[0]
		}
		if nw.StaticMac != "" {
			*mac = nw.StaticMac
		}
	}
	if n.staticIP != "" {
		*ip = n.staticIP
	}
	if n.staticMAC != "" {
		*mac = n.staticMAC
	}
	for _, p := range n.ports {
		proto := p.Protocol
		if proto == "" {
			proto = "tcp"
		}
		for _, pr := range strings.Split(proto, ",") {
			*publish = append(*publish, spec.PortMapping{HostIP: p.HostIP, HostPort: p.HostPort,
				ContainerPort: p.ContainerPort, Range: p.Range, Protocol: pr})
		}
	}
	*publishAll = n.publishAll
	for _, p := range mapKeys(n.expose) {
		proto := n.expose[p]
		if proto == "" {
			proto = "tcp"
		}
		e, err := specflag.Expose(p + "/" + proto)
		if err != nil {
			return badRequest(fmt.Errorf("expose: %w", err))
		}
		*expose = append(*expose, e)
	}
	*dns, *dnsSearch, *dnsOption, *addHost, *noHosts = n.dns, n.dnsSearch, n.dnsOption, n.hostAdd, n.noHosts
	return nil
}

// onFailureActions are podman's HealthCheckOnFailureAction numbers (1 is
// its "invalid").
var onFailureActions = map[int]string{0: "none", 2: "kill", 3: "restart", 4: "stop"}

// healthFromSpecGenerator reads healthconfig (docker's HealthConfig
// shape), the on-failure action, the startup check and where to keep the
// log. podman 5 sends the log keys with every body: they count only with
// a check.
func healthFromSpecGenerator(b body) (*spec.HealthConfig, error) {
	var hc *container.HealthConfig
	var action int
	var startup *struct {
		container.HealthConfig
		Successes int `json:"Successes"`
	}
	var logDest string
	var maxCount, maxSize *uint
	for _, f := range []struct {
		key string
		v   any
	}{
		{"healthconfig", &hc}, {"health_check_on_failure_action", &action}, {"startupHealthConfig", &startup},
		{"healthLogDestination", &logDest}, {"healthMaxLogCount", &maxCount}, {"healthMaxLogSize", &maxSize},
	} {
		if err := b.take(f.key, f.v); err != nil {
			return nil, err
		}
	}
	h, err := healthFromCreate(hc)
	if err != nil {
		return nil, badRequest(err)
	}
	name, ok := onFailureActions[action]
	if !ok {
		return nil, badRequest(fmt.Errorf("health_check_on_failure_action %d is not valid", action))
	}
	if h == nil {
		if action != 0 || startup != nil {
			return nil, badRequest(fmt.Errorf("health_check_on_failure_action and startupHealthConfig need a healthconfig"))
		}
		return nil, nil
	}
	if h.Disable {
		return h, nil
	}
	h.OnFailure = name
	h.LogDestination, h.MaxLogCount, h.MaxLogSize = logDest, maxCount, maxSize
	if startup != nil {
		st, err := healthFromCreate(&startup.HealthConfig)
		if err != nil || st == nil || len(st.Test) == 0 {
			return nil, badRequest(fmt.Errorf("startupHealthConfig needs a test command"))
		}
		h.Startup = &spec.StartupHealthConfig{Test: st.Test, Successes: startup.Successes}
		if st.Interval != nil {
			h.Startup.Interval = *st.Interval
		}
		if st.Timeout != nil {
			h.Startup.Timeout = *st.Timeout
		}
		if st.Retries != nil {
			h.Startup.Retries = *st.Retries
		}
	}
	return h, nil
}
