package quadlet

import (
	"fmt"
	"sort"
	"strings"
)

// flagKeys map a key to the flag each of its values becomes, as is.
var containerFlagKeys = map[string]string{
	"ContainerName": "", // handled first
	"Entrypoint":    "--entrypoint", "EnvironmentFile": "--env-file", "PublishPort": "--publish",
	"ExposeHostPort": "--expose", "Tmpfs": "--tmpfs", "WorkingDir": "--workdir", "HostName": "--hostname",
	"Ulimit": "--ulimit", "ShmSize": "--shm-size", "IP": "--ip", "NetworkAlias": "--network-alias",
	"StopSignal": "--stop-signal", "StopTimeout": "--stop-timeout", "Pull": "--pull", "LogDriver": "--log-driver",
	"HealthCmd": "--health-cmd", "HealthInterval": "--health-interval", "HealthRetries": "--health-retries",
	"HealthStartPeriod": "--health-start-period", "HealthTimeout": "--health-timeout",
	"HealthOnFailure": "--health-on-failure", "HealthStartupCmd": "--health-startup-cmd",
	"HealthStartupInterval": "--health-startup-interval", "HealthStartupRetries": "--health-startup-retries",
	"HealthStartupSuccess": "--health-startup-success", "HealthStartupTimeout": "--health-startup-timeout",
	"HealthLogDestination": "--health-log-destination", "HealthMaxLogCount": "--health-max-log-count",
	"HealthMaxLogSize": "--health-max-log-size", "Device": "--device", "AddHost": "--add-host",
	"DNS": "--dns", "DNSSearch": "--dns-search", "DNSOption": "--dns-option", "GroupAdd": "--group-add",
	"SeccompProfile": "", "Memory": "--memory", "PidsLimit": "--pids-limit", "CgroupsMode": "",
	"Secret": "--secret", "UIDMap": "--uidmap", "GIDMap": "--gidmap", "SubUIDMap": "--subuidname",
	"SubGIDMap": "--subgidname", "UserNS": "--userns", "Timezone": "--tz", "IP6": "--ip6",
	"LogOpt": "--log-opt", "Personality": "--personality", "Retry": "--retry", "RetryDelay": "--retry-delay",
}

// wordKeys: each blank-separated word of a value becomes one flag.
var containerWordKeys = map[string]string{
	"AddCapability": "--cap-add", "DropCapability": "--cap-drop", "Sysctl": "--sysctl",
	"Label": "--label", "Annotation": "--annotation", "Mask": "", "Unmask": "",
}

// containerOther are the keys handled by hand below.
var containerOther = []string{"Image", "Exec", "Environment", "EnvironmentHost", "Volume", "Mount",
	"Network", "Pod", "User", "Group", "ReadOnly", "ReadOnlyTmpfs", "RunInit", "NoNewPrivileges",
	"SecurityLabelDisable", "Notify", "AutoUpdate", "PodmanArgs", "GlobalArgs", "ServiceName",
	"ContainerName", "SeccompProfile", "Mask", "Unmask", "CgroupsMode", "HttpProxy"}

// containerUnsupported are podman's keys berth cannot honour: refused with
// a clear error rather than ignored.
var containerUnsupported = []string{"Rootfs", "SecurityLabelType", "SecurityLabelLevel", "SecurityLabelFileType",
	"SecurityLabelNested", "ReloadCmd", "ReloadSignal", "StartWithPod", "DefaultDependencies"}

func knownKeys(maps []map[string]string, lists ...[]string) map[string]bool {
	k := map[string]bool{}
	for _, m := range maps {
		for key := range m {
			k[key] = true
		}
	}
	for _, l := range lists {
		for _, key := range l {
			k[key] = true
		}
	}
	return k
}

