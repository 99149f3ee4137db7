package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
)

// Create is POST /libpod/containers/create with the spec in podman's
// SpecGenerator shape. Only the plainly mappable part of a spec is sent
// (see specGenerator); anything else is refused before the request. An
// image the service lacks is pulled there first unless opts.Pull is
// "never", as podman-remote does.
func (c *Client) Create(ctx context.Context, s *spec.ContainerSpec, opts service.CreateOptions) (string, error) {
	body, err := specGenerator(s)
	if err != nil {
		return "", err
	}
	pull := func(policy string) error {
		_, err := c.Pull(ctx, s.Image, service.PullOptions{RegistryOptions: opts.Registry, Policy: policy, ReportWriter: opts.PullWriter})
		return err
	}
	if opts.Pull == "always" || opts.Pull == "newer" {
		if err := pull(opts.Pull); err != nil {
			return "", err
		}
	}
	var resp struct {
		ID string `json:"Id"`
	}
	err = c.do(ctx, http.MethodPost, "/containers/create", nil, body, &resp)
	if errdefs.IsNotFound(err) && (opts.Pull == "" || opts.Pull == "missing") {
		// Most likely the image is missing (a missing network or pod
		// fails again below, the pull then being a no-op).
		if err := pull("missing"); err != nil {
			return "", err
		}
		err = c.do(ctx, http.MethodPost, "/containers/create", nil, body, &resp)
	}
	if err != nil {
		return "", err
	}
	return resp.ID, nil
}

// remoteSpecFields are the spec fields specGenerator sends; a spec with
// any other field set cannot be created remotely.
var remoteSpecFields = map[string]bool{
	"Name": true, "Image": true, "Entrypoint": true, "EntrypointSet": true, "Command": true,
	"Env": true, "EnvFiles": true, "WorkDir": true, "User": true, "Labels": true, "Hostname": true,
	"Terminal": true, "Stdin": true, "Remove": true, "Init": true, "ReadOnly": true, "Privileged": true,
	"StopSignal": true, "StopTimeout": true, "Restart": true, "CapAdd": true, "CapDrop": true,
	"Mounts": true, "Network": true, "NetworkAlias": true, "Ports": true, "PublishAll": true,
	"DNS": true, "DNSSearch": true, "AddHost": true, "Pod": true, "InitContainerType": true, "CreateCommand": true, "ImageVolume": true,
	"Memory": true, "MemorySwap": true, "NanoCPUs": true, "PidsLimit": true, "ShmSize": true, "Ulimits": true,
	"Sysctls": true, "UserNS": true,
	// spec.RunOptions the libpod create takes (podman's SpecGenerator keys).
	"Annotations": true, "Umask": true, "UnsetEnv": true, "UnsetEnvAll": true, "EnvMerge": true, "HTTPProxy": true,
	"Timezone": true, "Timeout": true, "ConmonPidFile": true, "HostsFile": true, "NoHostname": true,
	"SeccompPolicy": true, "ChrootDirs": true, "CgroupsMode": true, "Personality": true, "PasswdEntry": true, "GroupEntry": true,
	"HostUsers": true, "NoPasswd": true, "Systemd": true, "StorageOpts": true, "ShmSizeSystemd": true,
}

// flagOf names the command-line flag of a spec field, for errors.
var flagOf = map[string]string{
	"Attach":  "create --attach",
	"EnvHost": "--env-host", "Rootfs": "--rootfs", "InitPath": "--init-path", "NoReadOnlyTmpfs": "--read-only-tmpfs",
	"CgroupParent": "--cgroup-parent", "ShmSize": "--shm-size", "Ulimits": "--ulimit", "Memory": "--memory",
	"MemorySwap": "--memory-swap", "NanoCPUs": "--cpus", "CPUShares": "--cpu-shares", "PidsLimit": "--pids-limit",
	"SecurityOpt": "--security-opt", "Sysctls": "--sysctl", "Devices": "--device", "GroupAdd": "--group-add",
	"VolumesFrom": "--volumes-from", "Requires": "--requires", "Health": "--health-*",
	"Expose": "--expose", "MemoryReservation": "--memory-reservation", "MemorySwappiness": "--memory-swappiness",
	"CPUPeriod": "--cpu-period", "CPURtPeriod": "--cpu-rt-period", "CPURtRuntime": "--cpu-rt-runtime", "CPUQuota": "--cpu-quota", "CpusetCPUs": "--cpuset-cpus", "CpusetMems": "--cpuset-mems",
	"OOMScoreAdj": "--oom-score-adj", "OOMKillDisable": "--oom-kill-disable", "BlkioWeight": "--blkio-weight",
	"BlkioWeightDevice": "--blkio-weight-device", "DeviceReadBps": "--device-read-bps", "DeviceWriteBps": "--device-write-bps",
	"DeviceReadIOps": "--device-read-iops", "DeviceWriteIOps": "--device-write-iops", "DNSOption": "--dns-option", "NoHosts": "--no-hosts", "IP": "--ip", "IP6": "--ip6", "LinkLocalIP": "--link-local-ip",
	"MacAddress": "--mac-address", "Pid": "--pid", "IPC": "--ipc", "UTS": "--uts", "CgroupNS": "--cgroupns",
	"LogDriver": "--log-driver", "LogOpts": "--log-opt", "Runtime": "--runtime",
	"Secrets": "--secret", "Links": "--link", "Domainname": "--domainname", "PidFile": "--pidfile",
	"PreserveFDs": "--preserve-fds", "PreserveFD": "--preserve-fd",
	"DeviceCgroupRules": "--device-cgroup-rule", "CgroupConf": "--cgroup-conf",
}

