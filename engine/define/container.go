// Package define is the engine's leaf package: statuses, sentinel errors and
// the plain records that engine/state persists. It imports no code that acts.
package define

import (
	"time"
)

// ContainerConfig is the immutable configuration of a container, persisted
// once at creation (rename is the one exception). The OCI spec is kept apart
// (see Store.ContainerSpec) so that listing never decodes it.
type ContainerConfig struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Pod  string `json:"pod,omitempty"`
	// IsInfra marks a pod's infra container, which holds the namespaces
	// the members join and goes only with the pod.
	IsInfra   bool              `json:"isInfra,omitempty"`
	ImageID   string            `json:"imageID,omitempty"`
	ImageName string            `json:"imageName,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	// Command is what ps shows: entrypoint + cmd as the container runs it.
	Command []string `json:"command,omitempty"`
	// Entrypoint and Cmd as resolved at create time (for inspect).
	Entrypoint []string `json:"entrypoint,omitempty"`
	Cmd        []string `json:"cmd,omitempty"`
	// User is the user as given (name, uid, user:group); it is resolved to
	// numeric IDs against the container's /etc/passwd when the rootfs is
	// mounted.
	User string `json:"user,omitempty"`
	// Groups are the --group-add values as given (group names or gids);
	// names are resolved in the container's /etc/group at each init.
	Groups []string `json:"groups,omitempty"`
	// CapAdd and CapDrop are the capabilities the container has beyond,
	// and lacks from, the default set (--privileged: all), for inspect.
	CapAdd      []string  `json:"capAdd,omitempty"`
	CapDrop     []string  `json:"capDrop,omitempty"`
	StopSignal  uint      `json:"stopSignal,omitempty"`
	StopTimeout uint      `json:"stopTimeout"`
	CreatedTime time.Time `json:"created"`

	// Rootfs is a host directory used as the root instead of an image.
	Rootfs string `json:"rootfs,omitempty"`
	// StorageID is the containers/storage container holding the rootfs.
	StorageID string `json:"storageID,omitempty"`
	// StaticDir persists across reboots (graph root); it holds the log and
	// is made on the first start.
	StaticDir string `json:"staticDir,omitempty"`
	LogPath   string `json:"logPath,omitempty"`
	LogDriver string `json:"logDriver,omitempty"`
	// LogSizeMax caps the k8s-file log (--log-opt max-size; 0: none),
	// LogTag is journald's CONTAINER_TAG, and LogOpts are every --log-opt
	// as given (inspect's LogConfig.Config).
	LogSizeMax int64             `json:"logSizeMax,omitempty"`
	LogTag     string            `json:"logTag,omitempty"`
	LogOpts    map[string]string `json:"logOpts,omitempty"`

	// OCIRuntime is the name of the runtime (runc, crun) that runs it.
	OCIRuntime   string `json:"ociRuntime,omitempty"`
	CgroupParent string `json:"cgroupParent,omitempty"`
	// CgroupsMode is spec.ContainerSpec's: "split" puts the cgroup below
	// the creating process's own, "disabled" makes none.
	CgroupsMode string `json:"cgroupsMode,omitempty"`
	ShmSize     int64  `json:"shmSize,omitempty"`
	// Seccomp is "" for the default profile, "unconfined" or a file path.
	Seccomp    string `json:"seccomp,omitempty"`
	Privileged bool   `json:"privileged,omitempty"`
	ReadOnly   bool   `json:"readOnly,omitempty"`
	Init       bool   `json:"init,omitempty"`
	InitPath   string `json:"initPath,omitempty"`
	// InitContainerType makes a pod member an init container (--init-ctr,
	// kube initContainers): InitContainerOnce or InitContainerAlways.
	InitContainerType string `json:"initContainerType,omitempty"`

	// Attach are the streams create/run -a named: inspect's
	// Config.AttachStdin/Stdout/Stderr, as docker records them.
	Attach []string `json:"attach,omitempty"`

	Stdin      bool     `json:"stdin,omitempty"`
	Terminal   bool     `json:"terminal,omitempty"`
	AutoRemove bool     `json:"autoRemove,omitempty"`
	Restart    string   `json:"restartPolicy,omitempty"`
	RestartMax uint     `json:"restartRetries,omitempty"`
	Hostname   string   `json:"hostname,omitempty"`
	DNSServers []string `json:"dnsServers,omitempty"`
	DNSSearch  []string `json:"dnsSearch,omitempty"`
	DNSOptions []string `json:"dnsOptions,omitempty"`
	HostAdd    []string `json:"hostAdd,omitempty"`
	NoHosts    bool     `json:"noHosts,omitempty"`
	// NetMode is "bridge", "none", "host", "container:ID", "ns:PATH" or ""
	// (the default).
	NetMode  string              `json:"netMode,omitempty"`
	Networks []string            `json:"networks,omitempty"`
	Ports    []PortMapping       `json:"ports,omitempty"`
	Exposed  map[string]struct{} `json:"exposed,omitempty"`
	// NetworkOptions are the per-network options asked for at create time
	// (--ip, --mac-address, --network-alias, --network NAME:ip=...). The
	// container's current attachments are ContainerState.Networks.
	NetworkOptions map[string]PerNetworkOptions `json:"networkOptions,omitempty"`
	// Namespaces shared with other containers: kind ("net", "ipc", "pid",
	// "uts", "cgroup") -> container ID.
	Namespaces map[string]string `json:"namespaces,omitempty"`
	// IpcMode is "" or "shareable" (the default: /dev/shm is a host tmpfs
	// that joiners bind too), "private", "none" (no /dev/shm) or "host".
	IpcMode string `json:"ipcMode,omitempty"`
	// Dependencies are the IDs of the containers this one needs (those
	// whose namespaces it joins): they cannot be removed before it, and
	// starting it starts them.
	Dependencies []string `json:"dependencies,omitempty"`
	// UserVolumes lists the destinations of mounts the user asked for.
	UserVolumes []string `json:"userVolumes,omitempty"`
	// Volumes are the named and anonymous volumes the container mounts.
	Volumes []VolumeMount `json:"volumes,omitempty"`
	// ImageMounts are images' root filesystems the container mounts.
	ImageMounts []ImageMount `json:"imageMounts,omitempty"`
	// VolumesFrom are the --volumes-from values as given (CTR[:ro|rw]).
	VolumesFrom []string `json:"volumesFrom,omitempty"`
	// CreateCommand is the command line that created the container.
	CreateCommand []string `json:"createCommand,omitempty"`
	// Health is the healthcheck (nil: none); see HealthSettings.
	Health *HealthSettings `json:"health,omitempty"`
	// UserNS is the user namespace (nil: the host's); see UserNSConfig.
	UserNS *UserNSConfig `json:"userns,omitempty"`
	// Secrets are the secrets given to the container (--secret); their
	// data is read from the secret store at every init.
	Secrets []ContainerSecret `json:"secrets,omitempty"`

	RunConfig
}

// Init container types, podman's words: pod start runs a pod's init
// containers to completion, in creation order, before its other members;
// a once container is removed after its run, an always one runs at every
// pod start.
const (
	InitContainerOnce   = "once"
	InitContainerAlways = "always"
)

// Secret types of --secret.
const (
	SecretMount = "mount"
	SecretEnv   = "env"
)

// ContainerSecret is one --secret: a file (SecretMount, read-only at
// Target, owned by UID:GID with Mode) or an environment variable
// (SecretEnv, named Target).
type ContainerSecret struct {
	Name   string `json:"name"`
	ID     string `json:"id"`
	Type   string `json:"type"`
	Target string `json:"target"`
	UID    uint32 `json:"uid,omitempty"`
	GID    uint32 `json:"gid,omitempty"`
	Mode   uint32 `json:"mode,omitempty"`
}

// PortMapping is one published port.
type PortMapping struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      uint16 `json:"hostPort"`
	ContainerPort uint16 `json:"containerPort"`
	Protocol      string `json:"protocol"`
	Range         uint16 `json:"range,omitempty"`
}

// ContainerState is the mutable state of a container, persisted on every
// change.
type ContainerState struct {
	Status       ContainerStatus `json:"status"`
	PID          int             `json:"pid,omitempty"`
	ConmonPID    int             `json:"conmonPid,omitempty"`
	ExitCode     int32           `json:"exitCode"`
	OOMKilled    bool            `json:"oomKilled,omitempty"`
	StartedTime  time.Time       `json:"startedAt,omitempty"`
	FinishedTime time.Time       `json:"finishedAt,omitempty"`
	Mountpoint   string          `json:"mountpoint,omitempty"`
	// Mounted counts explicit `mount` calls, so a running container's
	// rootfs is not unmounted under a user who asked for it.
	MountCount   int    `json:"mountCount,omitempty"`
	RunDir       string `json:"runDir,omitempty"`
	NetNS        string `json:"netNS,omitempty"`
	Error        string `json:"error,omitempty"`
	RestartCount int    `json:"restartCount,omitempty"`
	// StoppedByUser tells the restart policy not to restart.
	StoppedByUser bool `json:"stoppedByUser,omitempty"`
	// RestartDelay is the restart policy's current back-off (docker's:
	// 100ms doubling to a minute, back to 100ms after a run of 10s or
	// more). RestartAt, while set, is when the exit command that is
	// sleeping out that delay will start the container again; stop,
	// start and rm clear it, which cancels that restart.
	RestartDelay time.Duration `json:"restartDelay,omitempty"`
	RestartAt    time.Time     `json:"restartAt,omitempty"`
	// ExecSessions maps exec session IDs to their records.
	ExecSessions map[string]*ExecSession `json:"execSessions,omitempty"`
	// NetworkStatus is the raw result of network setup per network.
	NetworkStatus map[string]NetworkResult `json:"networkStatus,omitempty"`
	// Networks are the networks the container is attached to (bridge
	// mode), by name. It starts as ContainerConfig.NetworkOptions and
	// changes with network connect/disconnect.
	Networks map[string]PerNetworkOptions `json:"networks,omitempty"`
	// MountedVolumes are the volumes with a filesystem of their own that
	// this container's run mounted (and its cleanup unmounts).
	MountedVolumes []string `json:"mountedVolumes,omitempty"`
	// MountedImages are the IDs of the images this container's run
	// mounted (ImageMounts), one entry per mount.
	MountedImages []string `json:"mountedImages,omitempty"`
	// RemoveVolumes records an rm -v whose removal was put off (a copy in
	// progress, a storage failure): the removal that finishes it also
	// removes the anonymous volumes.
	RemoveVolumes bool `json:"removeVolumes,omitempty"`
	// Ports are the port mappings in effect while the container runs,
	// with the host ports picked for random ones.
	Ports []PortMapping `json:"ports,omitempty"`
	// PIDStart and ConmonPIDStart are the start times of PID and ConmonPID
	// (field 22 of /proc/PID/stat), so that a PID the kernel gave to
	// another process is not taken for the container's; 0 is unknown.
	PIDStart       uint64 `json:"pidStart,omitempty"`
	ConmonPIDStart uint64 `json:"conmonPidStart,omitempty"`
	// HealthPID is the process that schedules the healthchecks while the
	// container runs (no systemd), HealthPIDStart its start time;
	// HealthUnit the transient systemd unit doing it where systemd runs.
	HealthPID      int    `json:"healthPid,omitempty"`
	HealthPIDStart uint64 `json:"healthPidStart,omitempty"`
	HealthUnit     string `json:"healthUnit,omitempty"`
}

// NetworkResult is what network setup assigned on one network.
type NetworkResult struct {
	Interface  string   `json:"interface,omitempty"`
	IPs        []string `json:"ips,omitempty"` // CIDR form
	Gateway    string   `json:"gateway,omitempty"`
	MacAddress string   `json:"mac,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
	// DNSServers and DNSSearch are the network's name servers (aardvark-dns
	// on the gateway) and search domains, for /etc/resolv.conf.
	DNSServers []string `json:"dnsServers,omitempty"`
	DNSSearch  []string `json:"dnsSearch,omitempty"`
}

