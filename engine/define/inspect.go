package define

import "time"

// InspectContainerData is the docker-shaped JSON of `inspect` for a
// container (podman's field names, which follow docker's).
type InspectContainerData struct {
	ID              string                  `json:"Id"`
	Created         time.Time               `json:"Created"`
	Path            string                  `json:"Path"`
	Args            []string                `json:"Args"`
	State           InspectContainerState   `json:"State"`
	Image           string                  `json:"Image"`
	ImageDigest     string                  `json:"ImageDigest,omitempty"`
	ImageName       string                  `json:"ImageName"`
	Rootfs          string                  `json:"Rootfs"`
	ResolvConfPath  string                  `json:"ResolvConfPath"`
	HostnamePath    string                  `json:"HostnamePath"`
	HostsPath       string                  `json:"HostsPath"`
	LogPath         string                  `json:"LogPath"`
	Name            string                  `json:"Name"`
	RestartCount    int32                   `json:"RestartCount"`
	Driver          string                  `json:"Driver"`
	Platform        string                  `json:"Platform"`
	MountLabel      string                  `json:"MountLabel"`
	ProcessLabel    string                  `json:"ProcessLabel"`
	AppArmorProfile string                  `json:"AppArmorProfile"`
	ExecIDs         []string                `json:"ExecIDs"`
	GraphDriver     DriverData              `json:"GraphDriver"`
	Mounts          []InspectMount          `json:"Mounts"`
	Dependencies    []string                `json:"Dependencies"`
	NetworkSettings *InspectNetworkSettings `json:"NetworkSettings"`
	Namespace       string                  `json:"Namespace"`
	IsInfra         bool                    `json:"IsInfra"`
	Config          *InspectContainerConfig `json:"Config"`
	HostConfig      *InspectHostConfig      `json:"HostConfig"`
	SizeRw          *int64                  `json:"SizeRw,omitempty"`
	SizeRootFs      int64                   `json:"SizeRootFs,omitempty"`
	OCIRuntime      string                  `json:"OCIRuntime"`
	ConmonPidFile   string                  `json:"ConmonPidFile"`
	Pod             string                  `json:"Pod"`
	// EffectiveCaps and BoundingCaps are the process's capability sets
	// (podman's); IsService marks a service container (berth has none).
	EffectiveCaps []string `json:"EffectiveCaps"`
	BoundingCaps  []string `json:"BoundingCaps"`
	IsService     bool     `json:"IsService"`
}

// InspectContainerState is the State object of inspect.
type InspectContainerState struct {
	OciVersion     string    `json:"OciVersion"`
	Status         string    `json:"Status"`
	Running        bool      `json:"Running"`
	Paused         bool      `json:"Paused"`
	Restarting     bool      `json:"Restarting"`
	OOMKilled      bool      `json:"OOMKilled"`
	Dead           bool      `json:"Dead"`
	Pid            int       `json:"Pid"`
	ConmonPid      int       `json:"ConmonPid,omitempty"`
	ExitCode       int32     `json:"ExitCode"`
	Error          string    `json:"Error"`
	StartedAt      time.Time `json:"StartedAt"`
	FinishedAt     time.Time `json:"FinishedAt"`
	CheckpointedAt time.Time `json:"CheckpointedAt,omitempty"`
	// The checkpoint/restore fields are podman's; they stay unset until
	// berth can checkpoint (a CRIU that passes `criu check`), but
	// templates such as {{.State.Checkpointed}} already resolve.
	RestoredAt     time.Time `json:"RestoredAt,omitempty"`
	Checkpointed   bool      `json:"Checkpointed,omitempty"`
	CheckpointPath string    `json:"CheckpointPath,omitempty"`
	CheckpointLog  string    `json:"CheckpointLog,omitempty"`
	RestoreLog     string    `json:"RestoreLog,omitempty"`
	Restored       bool      `json:"Restored,omitempty"`
	// Health is the healthcheck's state; absent without a healthcheck.
	Health *HealthResults `json:"Health,omitempty"`
}

// DriverData names the storage driver and its directories.
type DriverData struct {
	Name string            `json:"Name"`
	Data map[string]string `json:"Data"`
}