// specGenerator turns the mappable part of s into podman's SpecGenerator
// JSON.
func specGenerator(s *spec.ContainerSpec) (map[string]any, error) {
	if err := refuseUnmapped(reflect.ValueOf(*s)); err != nil {
		return nil, err
	}
	g := map[string]any{"image": s.Image, "terminal": s.Terminal, "stdin": s.Stdin, "remove": s.Remove,
		"init": s.Init, "read_only_filesystem": s.ReadOnly, "privileged": s.Privileged, "httpproxy": s.HTTPProxy}
	if s.CgroupsMode != "" {
		g["cgroups_mode"] = s.CgroupsMode
	}
	return specGeneratorFields(s, g)
}

// refuseUnmapped names the first set field of v (a ContainerSpec, or a
// struct embedded in it) the remote create cannot carry.
func refuseUnmapped(v reflect.Value) error {
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if v.Type().Field(i).Anonymous && v.Field(i).Kind() == reflect.Struct {
			if err := refuseUnmapped(v.Field(i)); err != nil {
				return err
			}
			continue
		}
		if !remoteSpecFields[name] && !v.Field(i).IsZero() {
			flag := flagOf[name]
			if flag == "" {
				flag = "the " + name + " setting"
			}
			return errdefs.New(errdefs.ErrNotImplemented, fmt.Sprintf("%s is not supported with --remote", flag))
		}
	}
	return nil
}

// specGeneratorFields adds the set fields of s to the SpecGenerator g.
func specGeneratorFields(s *spec.ContainerSpec, g map[string]any) (map[string]any, error) {
	set := func(k string, v any, ok bool) {
		if ok {
			g[k] = v
		}
	}
	set("name", s.Name, s.Name != "")
	set("command", s.Command, len(s.Command) > 0)
	set("entrypoint", s.Entrypoint, s.EntrypointSet)
	set("work_dir", s.WorkDir, s.WorkDir != "")
	set("user", s.User, s.User != "")
	set("labels", s.Labels, len(s.Labels) > 0)
	set("hostname", s.Hostname, s.Hostname != "")
	set("pod", s.Pod, s.Pod != "")
	set("init_container_type", s.InitContainerType, s.InitContainerType != "")
	set("stop_timeout", s.StopTimeout, s.StopTimeout != nil)
	set("cap_add", s.CapAdd, len(s.CapAdd) > 0)
	set("cap_drop", s.CapDrop, len(s.CapDrop) > 0)
	set("dns_server", s.DNS, len(s.DNS) > 0)
	set("dns_search", s.DNSSearch, len(s.DNSSearch) > 0)
	set("hostadd", s.AddHost, len(s.AddHost) > 0)
	set("publish_image_ports", true, s.PublishAll)
	set("containerCreateCommand", s.CreateCommand, len(s.CreateCommand) > 0)
	// The CLI's "bind" (the default) is SpecGenerator's "anonymous".
	set("image_volume_mode", s.ImageVolume, s.ImageVolume != "" && s.ImageVolume != "bind")
	set("stop_signal", int(s.StopSignal), s.StopSignal != 0)
	if s.Restart.Name != "" {
		g["restart_policy"] = s.Restart.Name
		set("restart_tries", s.Restart.MaxRetries, s.Restart.MaxRetries > 0)
	}
	set("shm_size", s.ShmSize, s.ShmSize > 0)
	set("sysctl", s.Sysctls, len(s.Sysctls) > 0)
	var rlimits []map[string]any
	for _, u := range s.Ulimits {
		rlimits = append(rlimits, map[string]any{"type": "RLIMIT_" + strings.ToUpper(u.Name), "soft": rlimit(u.Soft), "hard": rlimit(u.Hard)})
	}
	set("r_limits", rlimits, len(rlimits) > 0)
	specResources(g, s)
	specUserNS(g, s)
	specRunOptions(g, s)
	env, err := specEnv(s)
	if err != nil {
		return nil, err
	}
	set("env", env, len(env) > 0)
	if err := specMounts(g, s.Mounts); err != nil {
		return nil, err
	}
	if err := specNetwork(g, s); err != nil {
		return nil, err
	}
	return g, nil
}

