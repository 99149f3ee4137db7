package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/spec"
)

// This file is the one place podman's SpecGenerator (libpod container
// create) and PodSpecGenerator (pod create) become berth's specs, in the
// CLI's own value forms so spec/generate validates them as it does flags.
// Every key of the body is accounted for: mapped, a podman default that
// berth's behaviour already matches, or zero (null, "", 0, false, {}, []);
// anything else is refused with 400 naming the field, not dropped.

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

// body is a decoded request body: its keys not yet accounted for.
type body map[string]json.RawMessage

func decodeSpecBody(r *http.Request) (body, error) {
	var b body
	if err := decodeBody(r, &b); err != nil {
		return nil, err
	}
	return b, nil
}

// take decodes key into v (when present) and marks it accounted for.
func (b body) take(key string, v any) error {
	raw, ok := b[key]
	if !ok {
		return nil
	}
	delete(b, key)
	if err := json.Unmarshal(raw, v); err != nil {
		return badRequest(fmt.Errorf("invalid %s: %w", key, err))
	}
	return nil
}

// allow accounts for key when its value is one of podman's defaults.
func (b body) allow(key string, defaults ...string) {
	raw, ok := b[key]
	if !ok {
		return
	}
	for _, d := range defaults {
		if bytes.Equal(bytes.TrimSpace(raw), []byte(d)) {
			delete(b, key)
			return
		}
	}
}

// rest refuses the first key left with a non-zero value.
func (b body) rest() error {
	for _, k := range sortedKeys2(b) {
		var v any
		if err := json.Unmarshal(b[k], &v); err != nil || !isZero(v) {
			return badRequest(fmt.Errorf("%s is not supported by berth", k))
		}
	}
	return nil
}

func isZero(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case float64:
		return t == 0
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case map[string]any:
		for _, e := range t {
			if !isZero(e) {
				return false
			}
		}
		return true
	}
	return false
}

// podmanDefaults accounts for what podman's client sends on every create
// from its own containers.conf defaults, where berth behaves the same.
func (b body) podmanDefaults() error {
	b.allow("httpproxy", "true", "false") // berth passes no proxy variables of its own
	b.allow("systemd", `"true"`, `"false"`)
	b.allow("sdnotifyMode", `"container"`, `"ignore"`)
	b.allow("manage_password", "true")
	b.allow("umask", `"0022"`)
	b.allow("cgroups_mode", `"enabled"`)
	b.allow("seccomp_policy", `"default"`)
	b.allow("image_volume_mode", `"anonymous"`)
	b.allow("share_parent", "true")
	b.allow("exit_policy", `"continue"`)
	delete(b, "raw_image_name") // the name as typed: "image" holds it too
	var ann map[string]string
	if err := b.take("annotations", &ann); err != nil {
		return err
	}
	for k := range ann {
		if k != "io.kubernetes.cri-o.TTY" {
			return badRequest(fmt.Errorf("annotations (%s) are not supported by berth", k))
		}
	}
	// The identity mapping (no user namespace) is the only one berth has.
	var idm struct {
		HostUIDMapping, HostGIDMapping bool
		UIDMap, GIDMap                 []any
		AutoUserNs                     bool
	}
	if _, ok := b["idmappings"]; ok {
		if err := b.take("idmappings", &idm); err != nil {
			return err
		}
		if len(idm.UIDMap) > 0 || len(idm.GIDMap) > 0 || idm.AutoUserNs {
			return badRequest(fmt.Errorf("idmappings are not supported by berth"))
		}
	}
	return nil
}

