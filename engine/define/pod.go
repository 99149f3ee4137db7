package define

import "time"

// Pod statuses, podman's words (derived from the members' statuses, never
// stored).
const (
	PodStateCreated  = "Created"
	PodStateRunning  = "Running"
	PodStateDegraded = "Degraded"
	PodStatePaused   = "Paused"
	PodStateStopped  = "Stopped"
	PodStateExited   = "Exited"
	PodStateErrored  = "Error"
)

// Pod exit policies: what happens when the last member (infra aside) exits.
const (
	PodExitPolicyContinue = "continue"
	PodExitPolicyStop     = "stop"
)

// PodConfig is the configuration of a pod, persisted once at creation. A
// pod has no process of its own: its infra container (when it has one)
// holds the shared namespaces, and its status is its members'.
type PodConfig struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Labels      map[string]string `json:"labels,omitempty"`
	CreatedTime time.Time         `json:"created"`
	// Hostname is the pod's UTS name (the pod name unless given).
	Hostname string `json:"hostname,omitempty"`
	// CgroupParent is the parent the pod's cgroup is created under;
	// CgroupPath is the pod's own cgroup, every member's parent.
	CgroupParent string `json:"cgroupParent,omitempty"`
	CgroupPath   string `json:"cgroupPath,omitempty"`
	// Share lists the namespace kinds members join: "net", "ipc", "uts",
	// "pid", "cgroup" (empty without an infra container).
	Share []string `json:"share,omitempty"`
	// InfraID is the infra container's ID ("" with --infra=false).
	InfraID    string `json:"infraID,omitempty"`
	ExitPolicy string `json:"exitPolicy,omitempty"`
	// Memory (bytes) and CPUQuota/CPUPeriod limit the pod cgroup as a
	// whole (pod create --memory, --cpus).
	Memory    int64  `json:"memory,omitempty"`
	CPUQuota  int64  `json:"cpuQuota,omitempty"`
	CPUPeriod uint64 `json:"cpuPeriod,omitempty"`
	// CreateCommand is the command line that created the pod.
	CreateCommand []string `json:"createCommand,omitempty"`
	// InfraConmonPidFile is where every start of the infra container writes its
	// conmon PID (pod create --infra-conmon-pidfile): a systemd unit of
	// Type=forking reads it as the pod's main process.
	InfraConmonPidFile string `json:"infraConmonPidFile,omitempty"`
}

// Shares reports whether members join the pod's namespace of kind.
func (p *PodConfig) Shares(kind string) bool {
	for _, k := range p.Share {
		if k == kind {
			return true
		}
	}
	return false
}

// PodStatus derives a pod's status from its members' statuses, as podman
// does: all running is Running, some is Degraded, all stopped is Exited.
func PodStatus(members []ContainerStatus) string {
	if len(members) == 0 {
		return PodStateCreated
	}
	var running, paused, stopped, created, errored int
	for _, s := range members {
		switch s {
		case StatusExited, StatusStopped:
			stopped++
		case StatusRunning:
			running++
		case StatusPaused:
			paused++
		case StatusCreated, StatusConfigured:
			created++
		default:
			errored++
		}
	}
	n := len(members)
	switch {
	case running == n:
		return PodStateRunning
	case running > 0:
		return PodStateDegraded
	case paused == n:
		return PodStatePaused
	case stopped == n:
		return PodStateExited
	case stopped > 0:
		return PodStateStopped
	case errored > 0:
		return PodStateErrored
	}
	return PodStateCreated
}

// InspectPod is `pod inspect`'s output, in podman's shape.
type InspectPod struct {
	ID               string                 `json:"Id"`
	Name             string                 `json:"Name"`
	Created          time.Time              `json:"Created"`
	CreateCommand    []string               `json:"CreateCommand,omitempty"`
	ExitPolicy       string                 `json:"ExitPolicy"`
	State            string                 `json:"State"`
	Hostname         string                 `json:"Hostname"`
	Labels           map[string]string      `json:"Labels,omitempty"`
	CreateCgroup     bool                   `json:"CreateCgroup"`
	CgroupParent     string                 `json:"CgroupParent,omitempty"`
	CgroupPath       string                 `json:"CgroupPath,omitempty"`
	CreateInfra      bool                   `json:"CreateInfra"`
	InfraContainerID string                 `json:"InfraContainerID,omitempty"`
	InfraConfig      *InspectPodInfraConfig `json:"InfraConfig,omitempty"`
	SharedNamespaces []string               `json:"SharedNamespaces,omitempty"`
	NumContainers    int                    `json:"NumContainers"`
	Containers       []InspectPodContainer  `json:"Containers"`
	MemoryLimit      uint64                 `json:"memory_limit,omitempty"`
	CPUQuota         int64                  `json:"cpu_quota,omitempty"`
	CPUPeriod        uint64                 `json:"cpu_period,omitempty"`
	Mounts           []InspectMount         `json:"mounts,omitempty"`
}

// InspectPodInfraConfig is the networking of a pod, held by its infra
// container.
type InspectPodInfraConfig struct {
	PortBindings       map[string][]InspectHostPort `json:"PortBindings"`
	HostNetwork        bool                         `json:"HostNetwork"`
	StaticIP           string                       `json:"StaticIP,omitempty"`
	StaticMAC          string                       `json:"StaticMAC,omitempty"`
	NoManageResolvConf bool                         `json:"NoManageResolvConf"`
	NoManageHosts      bool                         `json:"NoManageHosts,omitempty"`
	DNSServer          []string                     `json:"DNSServer,omitempty"`
	DNSSearch          []string                     `json:"DNSSearch,omitempty"`
	DNSOption          []string                     `json:"DNSOption,omitempty"`
	HostAdd            []string                     `json:"HostAdd,omitempty"`
	Networks           []string                     `json:"Networks,omitempty"`
	PidNS              string                       `json:"pid_ns,omitempty"`
	// UserNS is the pod's --userns mode (auto, private, keep-id, nomap;
	// "" without one), as podman shows it; the maps are in the infra
	// container's inspect (HostConfig.IDMappings).
	UserNS string `json:"userns,omitempty"`
}

// InspectPodContainer is one member in `pod inspect`.
type InspectPodContainer struct {
	ID    string `json:"Id"`
	Name  string `json:"Name"`
	State string `json:"State"`
}
