package service

import "github.com/berth-dev/berth/spec"

// The `kube` verbs' options and reports. The verbs themselves are in
// kube.go, which only the complete binary links (k8s.io/api is large);
// the lean CLI hands them to berth-full before they run.

// KubeGenerateOptions are the flags of `kube generate`.
type KubeGenerateOptions struct {
	// Type is pod (default), deployment, daemonset or job.
	Type string
	// Replicas is a Deployment's (0: 1).
	Replicas int32
	// Service adds a Service for each pod with published ports.
	Service bool
	// Version is berth's, for the header comment.
	Version string
}

// KubePlayOptions are the flags of `kube play`.
type KubePlayOptions struct {
	// Create carries the pull policy and output of the image pulls.
	Create CreateOptions
	// Replace removes pods of the same names first.
	Replace bool
	// NoStart creates the pods without starting them (--start=false).
	NoStart bool
	// Network replaces every pod's networks.
	Network []string
	// Publish adds published ports to every pod.
	Publish []spec.PortMapping
	// ConfigMaps are further YAML files holding ConfigMaps.
	ConfigMaps [][]byte
	// Annotations are added to every container.
	Annotations map[string]string
	// Build builds the images that have a directory with a Containerfile
	// under ContextDir (the working directory when ""): nil those not
	// in local storage, true all, false none (--build).
	Build      *bool
	ContextDir string
}

// KubePlayReport is what play made.
type KubePlayReport struct {
	// Secrets are the IDs of the secrets stored from Secret kinds.
	Secrets []string
	Volumes []string
	Pods    []KubePodReport
}

// KubePodReport is one pod play made, with its containers' IDs.
type KubePodReport struct {
	ID             string
	Name           string
	InitContainers []string
	Containers     []string
}

// KubeDownReport is what down removed.
type KubeDownReport struct {
	Pods    []KubePodReport
	Secrets []string
	Volumes []string
}