// specEnv resolves the environment on the client's side, as
// podman-remote does: env files first, then -e (a bare KEY takes the
// client's value, and is left out when the client has none).
func specEnv(s *spec.ContainerSpec) (map[string]string, error) {
	env := map[string]string{}
	var all []string
	for _, f := range s.EnvFiles {
		lines, err := service.ParseEnvFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, lines...)
	}
	for _, e := range append(all, s.Env...) {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			if v, ok = os.LookupEnv(k); !ok {
				continue
			}
		}
		env[k] = v
	}
	return env, nil
}

// rlimit is a spec.Ulimit number as an OCI rlimit's (-1: unlimited).
func rlimit(v int64) uint64 {
	if v < 0 {
		return math.MaxUint64
	}
	return uint64(v)
}

// specResources maps --memory, --memory-swap, --cpus and --pids-limit
// onto resource_limits (OCI LinuxResources).
func specResources(g map[string]any, s *spec.ContainerSpec) {
	res := map[string]any{}
	mem := map[string]any{}
	if s.Memory > 0 {
		mem["limit"] = s.Memory
	}
	if s.MemorySwap != 0 {
		mem["swap"] = s.MemorySwap
	}
	if len(mem) > 0 {
		res["memory"] = mem
	}
	if s.NanoCPUs > 0 {
		const period = 100000
		res["cpu"] = map[string]any{"quota": s.NanoCPUs * period / 1e9, "period": period}
	}
	if s.PidsLimit != nil {
		res["pids"] = map[string]any{"limit": *s.PidsLimit}
	}
	if len(res) > 0 {
		g["resource_limits"] = res
	}
}

// specMounts maps the spec's mounts: binds, tmpfs and other kinds go in
// "mounts" with mount(8) options, named and anonymous volumes in
// "volumes", in the option words -v and --tmpfs use.
func specMounts(g map[string]any, ms []spec.Mount) error {
	var mounts, named, images []map[string]any
	for _, m := range ms {
		if m.Type == spec.MountImage {
			images = append(images, map[string]any{"Source": m.Source, "Destination": m.Destination, "ReadWrite": m.ReadWrite, "subPath": m.SubPath})
			continue
		}
		if len(m.VolumeOptions) > 0 || m.NonRecursive || m.UpperDir != "" || m.WorkDir != "" {
			return errdefs.New(errdefs.ErrNotImplemented, fmt.Sprintf("the mount options of %s are not supported with --remote", m.Destination))
		}
		opts := []string{}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		if m.Propagation != "" {
			opts = append(opts, m.Propagation)
		}
		if m.Chown {
			opts = append(opts, "U")
		}
		if m.Overlay {
			opts = append(opts, "O")
		}
		if m.NoCopy {
			opts = append(opts, "nocopy")
		}
		if m.TmpfsSize > 0 {
			opts = append(opts, "size="+strconv.FormatInt(m.TmpfsSize, 10))
		}
		if m.TmpfsMode != 0 {
			opts = append(opts, "mode="+strconv.FormatUint(uint64(m.TmpfsMode), 8))
		}
		opts = append(opts, m.Options...)
		switch m.Type {
		case spec.MountVolume:
			v := map[string]any{"Name": m.Source, "Dest": m.Destination, "Options": opts}
			if m.Source == "" {
				if len(opts) > 0 {
					return errdefs.New(errdefs.ErrNotImplemented, fmt.Sprintf("options of the anonymous volume %s are not supported with --remote", m.Destination))
				}
				v["IsAnonymous"] = true
			}
			named = append(named, v)
		default:
			mounts = append(mounts, map[string]any{"destination": m.Destination, "type": m.Type, "source": m.Source, "options": opts})
		}
	}
	if len(mounts) > 0 {
		g["mounts"] = mounts
	}
	if len(named) > 0 {
		g["volumes"] = named
	}
	if len(images) > 0 {
		g["image_volumes"] = images
	}
	return nil
}