func (c *converter) container(p *parsed) error {
	f := p.file
	const g = "Container"
	if f.section(g, false) == nil {
		return fmt.Errorf("no Container group")
	}
	for _, k := range containerUnsupported {
		if _, ok := f.lookup(g, k); ok {
			return fmt.Errorf("key '%s' in group '%s' is not supported by berth", k, g)
		}
	}
	if err := f.checkKeys(g, knownKeys([]map[string]string{containerFlagKeys, containerWordKeys}, containerOther)); err != nil {
		return err
	}
	image, ok := f.lookup(g, "Image")
	if !ok {
		return fmt.Errorf("no Image key specified")
	}
	name := "systemd-%N"
	if n, ok := f.lookup(g, "ContainerName"); ok {
		name = n
	}
	// Podman's quadlet runs the container in a cgroup below the unit's
	// (split) unless CgroupsMode says otherwise.
	cgroups := "split"
	if m, ok := f.lookup(g, "CgroupsMode"); ok && m != "" {
		cgroups = m
	}
	run, err := c.command(f, g, "run", "--name="+name, "--cidfile=%t/%N.cid", "--replace", "--rm",
		"--cgroups="+cgroups, "--sdnotify=conmon", "-d")
	if err != nil {
		return err
	}
	add := func(a ...string) { run = append(run, a...) }

	if notify, set, err := f.lookupBool(g, "Notify"); err != nil {
		return err
	} else if set && notify {
		return fmt.Errorf("key 'Notify' set to true (--sdnotify=container) is not supported by berth")
	}
	for _, v := range f.values(g, "Network") {
		for _, n := range strings.Split(v, ",") {
			net, err := c.resolve(f, n, ".network")
			if err != nil {
				return err
			}
			add("--network", net)
		}
	}
	if pod, ok := f.lookup(g, "Pod"); ok {
		dep, ok := c.all[pod]
		if !ok || !strings.HasSuffix(pod, ".pod") {
			return fmt.Errorf("quadlet pod unit %s does not exist", pod)
		}
		add("--pod-id-file=%t/" + dep.service + ".pod-id")
		f.add("Unit", "BindsTo", dep.service+".service")
		f.add("Unit", "After", dep.service+".service")
		if c.podMembers == nil {
			c.podMembers = map[string][]string{}
		}
		c.podMembers[pod] = append(c.podMembers[pod], p.service)
	}
	for _, b := range []struct{ key, flag string }{
		{"ReadOnly", "--read-only"}, {"RunInit", "--init"}, {"EnvironmentHost", "--env-host"},
	} {
		if v, set, err := f.lookupBool(g, b.key); err != nil {
			return err
		} else if set && v {
			add(b.flag)
		}
	}
	if v, set, err := f.lookupBool(g, "ReadOnlyTmpfs"); err != nil {
		return err
	} else if set {
		add(fmt.Sprintf("--read-only-tmpfs=%t", v))
	}
	if v, set, err := f.lookupBool(g, "HttpProxy"); err != nil {
		return err
	} else if set {
		add(fmt.Sprintf("--http-proxy=%t", v))
	}
	if v, set, err := f.lookupBool(g, "NoNewPrivileges"); err != nil {
		return err
	} else if set && v {
		add("--security-opt", "no-new-privileges")
	}
	if v, set, err := f.lookupBool(g, "SecurityLabelDisable"); err != nil {
		return err
	} else if set && v {
		add("--security-opt", "label=disable")
	}
	if v, ok := f.lookup(g, "SeccompProfile"); ok {
		add("--security-opt", "seccomp="+v)
	}
	for _, v := range f.values(g, "Mask") {
		add("--security-opt", "mask="+strings.Join(strings.Fields(v), ":"))
	}
	for _, v := range f.values(g, "Unmask") {
		add("--security-opt", "unmask="+strings.Join(strings.Fields(v), ":"))
	}
	user, hasUser := f.lookup(g, "User")
	if group, ok := f.lookup(g, "Group"); ok {
		if !hasUser {
			return fmt.Errorf("invalid Group set without User")
		}
		user += ":" + group
	}
	if hasUser {
		add("--user", user)
	}
	for _, v := range f.values(g, "Volume") {
		src, rest, hasDst := strings.Cut(v, ":")
		if hasDst {
			vol, err := c.resolve(f, src, ".volume")
			if err != nil {
				return err
			}
			if strings.HasPrefix(src, "/") {
				f.add("Unit", "RequiresMountsFor", src)
			}
			v = vol + ":" + rest
		}
		add("-v", v)
	}
	for _, v := range f.values(g, "Mount") {
		parts := strings.Split(v, ",")
		for i, kv := range parts {
			k, val, _ := strings.Cut(kv, "=")
			if k == "source" || k == "src" {
				vol, err := c.resolve(f, val, ".volume")
				if err != nil {
					return err
				}
				parts[i] = k + "=" + vol
			}
		}
		add("--mount", strings.Join(parts, ","))
	}
	for _, v := range f.values(g, "Environment") {
		words, err := splitWords(v)
		if err != nil {
			return err
		}
		for _, w := range words {
			add("--env", w)
		}
	}
	if v, ok := f.lookup(g, "AutoUpdate"); ok {
		add("--label", "io.containers.autoupdate="+v)
	}
	keys := sortedKeys(containerFlagKeys)
	for _, k := range keys {
		flag := containerFlagKeys[k]
		if flag == "" {
			continue
		}
		for _, v := range f.values(g, k) {
			add(flag, v)
		}
	}
	for _, k := range sortedKeys(containerWordKeys) {
		flag := containerWordKeys[k]
		if flag == "" {
			continue
		}
		for _, v := range f.values(g, k) {
			words, err := splitWords(v)
			if err != nil {
				return err
			}
			for _, w := range words {
				add(flag, w)
			}
		}
	}
	extra, err := podmanArgs(f, g)
	if err != nil {
		return err
	}
	add(extra...)
	img, err := c.resolve(f, image, ".image")
	if err != nil {
		return err
	}
	add(img)
	if v, ok := f.lookup(g, "Exec"); ok {
		words, err := splitWords(v)
		if err != nil {
			return err
		}
		add(words...)
	}

	rm, _ := c.command(f, g, "rm", "-v", "-f", "-i", "--cidfile=%t/%N.cid")
	c.unitHeader(p, true)
	f.rename(g, "X-Container")
	s := "Service"
	f.add(s, "Environment", "PODMAN_SYSTEMD_UNIT=%n")
	f.add(s, "KillMode", "mixed")
	f.add(s, "ExecStop", execLine(rm))
	f.add(s, "ExecStopPost", "-"+execLine(rm))
	f.add(s, "Delegate", "yes")
	f.add(s, "Type", "notify")
	f.add(s, "NotifyAccess", "all")
	f.add(s, "SyslogIdentifier", "%N")
	f.add(s, "ExecStart", execLine(run))
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