// specFromSpecGenerator reads podman's SpecGenerator body.
func specFromSpecGenerator(r *http.Request) (*spec.ContainerSpec, error) {
	b, err := decodeSpecBody(r)
	if err != nil {
		return nil, err
	}
	if err := b.podmanDefaults(); err != nil {
		return nil, err
	}
	s := &spec.ContainerSpec{CreateCommand: []string{}}
	var env map[string]string
	var stopSignal *int
	var restartTries *uint
	var shmSize *int64
	var readWriteTmpfs *bool
	var entrypoint *[]string
	var imageVolumeMode, apparmor, seccomp string
	var selinuxOpts []string
	var noNewPrivs bool
	var pidns, ipcns, utsns, cgroupns, userns namespace
	var rlimits []specRlimit
	var sysctl map[string]string
	var devices []struct {
		Path string `json:"path"`
	}
	var mounts []specMount
	var volumes []specNamedVolume
	var logCfg struct {
		Driver  string            `json:"driver"`
		Options map[string]string `json:"options"`
	}
	for _, f := range []struct {
		key string
		v   any
	}{
		{"name", &s.Name}, {"pod", &s.Pod}, {"image", &s.Image}, {"rootfs", &s.Rootfs},
		{"command", &s.Command}, {"entrypoint", &entrypoint}, {"env", &env}, {"env_host", &s.EnvHost},
		{"work_dir", &s.WorkDir}, {"user", &s.User}, {"labels", &s.Labels}, {"hostname", &s.Hostname},
		{"terminal", &s.Terminal}, {"stdin", &s.Stdin}, {"remove", &s.Remove}, {"init", &s.Init},
		{"init_path", &s.InitPath}, {"read_only_filesystem", &s.ReadOnly}, {"read_write_tmpfs", &readWriteTmpfs},
		{"privileged", &s.Privileged}, {"stop_signal", &stopSignal}, {"stop_timeout", &s.StopTimeout},
		{"restart_policy", &s.Restart}, {"restart_tries", &restartTries}, {"cgroup_parent", &s.CgroupParent},
		{"shm_size", &shmSize}, {"r_limits", &rlimits},
		{"cap_add", &s.CapAdd}, {"cap_drop", &s.CapDrop}, {"selinux_opts", &selinuxOpts},
		{"apparmor_profile", &apparmor}, {"seccomp_profile_path", &seccomp}, {"no_new_privileges", &noNewPrivs},
		{"sysctl", &sysctl}, {"devices", &devices}, {"groups", &s.GroupAdd}, {"mounts", &mounts},
		{"volumes", &volumes}, {"volumes_from", &s.VolumesFrom}, {"image_volume_mode", &imageVolumeMode},
		{"pidns", &pidns}, {"ipcns", &ipcns}, {"utsns", &utsns}, {"cgroupns", &cgroupns}, {"userns", &userns},
		{"log_configuration", &logCfg}, {"oci_runtime", &s.Runtime}, {"containerCreateCommand", &s.CreateCommand},
		{"dependencyContainers", &s.Requires},
	} {
		if err := b.take(f.key, f.v); err != nil {
			return nil, err
		}
	}
	if err := resourcesToSpec(b, &s.Memory, &s.MemorySwap, &s.CPUs, &s.CPUShares, &s.PidsLimit); err != nil {
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
		s.StopSignal = strconv.Itoa(*stopSignal)
	}
	if restartTries != nil && *restartTries > 0 {
		s.Restart += ":" + strconv.FormatUint(uint64(*restartTries), 10)
	}
	if shmSize != nil && *shmSize > 0 {
		s.ShmSize = strconv.FormatInt(*shmSize, 10)
	}
	for _, l := range rlimits {
		s.Ulimits = append(s.Ulimits, fmt.Sprintf("%s=%d:%d", strings.ToLower(strings.TrimPrefix(l.Type, "RLIMIT_")), l.Soft, l.Hard))
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
	for _, k := range sortedKeys(sysctl) {
		s.Sysctls = append(s.Sysctls, k+"="+sysctl[k])
	}
	for _, d := range devices {
		s.Devices = append(s.Devices, d.Path)
	}
	for _, m := range mounts {
		switch m.Type {
		case "bind":
			v := m.Source + ":" + m.Destination
			if len(m.Options) > 0 {
				v += ":" + strings.Join(m.Options, ",")
			}
			s.Volumes = append(s.Volumes, v)
		case "tmpfs":
			v := m.Destination
			if len(m.Options) > 0 {
				v += ":" + strings.Join(m.Options, ",")
			}
			s.Tmpfs = append(s.Tmpfs, v)
		default:
			parts := []string{"type=" + m.Type}
			if m.Source != "" {
				parts = append(parts, "src="+m.Source)
			}
			s.Mounts = append(s.Mounts, strings.Join(append(append(parts, "dst="+m.Destination), m.Options...), ","))
		}
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
		s.Volumes = append(s.Volumes, arg)
	}
	switch imageVolumeMode {
	case "", "anonymous":
	case "tmpfs", "ignore":
		s.ImageVolume = imageVolumeMode
	default:
		return nil, badRequest(fmt.Errorf("image_volume_mode %q is not supported by berth", imageVolumeMode))
	}
	s.Pid, s.IPC, s.UTS, s.CgroupNS = pidns.mode(), ipcns.mode(), utsns.mode(), cgroupns.mode()
	if m := userns.mode(); m != "" && m != "host" {
		return nil, badRequest(fmt.Errorf("userns %q is not supported by berth", m))
	}
	s.LogDriver = logCfg.Driver
	for _, k := range sortedKeys(logCfg.Options) {
		s.LogOpts = append(s.LogOpts, k+"="+logCfg.Options[k])
	}
	net.apply(&s.Network, &s.NetworkAlias, &s.IP, &s.MacAddress, &s.Publish, &s.PublishAll, &s.Expose,
		&s.DNS, &s.DNSSearch, &s.DNSOption, &s.AddHost, &s.NoHosts)
	return s, nil
}

// resourcesToSpec maps resource_limits (OCI LinuxResources) onto the
// CLI's --memory, --memory-swap, --cpus, --cpu-shares and --pids-limit;
// any other limit set is refused by its path.
func resourcesToSpec(b body, memory, swap, cpus *string, shares *uint64, pids **int64) error {
	var res map[string]map[string]any
	if err := b.take("resource_limits", &res); err != nil {
		return err
	}
	known := map[string]bool{"memory.limit": true, "memory.swap": true, "cpu.shares": true, "cpu.quota": true, "cpu.period": true, "pids.limit": true}
	for _, group := range sortedKeys2(res) {
		for _, k := range sortedKeys2(res[group]) {
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
		*memory = strconv.FormatInt(int64(v), 10)
	}
	if v, ok := num("memory", "swap"); ok {
		*swap = strconv.FormatInt(int64(v), 10)
	}
	if v, ok := num("cpu", "shares"); ok {
		*shares = uint64(v)
	}
	if q, ok := num("cpu", "quota"); ok && q > 0 {
		period, ok := num("cpu", "period")
		if !ok {
			period = 100000
		}
		*cpus = strconv.FormatFloat(q/period, 'f', -1, 64)
	}
	if v, ok := num("pids", "limit"); ok {
		p := int64(v)
		*pids = &p
	}
	return nil
}

func sortedKeys2[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
			return badRequest(fmt.Errorf("Networks.%s.interface_name is not supported by berth", name))
		}
		if len(nw.StaticIPs) > 1 {
			return badRequest(fmt.Errorf("Networks.%s.static_ips: berth takes one address per container", name))
		}
	}
	return nil
}

