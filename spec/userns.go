package spec

// User namespace modes (--userns).
const (
	UserNSHost    = "host"    // no user namespace (also "")
	UserNSPrivate = "private" // a namespace of its own: --uidmap/--gidmap, else the default mapping
	UserNSAuto    = "auto"    // a range of its own, not overlapping any other container's
	UserNSKeepID  = "keep-id" // rootless: the caller keeps its IDs inside
	UserNSNoMap   = "nomap"   // rootless: the caller is not mapped inside
	UserNSPath    = "ns"      // an existing namespace (ns:PATH)
)

// IDMap maps Size IDs starting at ContainerID inside the container to
// those starting at HostID outside (one line of /proc/PID/uid_map).
type IDMap struct {
	ContainerID uint32 `json:"containerID"`
	HostID      uint32 `json:"hostID"`
	Size        uint32 `json:"size"`
}

// UserNS is the user namespace asked for with --userns, --uidmap,
// --gidmap, --subuidname and --subgidname (or the API's userns and
// idmappings). The zero value is the host's namespace.
type UserNS struct {
	// Mode is one of the UserNS* modes ("": host, or private when maps
	// or sub-ID names are given).
	Mode string `json:"mode,omitempty"`
	// Path is the namespace file of the ns mode.
	Path string `json:"path,omitempty"`
	// UIDMap and GIDMap are --uidmap and --gidmap (private), or auto's
	// uidmapping= and gidmapping= (mappings the range must include).
	UIDMap []IDMap `json:"uidMap,omitempty"`
	GIDMap []IDMap `json:"gidMap,omitempty"`
	// SubUIDName and SubGIDName take the maps from /etc/subuid and
	// /etc/subgid entries of these names.
	SubUIDName string `json:"subUIDName,omitempty"`
	SubGIDName string `json:"subGIDName,omitempty"`
	// Size is auto's size= (0: a size that fits the image).
	Size uint32 `json:"size,omitempty"`
	// UID and GID are keep-id's uid= and gid= (nil: the caller's).
	UID *uint32 `json:"uid,omitempty"`
	GID *uint32 `json:"gid,omitempty"`
}

// Enabled reports whether the container gets a user namespace other than
// the host's.
func (u UserNS) Enabled() bool {
	return u.Mode != "" && u.Mode != UserNSHost
}
