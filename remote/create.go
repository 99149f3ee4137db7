package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
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
	"Volumes": true, "Network": true, "NetworkAlias": true, "Publish": true, "PublishAll": true,
	"DNS": true, "DNSSearch": true, "AddHost": true, "Pod": true, "CreateCommand": true, "ImageVolume": true,
}

// flagOf names the command-line flag of a spec field, for errors.
var flagOf = map[string]string{
	"EnvHost": "--env-host", "Rootfs": "--rootfs", "InitPath": "--init-path", "NoReadOnlyTmpfs": "--read-only-tmpfs",
	"CgroupParent": "--cgroup-parent", "ShmSize": "--shm-size", "Ulimits": "--ulimit", "Memory": "--memory",
	"MemorySwap": "--memory-swap", "CPUs": "--cpus", "CPUShares": "--cpu-shares", "PidsLimit": "--pids-limit",
	"SecurityOpt": "--security-opt", "Sysctls": "--sysctl", "Devices": "--device", "GroupAdd": "--group-add",
	"Tmpfs": "--tmpfs", "VolumesFrom": "--volumes-from", "Requires": "--requires",
	"Mounts": "--mount", "Expose": "--expose", "DNSOption": "--dns-option", "NoHosts": "--no-hosts", "IP": "--ip",
	"MacAddress": "--mac-address", "Pid": "--pid", "IPC": "--ipc", "UTS": "--uts", "CgroupNS": "--cgroupns",
	"LogDriver": "--log-driver", "LogOpts": "--log-opt", "Runtime": "--runtime",
}

// specGenerator turns the mappable part of s into podman's SpecGenerator
// JSON.
func specGenerator(s *spec.ContainerSpec) (map[string]any, error) {
	v := reflect.ValueOf(*s)
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if !remoteSpecFields[name] && !v.Field(i).IsZero() {
			flag := flagOf[name]
			if flag == "" {
				flag = "the " + name + " setting"
			}
			return nil, errdefs.New(errdefs.ErrNotImplemented, fmt.Sprintf("%s is not supported with --remote", flag))
		}
	}
	g := map[string]any{"image": s.Image, "terminal": s.Terminal, "stdin": s.Stdin, "remove": s.Remove,
		"init": s.Init, "read_only_filesystem": s.ReadOnly, "privileged": s.Privileged}
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
	if s.StopSignal != "" {
		sig, err := spec.ParseSignal(s.StopSignal)
		if err != nil {
			return nil, err
		}
		g["stop_signal"] = int(sig)
	}
	if s.Restart != "" {
		policy, tries, err := spec.ParseRestartPolicy(s.Restart)
		if err != nil {
			return nil, err
		}
		g["restart_policy"] = policy
		set("restart_tries", tries, tries > 0)
	}
	env, err := specEnv(s)
	if err != nil {
		return nil, err
	}
	set("env", env, len(env) > 0)
	if err := specVolumes(g, s.Volumes); err != nil {
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

// specVolumes maps -v: an absolute source is a bind mount, another one a
// named volume, a lone path an anonymous volume.
func specVolumes(g map[string]any, vols []string) error {
	var mounts, named []map[string]any
	for _, v := range vols {
		parts := strings.Split(v, ":")
		var src, dst string
		var opts []string
		switch len(parts) {
		case 1:
			dst = parts[0]
		case 2, 3:
			src, dst = parts[0], parts[1]
			if len(parts) == 3 {
				opts = strings.Split(parts[2], ",")
			}
		default:
			return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf("invalid -v %q: want [SOURCE:]DESTINATION[:OPTIONS]", v))
		}
		if !filepath.IsAbs(dst) {
			return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf("invalid -v %q: the destination must be an absolute path", v))
		}
		if opts == nil {
			opts = []string{}
		}
		switch {
		case src == "":
			named = append(named, map[string]any{"Name": "", "Dest": dst, "Options": opts, "IsAnonymous": true})
		case filepath.IsAbs(src):
			mounts = append(mounts, map[string]any{"destination": dst, "type": "bind", "source": src, "options": opts})
		default:
			named = append(named, map[string]any{"Name": src, "Dest": dst, "Options": opts})
		}
	}
	if len(mounts) > 0 {
		g["mounts"] = mounts
	}
	if len(named) > 0 {
		g["volumes"] = named
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
	for _, p := range s.Publish {
		pms, err := service.ParsePublish(p)
		if err != nil {
			return err
		}
		for _, pm := range pms {
			ports = append(ports, map[string]any{"host_ip": pm.HostIP, "container_port": pm.ContainerPort,
				"host_port": pm.HostPort, "range": max(pm.Range, 1), "protocol": pm.Protocol})
		}
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
