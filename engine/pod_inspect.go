package engine

import (
	"fmt"
	"sort"

	"github.com/berth-dev/berth/engine/define"
)

// Inspect returns `pod inspect`'s view of the pod (a snapshot; no member
// lock is taken).
func (p *Pod) Inspect() (*define.InspectPod, error) {
	ctrs, err := p.Containers()
	if err != nil {
		return nil, err
	}
	cfg := p.config
	out := &define.InspectPod{
		ID: cfg.ID, Name: cfg.Name, Created: cfg.CreatedTime, CreateCommand: cfg.CreateCommand,
		ExitPolicy: cfg.ExitPolicy, Hostname: cfg.Hostname, Labels: cfg.Labels,
		CreateCgroup: true, CgroupParent: cfg.CgroupParent, CgroupPath: cfg.CgroupPath,
		CreateInfra: cfg.InfraID != "", InfraContainerID: cfg.InfraID,
		SharedNamespaces: cfg.Share, NumContainers: len(ctrs), Containers: []define.InspectPodContainer{},
		MemoryLimit: uint64(cfg.Memory), CPUQuota: cfg.CPUQuota, CPUPeriod: cfg.CPUPeriod,
	}
	if out.CgroupParent == "" {
		out.CgroupParent = defaultCgroupParent(p.runtime.cfg.CgroupManager)
	}
	statuses := make([]define.ContainerStatus, 0, len(ctrs))
	for _, c := range ctrs {
		if c.config.InitContainerType == "" {
			// An exited init container does not degrade the pod.
			statuses = append(statuses, c.state.Status)
		}
		out.Containers = append(out.Containers, define.InspectPodContainer{ID: c.ID(), Name: c.Name(), State: c.state.Status.String()})
		if c.config.IsInfra {
			out.InfraConfig = infraConfig(c.config)
		}
	}
	out.State = define.PodStatus(statuses)
	return out, nil
}

// infraConfig is the pod's networking as its infra container has it.
func infraConfig(cfg *define.ContainerConfig) *define.InspectPodInfraConfig {
	ic := &define.InspectPodInfraConfig{
		PortBindings: map[string][]define.InspectHostPort{},
		HostNetwork:  cfg.NetMode == "host",
		DNSServer:    cfg.DNSServers, DNSSearch: cfg.DNSSearch, DNSOption: cfg.DNSOptions,
		HostAdd: cfg.HostAdd, NoManageHosts: cfg.NoHosts, Networks: cfg.Networks,
	}
	for _, pm := range cfg.Ports {
		key := portKey(pm.ContainerPort, pm.Protocol)
		ic.PortBindings[key] = append(ic.PortBindings[key], inspectHostPorts(pm)...)
	}
	for _, o := range cfg.NetworkOptions {
		if len(o.StaticIPs) > 0 && ic.StaticIP == "" {
			ic.StaticIP = o.StaticIPs[0]
		}
		if o.StaticMAC != "" {
			ic.StaticMAC = o.StaticMAC
		}
	}
	sort.Strings(ic.Networks)
	if u := cfg.UserNS; u != nil {
		ic.UserNS = u.Mode
		if u.Mode == "auto" && u.AutoSize > 0 {
			ic.UserNS += fmt.Sprintf(":size=%d", u.AutoSize)
		}
	}
	return ic
}

func defaultCgroupParent(manager string) string {
	if manager == "systemd" {
		return "machine.slice"
	}
	return "/berth"
}