// specNetwork maps --network, --network-alias and -p.
func specNetwork(g map[string]any, s *spec.ContainerSpec) error {
	networks := map[string]any{}
	for _, n := range s.Network {
		switch {
		case n == "host" || n == "none" || n == "private":
			g["netns"] = map[string]string{"nsmode": n}
		case n == "bridge" || n == "default":
			g["netns"] = map[string]string{"nsmode": "bridge"}
		case strings.HasPrefix(n, "container:"):
			g["netns"] = map[string]string{"nsmode": "container", "value": strings.TrimPrefix(n, "container:")}
		case strings.HasPrefix(n, "ns:"):
			g["netns"] = map[string]string{"nsmode": "path", "value": strings.TrimPrefix(n, "ns:")}
		case strings.Contains(n, ":"):
			return errdefs.New(errdefs.ErrNotImplemented, fmt.Sprintf("--network %q is not supported with --remote", n))
		default:
			g["netns"] = map[string]string{"nsmode": "bridge"}
			networks[n] = map[string]any{"aliases": s.NetworkAlias}
		}
	}
	if len(s.NetworkAlias) > 0 && len(networks) == 0 {
		return errdefs.New(errdefs.ErrNotImplemented, "--network-alias without --network NAME is not supported with --remote")
	}
	if len(networks) > 0 {
		g["Networks"] = networks
	}
	var ports []map[string]any
	for _, pm := range s.Ports {
		ports = append(ports, map[string]any{"host_ip": pm.HostIP, "container_port": pm.ContainerPort,
			"host_port": pm.HostPort, "range": max(pm.Range, 1), "protocol": pm.Protocol})
	}
	if len(ports) > 0 {
		g["portmappings"] = ports
	}
	return nil
}

// readPullStream reads podman's pull stream: progress lines go to
// progress (nil: dropped), an {"error"} object fails the pull, and the
// final {"images"} list goes to done.
func readPullStream(r io.Reader, progress io.Writer, done func([]string)) error {
	dec := json.NewDecoder(r)
	for {
		var msg struct {
			Stream string   `json:"stream"`
			Error  string   `json:"error"`
			Images []string `json:"images"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading the pull progress: %w", err)
		}
		if msg.Error != "" {
			return newRemoteError(http.StatusInternalServerError, msg.Error, "")
		}
		if progress != nil && msg.Stream != "" {
			_, _ = io.WriteString(progress, msg.Stream)
		}
		if done != nil && len(msg.Images) > 0 {
			done(msg.Images)
		}
	}
}

// specRunOptions adds spec.RunOptions under podman's SpecGenerator keys
// (httpproxy is always sent: false is meaningful).
func specRunOptions(g map[string]any, s *spec.ContainerSpec) {
	set := func(k string, v any, ok bool) {
		if ok {
			g[k] = v
		}
	}
	set("annotations", s.Annotations, len(s.Annotations) > 0)
	if s.Umask != nil {
		g["umask"] = fmt.Sprintf("%04o", *s.Umask)
	}
	set("unsetenv", s.UnsetEnv, len(s.UnsetEnv) > 0)
	set("unsetenvall", true, s.UnsetEnvAll)
	set("envmerge", s.EnvMerge, len(s.EnvMerge) > 0)
	set("timezone", s.Timezone, s.Timezone != "")
	set("timeout", s.Timeout, s.Timeout > 0)
	set("conmon_pid_file", s.ConmonPidFile, s.ConmonPidFile != "")
	set("base_hosts_file", s.HostsFile, s.HostsFile != "")
	set("use_image_hostname", true, s.NoHostname)
	set("seccomp_policy", s.SeccompPolicy, s.SeccompPolicy != "")
	set("chroot_directories", s.ChrootDirs, len(s.ChrootDirs) > 0)
	set("personality", map[string]any{"domain": s.Personality}, s.Personality != "")
	set("passwd_entry", s.PasswdEntry, s.PasswdEntry != "")
	set("group_entry", s.GroupEntry, s.GroupEntry != "")
	set("hostusers", s.HostUsers, len(s.HostUsers) > 0)
	set("manage_password", false, s.NoPasswd)
	set("systemd", s.Systemd, s.Systemd != "")
	set("storage_opts", s.StorageOpts, len(s.StorageOpts) > 0)
	set("shm_size_systemd", s.ShmSizeSystemd, s.ShmSizeSystemd > 0)
}
