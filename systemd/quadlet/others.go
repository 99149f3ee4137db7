package quadlet

import (
	"fmt"
	"path/filepath"
	"strings"
)

// oneshot adds the [Service] lines of a unit that creates an object and
// stays "active" (volumes, networks, images).
func oneshot(f *unitFile, start []string) {
	f.add("Service", "ExecStart", execLine(start))
	f.add("Service", "Type", "oneshot")
	f.add("Service", "RemainAfterExit", "yes")
	f.add("Service", "SyslogIdentifier", "%N")
}

// flagValues appends, for each key, flag + value per value of the key.
func flagValues(f *unitFile, group string, args []string, pairs ...string) []string {
	for i := 0; i+1 < len(pairs); i += 2 {
		for _, v := range f.values(group, pairs[i]) {
			args = append(args, pairs[i+1], v)
		}
	}
	return args
}

// labels appends --label for every word of every Label value.
func labels(f *unitFile, group string, args []string) ([]string, error) {
	for _, v := range f.values(group, "Label") {
		words, err := splitWords(v)
		if err != nil {
			return nil, err
		}
		for _, w := range words {
			args = append(args, "--label", w)
		}
	}
	return args, nil
}

func (c *converter) volume(p *parsed) error {
	f := p.file
	const g = "Volume"
	if err := f.checkKeys(g, map[string]bool{"VolumeName": true, "Driver": true, "Label": true, "Device": true,
		"Type": true, "Options": true, "Copy": true, "User": true, "Group": true, "PodmanArgs": true,
		"GlobalArgs": true, "ServiceName": true}); err != nil {
		return err
	}
	args, err := c.command(f, g, "volume", "create", "--ignore")
	if err != nil {
		return err
	}
	args = flagValues(f, g, args, "Driver", "--driver")
	if args, err = labels(f, g, args); err != nil {
		return err
	}
	var o []string
	if v, ok := f.lookup(g, "Options"); ok {
		o = append(o, v)
	}
	if v, ok := f.lookup(g, "User"); ok {
		o = append(o, "uid="+v)
	}
	if v, ok := f.lookup(g, "Group"); ok {
		o = append(o, "gid="+v)
	}
	if v, ok := f.lookup(g, "Device"); ok {
		args = append(args, "--opt", "device="+v)
		if strings.HasPrefix(v, "/") {
			f.add("Unit", "RequiresMountsFor", v)
		}
	}
	if v, ok := f.lookup(g, "Type"); ok {
		args = append(args, "--opt", "type="+v)
	}
	if len(o) > 0 {
		args = append(args, "--opt", "o="+strings.Join(o, ","))
	}
	if cp, set, err := f.lookupBool(g, "Copy"); err != nil {
		return err
	} else if set && !cp {
		args = append(args, "--opt", "nocopy")
	}
	extra, err := podmanArgs(f, g)
	if err != nil {
		return err
	}
	args = append(append(args, extra...), p.object)
	c.unitHeader(p, false)
	f.rename(g, "X-Volume")
	oneshot(f, args)
	return nil
}

func (c *converter) network(p *parsed) error {
	f := p.file
	const g = "Network"
	if err := f.checkKeys(g, map[string]bool{"NetworkName": true, "Driver": true, "Subnet": true, "Gateway": true,
		"IPRange": true, "IPv6": true, "Internal": true, "DisableDNS": true, "Label": true, "Options": true,
		"InterfaceName": true, "PodmanArgs": true, "GlobalArgs": true, "ServiceName": true}); err != nil {
		return err
	}
	args, err := c.command(f, g, "network", "create", "--ignore")
	if err != nil {
		return err
	}
	args = flagValues(f, g, args, "Driver", "--driver", "Subnet", "--subnet", "Gateway", "--gateway",
		"IPRange", "--ip-range", "Options", "--opt", "InterfaceName", "--interface-name")
	for _, b := range []struct{ key, flag string }{{"IPv6", "--ipv6"}, {"Internal", "--internal"}, {"DisableDNS", "--disable-dns"}} {
		if v, set, err := f.lookupBool(g, b.key); err != nil {
			return err
		} else if set && v {
			args = append(args, b.flag)
		}
	}
	if args, err = labels(f, g, args); err != nil {
		return err
	}
	extra, err := podmanArgs(f, g)
	if err != nil {
		return err
	}
	args = append(append(args, extra...), p.object)
	c.unitHeader(p, false)
	f.rename(g, "X-Network")
	oneshot(f, args)
	return nil
}

