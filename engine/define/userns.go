package define

import specs "github.com/opencontainers/runtime-spec/specs-go"

// UserNSConfig is a container's user namespace as decided at create time.
// The maps are what the container's files and processes use: the OCI
// spec's uid/gid mappings and the ownership of its storage layer.
type UserNSConfig struct {
	// Mode is "private", "auto", "keep-id", "nomap", "ns" or "container"
	// (spec.UserNS* names), for inspect and for joiners.
	Mode string `json:"mode"`
	// UIDMap and GIDMap are the mappings (auto: those it must include;
	// the rest is picked when the rootfs is created).
	UIDMap []specs.LinuxIDMapping `json:"uidMap,omitempty"`
	GIDMap []specs.LinuxIDMapping `json:"gidMap,omitempty"`
	// AutoSize is auto's size= (0: what the image needs).
	AutoSize uint32 `json:"autoSize,omitempty"`
	// Reserve records the maps in storage (an empty layer) for a
	// container without an image: a pod's infra container, whose root is
	// the shared pause directory. Its auto range is then taken and freed
	// as an image container's, and its members find the maps to create
	// their own rootfs with.
	Reserve bool `json:"reserve,omitempty"`
}

// InspectIDMappings is inspect's HostConfig.IDMappings: the maps as
// "CONTAINER:HOST:SIZE" lines, as podman shows them.
type InspectIDMappings struct {
	UIDMap []string `json:"UidMap"`
	GIDMap []string `json:"GidMap"`
}