// apply writes the networking keys as the CLI's flag values.
func (n *netFields) apply(network, aliases *[]string, ip, mac *string, publish *[]string, publishAll *bool, expose *[]string,
	dns, dnsSearch, dnsOption, addHost *[]string, noHosts *bool) {
	if m := n.netns.mode(); m != "" && m != "private" {
		*network = append(*network, m)
	}
	for _, name := range sortedKeys2(n.networks) {
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
			ctr := strconv.Itoa(int(p.ContainerPort))
			host := ""
			if p.HostPort != 0 {
				host = strconv.Itoa(int(p.HostPort))
			}
			if p.Range > 1 {
				ctr += "-" + strconv.Itoa(int(p.ContainerPort+p.Range-1))
				if host != "" {
					host += "-" + strconv.Itoa(int(p.HostPort+p.Range-1))
				}
			}
			v := ctr + "/" + pr
			if host != "" || p.HostIP != "" {
				v = host + ":" + v
			}
			if p.HostIP != "" {
				hip := p.HostIP
				if strings.Contains(hip, ":") {
					hip = "[" + hip + "]"
				}
				v = hip + ":" + v
			}
			*publish = append(*publish, v)
		}
	}
	*publishAll = n.publishAll
	for _, p := range sortedKeys2(n.expose) {
		proto := n.expose[p]
		if proto == "" {
			proto = "tcp"
		}
		*expose = append(*expose, p+"/"+proto)
	}
	*dns, *dnsSearch, *dnsOption, *addHost, *noHosts = n.dns, n.dnsSearch, n.dnsOption, n.hostAdd, n.noHosts
}