func (c *converter) image(p *parsed) error {
	f := p.file
	const g = "Image"
	if err := f.checkKeys(g, map[string]bool{"Image": true, "AllTags": true, "Arch": true, "AuthFile": true,
		"CertDir": true, "Creds": true, "OS": true, "TLSVerify": true, "Variant": true, "ImageTag": true,
		"PodmanArgs": true, "GlobalArgs": true, "ServiceName": true}); err != nil {
		return err
	}
	if p.object == "" {
		return fmt.Errorf("no Image key specified")
	}
	if t, ok := f.lookup(g, "ImageTag"); ok {
		// Containers that use the .image file run this name.
		p.object = t
	}
	args, err := c.command(f, g, "image", "pull")
	if err != nil {
		return err
	}
	args = flagValues(f, g, args, "Arch", "--arch", "AuthFile", "--authfile", "CertDir", "--cert-dir",
		"Creds", "--creds", "OS", "--os", "Variant", "--variant")
	if v, set, err := f.lookupBool(g, "AllTags"); err != nil {
		return err
	} else if set && v {
		args = append(args, "--all-tags")
	}
	if v, set, err := f.lookupBool(g, "TLSVerify"); err != nil {
		return err
	} else if set {
		args = append(args, fmt.Sprintf("--tls-verify=%t", v))
	}
	extra, err := podmanArgs(f, g)
	if err != nil {
		return err
	}
	img, _ := f.lookup(g, "Image")
	args = append(append(args, extra...), img)
	c.unitHeader(p, true)
	f.rename(g, "X-Image")
	oneshot(f, args)
	return nil
}

func (c *converter) pod(p *parsed) error {
	f := p.file
	const g = "Pod"
	if err := f.checkKeys(g, map[string]bool{"PodName": true, "PublishPort": true, "Network": true,
		"NetworkAlias": true, "Volume": true, "IP": true, "DNS": true, "DNSSearch": true, "DNSOption": true,
		"AddHost": true, "HostName": true, "Label": true, "PodmanArgs": true, "GlobalArgs": true,
		"ServiceName": true, "StopTimeout": true}); err != nil {
		return err
	}
	stop := "10"
	if v, ok := f.lookup(g, "StopTimeout"); ok {
		stop = v
	}
	create, err := c.command(f, g, "pod", "create", "--infra-conmon-pidfile=%t/%N.pid",
		"--pod-id-file=%t/%N.pod-id", "--exit-policy=stop", "--replace")
	if err != nil {
		return err
	}
	create = flagValues(f, g, create, "PublishPort", "--publish", "NetworkAlias", "--network-alias",
		"IP", "--ip", "DNS", "--dns", "DNSSearch", "--dns-search", "DNSOption", "--dns-option",
		"AddHost", "--add-host", "HostName", "--hostname")
	for _, v := range f.values(g, "Network") {
		for _, n := range strings.Split(v, ",") {
			net, err := c.resolve(f, n, ".network")
			if err != nil {
				return err
			}
			create = append(create, "--network", net)
		}
	}
	for _, v := range f.values(g, "Volume") {
		if src, rest, ok := strings.Cut(v, ":"); ok {
			vol, err := c.resolve(f, src, ".volume")
			if err != nil {
				return err
			}
			v = vol + ":" + rest
		}
		create = append(create, "--volume", v)
	}
	if create, err = labels(f, g, create); err != nil {
		return err
	}
	extra, err := podmanArgs(f, g)
	if err != nil {
		return err
	}
	create = append(append(create, extra...), "--infra-name", p.object+"-infra", "--name", p.object)
	members := c.podMembers[p.src.Name]
	for _, m := range members {
		f.add("Unit", "Wants", m+".service")
		f.add("Unit", "Before", m+".service")
	}
	start, _ := c.command(f, g, "pod", "start", "--pod-id-file=%t/%N.pod-id")
	stopCmd, _ := c.command(f, g, "pod", "stop", "--pod-id-file=%t/%N.pod-id", "--ignore", "--time="+stop)
	rm, _ := c.command(f, g, "pod", "rm", "--pod-id-file=%t/%N.pod-id", "--ignore", "--force")
	c.unitHeader(p, true)
	f.rename(g, "X-Pod")
	s := "Service"
	f.add(s, "SyslogIdentifier", "%N")
	f.add(s, "ExecStart", execLine(start))
	f.add(s, "ExecStop", execLine(stopCmd))
	f.add(s, "ExecStopPost", execLine(rm))
	f.add(s, "Type", "forking")
	f.add(s, "Restart", "on-failure")
	f.add(s, "PIDFile", "%t/%N.pid")
	f.add(s, "Environment", "PODMAN_SYSTEMD_UNIT=%n")
	f.add(s, "ExecStartPre", execLine(create))
	return nil
}

