package define

// Annotations in a container's OCI spec that record options as the user
// gave them, for inspect; podman's keys, so tools that read podman's specs
// read ours.
const (
	// InspectAnnotationAppArmor is --security-opt apparmor=VALUE.
	InspectAnnotationAppArmor = "io.podman.annotations.apparmor"
	// InspectAnnotationLabel is the --security-opt label= values joined
	// with ",label=".
	InspectAnnotationLabel = "io.podman.annotations.label"
)