// podSpecFromGenerator reads podman's PodSpecGenerator body.
func podSpecFromGenerator(r *http.Request) (*spec.PodSpec, error) {
	b, err := decodeSpecBody(r)
	if err != nil {
		return nil, err
	}
	if err := b.podmanDefaults(); err != nil {
		return nil, err
	}
	ps := &spec.PodSpec{Infra: true, CreateCommand: []string{}}
	var noInfra bool
	var pidns, userns namespace
	var volumes []specNamedVolume
	var mounts []specMount
	for _, f := range []struct {
		key string
		v   any
	}{
		{"name", &ps.Name}, {"labels", &ps.Labels}, {"hostname", &ps.Hostname},
		{"shared_namespaces", &ps.Share}, {"no_infra", &noInfra}, {"infra_image", &ps.InfraImage},
		{"infra_command", &ps.InfraCommand}, {"infra_name", &ps.InfraName}, {"cgroup_parent", &ps.CgroupParent},
		{"exit_policy", &ps.ExitPolicy}, {"pod_create_command", &ps.CreateCommand}, {"pidns", &pidns},
		{"userns", &userns}, {"volumes", &volumes}, {"mounts", &mounts}, {"volumes_from", &ps.VolumesFrom},
	} {
		if err := b.take(f.key, f.v); err != nil {
			return nil, err
		}
	}
	var cpuShares uint64
	var pids *int64
	if err := resourcesToSpec(b, &ps.Memory, new(string), &ps.CPUs, &cpuShares, &pids); err != nil {
		return nil, err
	}
	if cpuShares != 0 || pids != nil {
		return nil, badRequest(fmt.Errorf("resource_limits: a pod takes only memory and cpus in berth"))
	}
	var net netFields
	if err := net.take(b); err != nil {
		return nil, err
	}
	if err := b.rest(); err != nil {
		return nil, err
	}
	ps.Infra = !noInfra
	ps.Pid = pidns.mode()
	ps.Userns = userns.mode()
	for _, v := range volumes {
		arg := v.Name + ":" + v.Dest
		if len(v.Options) > 0 {
			arg += ":" + strings.Join(v.Options, ",")
		}
		ps.Volumes = append(ps.Volumes, arg)
	}
	for _, m := range mounts {
		if m.Type != "bind" {
			return nil, badRequest(fmt.Errorf("mounts: a pod takes only bind mounts in berth"))
		}
		v := m.Source + ":" + m.Destination
		if len(m.Options) > 0 {
			v += ":" + strings.Join(m.Options, ",")
		}
		ps.Volumes = append(ps.Volumes, v)
	}
	var publishAll bool
	var expose []string
	net.apply(&ps.Network, &ps.NetworkAlias, &ps.IP, &ps.MacAddress, &ps.Publish, &publishAll, &expose,
		&ps.DNS, &ps.DNSSearch, &ps.DNSOption, &ps.AddHost, &ps.NoHosts)
	if publishAll || len(expose) > 0 {
		return nil, badRequest(fmt.Errorf("publish_image_ports and expose are not supported for pods by berth"))
	}
	return ps, nil
}