// InspectMount is one mount of the container as docker shows it.
type InspectMount struct {
	Type        string   `json:"Type"`
	Name        string   `json:"Name,omitempty"`
	Source      string   `json:"Source"`
	Destination string   `json:"Destination"`
	Driver      string   `json:"Driver"`
	Mode        string   `json:"Mode"`
	Options     []string `json:"Options"`
	RW          bool     `json:"RW"`
	Propagation string   `json:"Propagation"`
}

// InspectNetworkSettings is the NetworkSettings object of inspect.
type InspectNetworkSettings struct {
	Bridge                 string                          `json:"Bridge"`
	SandboxID              string                          `json:"SandboxID"`
	HairpinMode            bool                            `json:"HairpinMode"`
	LinkLocalIPv6Address   string                          `json:"LinkLocalIPv6Address"`
	LinkLocalIPv6PrefixLen int                             `json:"LinkLocalIPv6PrefixLen"`
	Ports                  map[string][]InspectHostPort    `json:"Ports"`
	SandboxKey             string                          `json:"SandboxKey"`
	EndpointID             string                          `json:"EndpointID,omitempty"`
	Gateway                string                          `json:"Gateway,omitempty"`
	IPAddress              string                          `json:"IPAddress,omitempty"`
	IPPrefixLen            int                             `json:"IPPrefixLen,omitempty"`
	MacAddress             string                          `json:"MacAddress,omitempty"`
	Networks               map[string]*InspectNetworkEntry `json:"Networks,omitempty"`
}

// InspectHostPort is one host binding of a published port.
type InspectHostPort struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// InspectNetworkEntry is one network the container is attached to.
type InspectNetworkEntry struct {
	EndpointID  string   `json:"EndpointID"`
	Gateway     string   `json:"Gateway"`
	IPAddress   string   `json:"IPAddress"`
	IPPrefixLen int      `json:"IPPrefixLen"`
	MacAddress  string   `json:"MacAddress"`
	NetworkID   string   `json:"NetworkID"`
	Aliases     []string `json:"Aliases"`
}

// InspectContainerConfig is the Config object of inspect.
type InspectContainerConfig struct {
	Hostname      string              `json:"Hostname"`
	Domainname    string              `json:"Domainname"`
	User          string              `json:"User"`
	AttachStdin   bool                `json:"AttachStdin"`
	AttachStdout  bool                `json:"AttachStdout"`
	AttachStderr  bool                `json:"AttachStderr"`
	Tty           bool                `json:"Tty"`
	OpenStdin     bool                `json:"OpenStdin"`
	StdinOnce     bool                `json:"StdinOnce"`
	Env           []string            `json:"Env"`
	Cmd           []string            `json:"Cmd"`
	Image         string              `json:"Image"`
	Volumes       map[string]struct{} `json:"Volumes"`
	WorkingDir    string              `json:"WorkingDir"`
	Entrypoint    []string            `json:"Entrypoint"`
	OnBuild       []string            `json:"OnBuild"`
	Labels        map[string]string   `json:"Labels"`
	Annotations   map[string]string   `json:"Annotations"`
	StopSignal    string              `json:"StopSignal"`
	StopTimeout   uint                `json:"StopTimeout"`
	ExposedPorts  map[string]struct{} `json:"ExposedPorts,omitempty"`
	CreateCommand []string            `json:"CreateCommand,omitempty"`
	Umask         string              `json:"Umask"`
	// The healthcheck as podman shows it (absent without one).
	Healthcheck                *HealthConfig        `json:"Healthcheck,omitempty"`
	StartupHealthCheck         *StartupHealthConfig `json:"StartupHealthCheck,omitempty"`
	HealthcheckOnFailureAction string               `json:"HealthcheckOnFailureAction,omitempty"`
	HealthLogDestination       string               `json:"HealthLogDestination,omitempty"`
	HealthMaxLogCount          *uint                `json:"HealthcheckMaxLogCount,omitempty"`
	HealthMaxLogSize           *uint                `json:"HealthcheckMaxLogSize,omitempty"`
}

