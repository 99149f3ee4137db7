package spec

// The typed values of a ContainerSpec. The CLI parses its flag strings
// into them (internal/specflag, where the errors name the flags) and the
// REST API fills them from its JSON; spec/generate checks what does not
// depend on how they were written (an absolute destination, a volume
// name, a limit the host allows) and turns them into the OCI spec.

// Mount types.
const (
	MountBind   = "bind"   // a host path; Overlay makes it an overlay lower dir
	MountVolume = "volume" // a named volume (Source) or an anonymous one (no Source)
	MountTmpfs  = "tmpfs"
	MountRamfs  = "ramfs"
	MountDevpts = "devpts"
	MountImage  = "image" // an image's root filesystem (Source: the image)
)

// Mount is one filesystem mount of -v, --mount or --tmpfs (or an API
// Binds, Mounts or Tmpfs entry, or an image VOLUME).
type Mount struct {
	Type string `json:"type"`
	// Source is the host path of a bind (absolute) or the volume name
	// ("" for an anonymous volume).
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination"`
	ReadOnly    bool   `json:"readOnly,omitempty"`
	// Propagation is shared, rshared, slave, rslave, private, rprivate,
	// unbindable or runbindable ("": rprivate).
	Propagation string `json:"propagation,omitempty"`
	// NonRecursive binds only the source, not the mounts below it.
	NonRecursive bool `json:"nonRecursive,omitempty"`
	// Chown (-v's U) gives the source to the container's user.
	Chown bool `json:"chown,omitempty"`
	// IDMap (-v's idmap) shows a bind source through an idmapped mount
	// to the container's user namespace: host root's files are the
	// container root's (needs a user namespace).
	IDMap bool `json:"idmap,omitempty"`
	// Overlay (-v's O) mounts a bind source as the lower directory of an
	// overlay; UpperDir and WorkDir keep its writes (else they are thrown
	// away when the container stops).
	Overlay  bool   `json:"overlay,omitempty"`
	UpperDir string `json:"upperDir,omitempty"`
	WorkDir  string `json:"workDir,omitempty"`
	// NoCopy leaves a new volume empty instead of copying up the image's
	// content at the destination.
	NoCopy bool `json:"noCopy,omitempty"`
	// VolumeOptions are driver options for a volume this mount creates
	// (--mount volume-opt=KEY=VALUE).
	VolumeOptions map[string]string `json:"volumeOptions,omitempty"`
	// TmpfsSize is the size of a tmpfs in bytes (0: the kernel's default);
	// TmpfsMode its permission bits (0: the kernel's default, 1777).
	TmpfsSize int64  `json:"tmpfsSize,omitempty"`
	TmpfsMode uint32 `json:"tmpfsMode,omitempty"`
	// ReadWrite makes an image mount writable: an overlay over the
	// image whose writes are thrown away when the container stops (an
	// image mount is read-only otherwise; ReadOnly does not apply).
	ReadWrite bool `json:"readWrite,omitempty"`
	// SubPath mounts only this directory of an image.
	SubPath string `json:"subPath,omitempty"`
	// Options are further mount(8) options, as given: nosuid, nodev,
	// noexec and their opposites, copy, a tmpfs's uid=, gid=, nr_inodes=
	// or a size= that is not a byte count (50%), a devpts's uid=, gid=,
	// mode=, max=.
	Options []string `json:"options,omitempty"`
}

// PortMapping publishes container ports on the host (-p).
type PortMapping struct {
	// HostIP is the host address to listen on ("": all).
	HostIP string `json:"hostIP,omitempty"`
	// HostPort is the first host port; 0 picks a free one at each start,
	// for every container port of the range.
	HostPort      uint16 `json:"hostPort,omitempty"`
	ContainerPort uint16 `json:"containerPort"`
	// Range is the number of consecutive ports (0 or 1: one).
	Range uint16 `json:"range,omitempty"`
	// Protocol is tcp (also for ""), udp or sctp.
	Protocol string `json:"protocol,omitempty"`
}

// ExposedPort is a port the container listens on (--expose, EXPOSE),
// which -P publishes.
type ExposedPort struct {
	Port uint16 `json:"port"`
	// Range is the number of consecutive ports (0 or 1: one).
	Range    uint16 `json:"range,omitempty"`
	Protocol string `json:"protocol,omitempty"` // tcp (also for ""), udp or sctp
}

// Restart policy names.
const (
	RestartNo            = "no"
	RestartAlways        = "always"
	RestartOnFailure     = "on-failure"
	RestartUnlessStopped = "unless-stopped"
)

// RestartPolicy is what happens when the container exits: Name is one of
// the Restart* names ("" is not given: no restart); MaxRetries caps
// on-failure restarts (0: no cap).
type RestartPolicy struct {
	Name       string `json:"name,omitempty"`
	MaxRetries uint   `json:"maxRetries,omitempty"`
}

// Restarts reports whether the policy ever restarts the container.
func (r RestartPolicy) Restarts() bool { return r.Name != "" && r.Name != RestartNo }

// Ulimit is one resource limit: Name is docker's (nofile, nproc, core...),
// Soft and Hard are numbers, -1 for unlimited.
type Ulimit struct {
	Name string `json:"name"`
	Soft int64  `json:"soft"`
	Hard int64  `json:"hard"`
}

// Device is a host device node made available in the container.
type Device struct {
	// Source is the device on the host; Destination its path in the
	// container ("": the same).
	Source      string `json:"source"`
	Destination string `json:"destination,omitempty"`
	// Permissions is a combination of r, w and m ("": rwm).
	Permissions string `json:"permissions,omitempty"`
}

// WeightDevice is a --blkio-weight-device: a block device's IO weight
// (10-1000).
type WeightDevice struct {
	Path   string
	Weight uint16
}

// ThrottleDevice is a --device-{read,write}-{bps,iops}: a block device's
// limit in bytes or IO operations per second.
type ThrottleDevice struct {
	Path string
	Rate uint64
}