func (c *converter) kube(p *parsed) error {
	f := p.file
	const g = "Kube"
	if err := f.checkKeys(g, map[string]bool{"Yaml": true, "ConfigMap": true, "PublishPort": true,
		"Network": true, "AutoUpdate": true, "PodmanArgs": true, "GlobalArgs": true, "ServiceName": true,
		"KubeDownForce": true, "SetWorkingDirectory": true}); err != nil {
		return err
	}
	yaml, ok := f.lookup(g, "Yaml")
	if !ok {
		return fmt.Errorf("no Yaml key specified")
	}
	if !filepath.IsAbs(yaml) {
		yaml = filepath.Join(filepath.Dir(p.src.Path), yaml)
	}
	play, err := c.command(f, g, "kube", "play", "--replace")
	if err != nil {
		return err
	}
	for _, v := range f.values(g, "Network") {
		for _, n := range strings.Split(v, ",") {
			net, err := c.resolve(f, n, ".network")
			if err != nil {
				return err
			}
			play = append(play, "--network", net)
		}
	}
	for _, v := range f.values(g, "ConfigMap") {
		if !filepath.IsAbs(v) {
			v = filepath.Join(filepath.Dir(p.src.Path), v)
		}
		play = append(play, "--configmap", v)
	}
	play = flagValues(f, g, play, "PublishPort", "--publish")
	for _, v := range f.values(g, "AutoUpdate") {
		play = append(play, "--annotation", "io.containers.autoupdate="+v)
	}
	extra, err := podmanArgs(f, g)
	if err != nil {
		return err
	}
	play = append(append(play, extra...), yaml)
	down, _ := c.command(f, g, "kube", "down")
	if v, set, err := f.lookupBool(g, "KubeDownForce"); err != nil {
		return err
	} else if set && v {
		down = append(down, "--force")
	}
	down = append(down, yaml)
	wd, _ := f.lookup(g, "SetWorkingDirectory")
	c.unitHeader(p, true)
	f.rename(g, "X-Kube")
	s := "Service"
	f.add(s, "Environment", "PODMAN_SYSTEMD_UNIT=%n")
	if wd == "yaml" {
		f.add(s, "WorkingDirectory", filepath.Dir(yaml))
	}
	// berth's kube play has no service container to watch, so the unit
	// is a oneshot that stays active while the pods run.
	f.add(s, "Type", "oneshot")
	f.add(s, "RemainAfterExit", "yes")
	f.add(s, "SyslogIdentifier", "%N")
	f.add(s, "ExecStart", execLine(play))
	f.add(s, "ExecStop", execLine(down))
	return nil
}