// InspectHostConfig is the HostConfig object of inspect.
type InspectHostConfig struct {
	Binds           []string                     `json:"Binds"`
	VolumesFrom     []string                     `json:"VolumesFrom"`
	CgroupManager   string                       `json:"CgroupManager"`
	CgroupMode      string                       `json:"CgroupMode"`
	ContainerIDFile string                       `json:"ContainerIDFile"`
	LogConfig       InspectLogConfig             `json:"LogConfig"`
	NetworkMode     string                       `json:"NetworkMode"`
	PortBindings    map[string][]InspectHostPort `json:"PortBindings"`
	RestartPolicy   InspectRestartPolicy         `json:"RestartPolicy"`
	AutoRemove      bool                         `json:"AutoRemove"`
	CapAdd          []string                     `json:"CapAdd"`
	CapDrop         []string                     `json:"CapDrop"`
	DNS             []string                     `json:"Dns"`
	DNSOptions      []string                     `json:"DnsOptions"`
	DNSSearch       []string                     `json:"DnsSearch"`
	ExtraHosts      []string                     `json:"ExtraHosts"`
	GroupAdd        []string                     `json:"GroupAdd"`
	IpcMode         string                       `json:"IpcMode"`
	Cgroup          string                       `json:"Cgroup"`
	CgroupParent    string                       `json:"CgroupParent"`
	Cgroups         string                       `json:"Cgroups"`
	PidMode         string                       `json:"PidMode"`
	Privileged      bool                         `json:"Privileged"`
	ReadonlyRootfs  bool                         `json:"ReadonlyRootfs"`
	SecurityOpt     []string                     `json:"SecurityOpt"`
	Tmpfs           map[string]string            `json:"Tmpfs"`
	UTSMode         string                       `json:"UTSMode"`
	UsernsMode      string                       `json:"UsernsMode"`
	IDMappings      *InspectIDMappings           `json:"IDMappings,omitempty"`
	ShmSize         int64                        `json:"ShmSize"`
	Runtime         string                       `json:"Runtime"`
	Init            bool                         `json:"Init"`
	Memory          int64                        `json:"Memory"`
	MemorySwap      int64                        `json:"MemorySwap"`
	NanoCpus        int64                        `json:"NanoCpus"`
	CpuShares       uint64                       `json:"CpuShares"`
	PidsLimit       int64                        `json:"PidsLimit"`
	Ulimits         []InspectUlimit              `json:"Ulimits"`
	// The finer limits, named as docker and podman name them.
	CpuPeriod         uint64 `json:"CpuPeriod"`
	CpuQuota          int64  `json:"CpuQuota"`
	CpusetCpus        string `json:"CpusetCpus"`
	CpusetMems        string `json:"CpusetMems"`
	MemoryReservation int64  `json:"MemoryReservation"`
	// MemorySwappiness is -1 when the host's applies (podman).
	MemorySwappiness int64  `json:"MemorySwappiness"`
	OomKillDisable   bool   `json:"OomKillDisable"`
	OomScoreAdj      int    `json:"OomScoreAdj"`
	BlkioWeight      uint16 `json:"BlkioWeight"`
	// DeviceCgroupRules are the --device-cgroup-rule rules ("c 1:3 rwm").
	DeviceCgroupRules []string `json:"DeviceCgroupRules"`
}

// InspectLogConfig describes the log driver.
type InspectLogConfig struct {
	Type   string            `json:"Type"`
	Config map[string]string `json:"Config"`
	Path   string            `json:"Path"`
	// Tag and Size are podman's additions (Size as given: "10mb").
	Tag  string `json:"Tag,omitempty"`
	Size string `json:"Size,omitempty"`
}

// InspectRestartPolicy is docker's restart policy object.
type InspectRestartPolicy struct {
	Name              string `json:"Name"`
	MaximumRetryCount uint   `json:"MaximumRetryCount"`
}

// InspectUlimit is one rlimit.
type InspectUlimit struct {
	Name string `json:"Name"`
	Soft int64  `json:"Soft"`
	Hard int64  `json:"Hard"`
}
