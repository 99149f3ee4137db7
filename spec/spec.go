// Package spec holds user intent for a container: what `create`/`run` flags
// or an API request ask for, before any defaults from the image or the host
// are applied. It is pure data plus validation; spec/generate turns it into
// an OCI runtime spec and engine options.
package spec

import "syscall"

// ContainerSpec is everything a user can ask of a new container.
// Zero values mean "not given": the image or the engine default applies.
type ContainerSpec struct {
	Name  string
	Image string // as the user typed it, for display and ImageName
	// Rootfs is a host directory to use as root instead of an image.
	Rootfs string

	// Entrypoint overrides the image's; EntrypointSet distinguishes
	// `--entrypoint ""` (clear it) from not given.
	Entrypoint    []string
	EntrypointSet bool
	// Command is what follows the image on the command line.
	Command []string

	Env      []string // KEY=VALUE or KEY (taken from the host environment)
	EnvFiles []string
	EnvHost  bool
	WorkDir  string
	User     string
	Labels   map[string]string
	// Annotations go to the OCI spec's annotations (kube play's
	// metadata.annotations and --annotation).
	Annotations map[string]string
	Hostname    string
	Terminal    bool
	Stdin       bool
	Remove      bool
	Init        bool
	InitPath    string
	ReadOnly    bool
	// NoReadOnlyTmpfs turns off the writable tmpfs on /run, /tmp and
	// /var/tmp that --read-only adds (podman's --read-only-tmpfs=false).
	NoReadOnlyTmpfs bool
	Privileged      bool

	// StopSignal is the signal that stops the container (0: the image's,
	// else SIGTERM).
	StopSignal  syscall.Signal
	StopTimeout *uint
	Restart     RestartPolicy

	CgroupParent string
	// CgroupsMode is podman's --cgroups: "" or "enabled" (a cgroup under
	// the parent), "no-conmon" (the same here: conmon always stays in the
	// caller's cgroup), "split" (the container's cgroup below the
	// caller's own) or "disabled" (no cgroup at all).
	CgroupsMode string
	// ShmSize is the size of /dev/shm in bytes (0: the default).
	ShmSize int64
	Ulimits []Ulimit
	// Memory is the memory limit in bytes (0: none); MemorySwap the limit
	// of memory plus swap (0: twice Memory, -1: unlimited swap).
	Memory     int64
	MemorySwap int64
	// NanoCPUs is the CPU limit in billionths of a CPU (0: none).
	NanoCPUs  int64
	CPUShares uint64
	PidsLimit *int64
	// MemoryReservation is the soft memory limit in bytes (0: none);
	// MemorySwappiness the cgroup v1 swappiness 0-100 (nil: the host's).
	MemoryReservation int64
	MemorySwappiness  *int64
	// CPUPeriod and CPUQuota are the CFS period and quota in
	// microseconds (0: none), the long form of NanoCPUs.
	CPUPeriod uint64
	CPUQuota  int64
	// CPURtPeriod and CPURtRuntime are cgroup v1's real-time period and
	// runtime in microseconds (0: none; --cpu-rt-period, --cpu-rt-runtime).
	CPURtPeriod  uint64
	CPURtRuntime int64
	// CpusetCPUs and CpusetMems are the CPUs and memory nodes the
	// container may use, in cpuset list syntax ("0-2,4").
	CpusetCPUs string
	CpusetMems string
	// OOMScoreAdj is the process's oom_score_adj (-1000..1000; nil:
	// inherited); OOMKillDisable turns the cgroup's OOM killer off.
	OOMScoreAdj    *int
	OOMKillDisable bool
	// BlkioWeight is the block IO weight 10-1000 (0: none);
	// BlkioWeightDevice per-device weights and the Device* lists
	// per-device throttles.
	BlkioWeight       uint16
	BlkioWeightDevice []WeightDevice
	DeviceReadBps     []ThrottleDevice
	DeviceWriteBps    []ThrottleDevice
	DeviceReadIOps    []ThrottleDevice
	DeviceWriteIOps   []ThrottleDevice
	CapAdd            []string
	CapDrop           []string
	SecurityOpt       []string
	Sysctls           map[string]string
	Devices           []Device
	// DeviceCgroupRules allow device numbers in the device cgroup
	// without adding nodes (--device-cgroup-rule); CgroupConf are cgroup
	// v2 files and the values to write to them (--cgroup-conf).
	DeviceCgroupRules []DeviceCgroupRule
	CgroupConf        map[string]string
	GroupAdd          []string
	// Mounts are the bind mounts, volumes and tmpfs of -v, --mount and
	// --tmpfs.
	Mounts []Mount
	// VolumesFrom are other containers whose volumes and bind mounts
	// this one mounts (CTR[:ro|rw]).
	VolumesFrom []string
	// Requires are containers to start before this one (--requires).
	Requires []string
	// ImageVolume is what the image's VOLUME paths get: "bind" (an
	// anonymous volume, the default), "tmpfs" or "ignore".
	ImageVolume string

	// Networking (issue 6 fills in the behaviour).
	Network    []string      // --network values
	Ports      []PortMapping // -p
	PublishAll bool
	Expose     []ExposedPort
	DNS        []string
	DNSSearch  []string
	DNSOption  []string
	AddHost    []string
	NoHosts    bool
	IP         string
	IP6        string // --ip6: a static IPv6 address besides IP
	// LinkLocalIP are docker's --link-local-ip addresses for the
	// container's interface on its one network.
	LinkLocalIP  []string
	MacAddress   string
	NetworkAlias []string

	// Namespace modes (--pid, --ipc, --uts, --cgroupns) as given: "" (the
	// default), host, private, container:X, ns:PATH; --ipc also takes
	// shareable and none.
	Pid      string
	IPC      string
	UTS      string
	CgroupNS string
	// UserNS is the user namespace (--userns, --uidmap...; spec/userns.go).
	UserNS UserNS

	LogDriver string
	LogOpts   []string
	Runtime   string
	Pod       string
	// InitContainerType makes the container an init container of Pod
	// (--init-ctr once|always; see engine.WithInitContainer).
	InitContainerType string
	// Attach are the streams create -a named (docker's Config.Attach*).
	Attach []string
	// CreateCommand is the argv that asked for the container.
	CreateCommand []string

	// Health is the healthcheck asked for; nil keeps the image's.
	Health *HealthConfig
	// Secrets are the --secret values, parsed.
	Secrets []Secret

	RunOptions
}

// Secret is one --secret NAME[,type=mount|env,target=T,uid=U,gid=G,mode=M].
type Secret struct {
	Name   string
	Type   string // "mount" (default) or "env"
	Target string
	UID    uint32
	GID    uint32
	Mode   uint32
}