// ExecSession is one exec'd process in a container.
type ExecSession struct {
	ID        string   `json:"id"`
	Command   []string `json:"command"`
	PID       int      `json:"pid,omitempty"`
	ConmonPID int      `json:"conmonPid,omitempty"`
	ExitCode  int      `json:"exitCode"`
	Running   bool     `json:"running"`
	Terminal  bool     `json:"terminal,omitempty"`
	// Stdin keeps the process's stdin open for an attached client.
	Stdin bool `json:"stdin,omitempty"`
	// Healthcheck marks a healthcheck's session (no exec events).
	Healthcheck bool `json:"healthcheck,omitempty"`
	// PreserveFDs is exec --preserve-fds.
	PreserveFDs uint `json:"preserveFds,omitempty"`
	// PreserveFD is exec --preserve-fd: these descriptors, at their numbers.
	PreserveFD []uint `json:"preserveFd,omitempty"`
	// PIDStart and ConmonPIDStart: see ContainerState.PIDStart.
	PIDStart       uint64 `json:"pidStart,omitempty"`
	ConmonPIDStart uint64 `json:"conmonPidStart,omitempty"`
	// ExitedAt is when the process was seen gone; exited sessions are
	// dropped some minutes later (see engine.ExecRetention).
	ExitedAt time.Time `json:"exitedAt,omitzero"`
}

// ContainerRecord is a container's config and state read together (one row).
type ContainerRecord struct {
	Config *ContainerConfig
	State  *ContainerState
}

// Event is one line of the events log.
type Event struct {
	Time       time.Time         `json:"time"`
	Type       string            `json:"type"`   // container, image, volume, network, pod
	Status     string            `json:"status"` // create, start, died, ...
	ID         string            `json:"id"`
	Name       string            `json:"name,omitempty"`
	Image      string            `json:"image,omitempty"`
	ExitCode   *int              `json:"exitCode,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}
