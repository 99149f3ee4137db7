package spec

// PodSpec is everything a user can ask of a new pod (`pod create` flags
// or an API request). The networking fields go to the infra container,
// which holds the namespaces the members join.
type PodSpec struct {
	Name     string
	Labels   map[string]string
	Hostname string
	// Share lists the namespaces members share ("net,ipc,uts" style
	// values; a leading "+" adds to the default set).
	Share []string
	// Infra is false with --infra=false: no infra container, nothing
	// shared.
	Infra        bool
	InfraImage   string
	InfraCommand []string
	InfraName    string
	CgroupParent string
	ExitPolicy   string
	// Memory is the pod's memory limit in bytes, NanoCPUs its CPU limit
	// in billionths of a CPU (0: none).
	Memory   int64
	NanoCPUs int64
	Pid      string
	// UserNS is the pod's user namespace (--userns, --uidmap, ...): the
	// infra container owns it and every member joins it.
	UserNS UserNS
	// Mounts are the bind mounts and volumes every member gets (-v).
	Mounts      []Mount
	VolumesFrom []string

	Network      []string
	Ports        []PortMapping
	NetworkAlias []string
	IP           string
	MacAddress   string
	DNS          []string
	DNSSearch    []string
	DNSOption    []string
	AddHost      []string
	NoHosts      bool

	CreateCommand []string
	// InfraConmonPidFile: see engine.WithPodInfraConmonPidFile.
	InfraConmonPidFile string
}
