package kube

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// Workload types of --type.
const (
	TypePod        = "pod"
	TypeDeployment = "deployment"
	TypeDaemonSet  = "daemonset"
	TypeJob        = "job"
)

// GenContainer is one container to write out, with its image's config so
// that what the container only inherits (env, command) is left out.
type GenContainer struct {
	Data            *define.InspectContainerData
	ImageEnv        []string
	ImageEntrypoint []string
	ImageCmd        []string
	ImageWorkDir    string
	// InitType is "once" or "always" for a pod's init container (written
	// under initContainers), "" for the others.
	InitType string
}

// GenPod is one pod to write out: a berth pod, or a lone container
// (named CTR-pod, as podman names it).
type GenPod struct {
	Name   string
	Labels map[string]string
	// Ports are the published ports of the pod (its infra container's,
	// or the lone container's).
	Ports       map[string][]define.InspectHostPort
	HostNetwork bool
	HostPID     bool
	Containers  []GenContainer
}

// GenerateOptions are the flags of `kube generate`.
type GenerateOptions struct {
	// Type is pod (default), deployment, daemonset or job.
	Type string
	// Replicas is a Deployment's (0: 1).
	Replicas int32
	// Service adds a Service for each pod's published ports.
	Service bool
	// Version is berth's, for the header.
	Version string
}

// Generate writes pods and volumes as Kubernetes YAML, one document each,
// after podman's header comment.
func Generate(pods []GenPod, vols []*define.InspectVolume, opts GenerateOptions) ([]byte, error) {
	switch opts.Type {
	case "", TypePod, TypeDeployment, TypeDaemonSet, TypeJob:
	default:
		return nil, fmt.Errorf("invalid type %q: must be pod, deployment, daemonset or job: %w", opts.Type, define.ErrInvalidArg)
	}
	if opts.Replicas != 0 && opts.Type != TypeDeployment {
		return nil, fmt.Errorf("--replicas is only for --type deployment: %w", define.ErrInvalidArg)
	}
	var docs []any
	for _, v := range vols {
		docs = append(docs, claimFor(v))
	}
	for _, p := range pods {
		pod, err := podFor(p, opts.Type)
		if err != nil {
			return nil, err
		}
		docs = append(docs, workload(pod, opts))
		if opts.Service {
			if svc := serviceFor(pod); svc != nil {
				docs = append(docs, svc)
			}
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Save the output of this file and use kubectl create -f to import\n# it into Kubernetes.\n#\n# Created with berth-%s\n", opts.Version)
	for i, d := range docs {
		out, err := yaml.Marshal(d)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(out)
	}
	return b.Bytes(), nil
}

// workload wraps a pod in the --type asked for.
func workload(pod *corev1.Pod, opts GenerateOptions) any {
	tmpl := corev1.PodTemplateSpec{ObjectMeta: pod.ObjectMeta, Spec: pod.Spec}
	tmpl.Name = ""
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"app": pod.Name}}
	meta := metav1.ObjectMeta{Name: pod.Name + "-" + opts.Type, Labels: map[string]string{"app": pod.Name}}
	switch opts.Type {
	case TypeDeployment:
		n := opts.Replicas
		if n == 0 {
			n = 1
		}
		meta.Name = pod.Name + "-deployment"
		return &appsv1.Deployment{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: KindDeployment}, ObjectMeta: meta,
			Spec: appsv1.DeploymentSpec{Replicas: &n, Selector: sel, Template: tmpl}}
	case TypeDaemonSet:
		meta.Name = pod.Name + "-daemonset"
		return &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: KindDaemonSet}, ObjectMeta: meta,
			Spec: appsv1.DaemonSetSpec{Selector: sel, Template: tmpl}}
	case TypeJob:
		meta.Name = pod.Name + "-job"
		return &batchv1.Job{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: KindJob}, ObjectMeta: meta,
			Spec: batchv1.JobSpec{Template: tmpl}}
	}
	return pod
}

// podFor builds the Pod of a GenPod. A cluster wants a Job's pod to
// restart OnFailure or Never, and a Deployment's or DaemonSet's Always.
func podFor(p GenPod, kind string) (*corev1.Pod, error) {
	labels := maps.Clone(p.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels["app"] = p.Name
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: KindPod},
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Labels: labels},
		Spec:       corev1.PodSpec{HostNetwork: p.HostNetwork, HostPID: p.HostPID},
	}
	vols := map[string]corev1.Volume{}
	restart := ""
	for _, gc := range p.Containers {
		for k, v := range gc.Data.Config.Annotations {
			// berth's own (--security-opt records) stay here.
			if !strings.HasPrefix(k, "io.podman.annotations.") {
				if pod.Annotations == nil {
					pod.Annotations = map[string]string{}
				}
				pod.Annotations[k] = v
			}
		}
		// The pod's grace period is its members' longest stop timeout
		// (left out when that is the default, 10s).
		if st := int64(gc.Data.Config.StopTimeout); st != 10 && (pod.Spec.TerminationGracePeriodSeconds == nil || st > *pod.Spec.TerminationGracePeriodSeconds) {
			pod.Spec.TerminationGracePeriodSeconds = &st
		}
	}
	first := true
	for _, gc := range p.Containers {
		c, err := containerFor(p, gc, first && gc.InitType == "", vols)
		if err != nil {
			return nil, err
		}
		if gc.InitType != "" {
			// An always init container still exists to be written out (a
			// once one is gone after its run); play reads the type back.
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, *c)
			if pod.Annotations == nil {
				pod.Annotations = map[string]string{}
			}
			pod.Annotations[InitContainerTypeAnnotation] = gc.InitType
			continue
		}
		first = false
		pod.Spec.Containers = append(pod.Spec.Containers, *c)
		if r := gc.Data.HostConfig.RestartPolicy.Name; restart == "" || r == "always" {
			restart = r
		}
	}
	switch restart {
	case "always", "unless-stopped":
		pod.Spec.RestartPolicy = corev1.RestartPolicyAlways
	case "on-failure":
		pod.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	default:
		pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	}
	switch {
	case kind == TypeJob && pod.Spec.RestartPolicy == corev1.RestartPolicyAlways:
		pod.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	case kind == TypeDeployment || kind == TypeDaemonSet:
		pod.Spec.RestartPolicy = corev1.RestartPolicyAlways
	}
	for _, k := range slices.Sorted(maps.Keys(vols)) {
		pod.Spec.Volumes = append(pod.Spec.Volumes, vols[k])
	}
	return pod, nil
}

// containerFor builds one container; the pod's published ports go to the
// first one as hostPorts (they are the pod's, and a port appears once).
func containerFor(p GenPod, gc GenContainer, first bool, vols map[string]corev1.Volume) (*corev1.Container, error) {
	d := gc.Data
	cfg, hc := d.Config, d.HostConfig
	if cfg == nil || hc == nil {
		return nil, fmt.Errorf("container %s has no config", d.Name)
	}
	// play names containers POD-CONTAINER: give back CONTAINER.
	c := &corev1.Container{Name: d.Name, Image: d.ImageName}
	if n := strings.TrimPrefix(d.Name, p.Name+"-"); n != d.Name && n != "" {
		c.Name = n
	}
	if !slices.Equal(cfg.Entrypoint, gc.ImageEntrypoint) {
		c.Command, c.Args = cfg.Entrypoint, cfg.Cmd
	} else if !slices.Equal(cfg.Cmd, gc.ImageCmd) {
		c.Args = cfg.Cmd
	}
	if cfg.WorkingDir != gc.ImageWorkDir && cfg.WorkingDir != "" && cfg.WorkingDir != "/" {
		c.WorkingDir = cfg.WorkingDir
	}
	c.TTY, c.Stdin = cfg.Tty, cfg.OpenStdin
	for _, kv := range cfg.Env {
		k, v, _ := strings.Cut(kv, "=")
		if slices.Contains(gc.ImageEnv, kv) || k == "container" || k == "HOSTNAME" ||
			(k == "TERM" && cfg.Tty) || kv == "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" {
			continue
		}
		c.Env = append(c.Env, corev1.EnvVar{Name: k, Value: v})
	}
	if first {
		c.Ports = containerPorts(p.Ports)
	}
	if hc.Memory > 0 || hc.NanoCpus > 0 {
		c.Resources.Limits = corev1.ResourceList{}
		if hc.Memory > 0 {
			c.Resources.Limits[corev1.ResourceMemory] = *resource.NewQuantity(hc.Memory, resource.BinarySI)
		}
		if hc.NanoCpus > 0 {
			c.Resources.Limits[corev1.ResourceCPU] = *resource.NewMilliQuantity(hc.NanoCpus/1_000_000, resource.DecimalSI)
		}
	}
	c.SecurityContext = securityFor(cfg, hc)
	for _, m := range d.Mounts {
		vm, v, err := volumeFor(m)
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", d.Name, err)
		}
		if v != nil {
			vols[v.Name] = *v
		}
		c.VolumeMounts = append(c.VolumeMounts, vm)
	}
	for dst, opts := range hc.Tmpfs {
		name := hostPathName(dst) + "-tmpfs"
		if !slices.ContainsFunc(d.Mounts, func(m define.InspectMount) bool { return m.Destination == dst }) {
			vols[name] = corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: name, MountPath: dst, ReadOnly: slices.Contains(strings.Split(opts, ","), "ro")})
		}
	}
	if h := cfg.Healthcheck; h != nil && len(h.Test) > 0 && h.Test[0] != "NONE" {
		c.LivenessProbe = probeFor(h)
	}
	return c, nil
}

// containerPorts lists published ports ("80/tcp" -> bindings) as
// container ports with their hostPort, in port order.
func containerPorts(ports map[string][]define.InspectHostPort) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	for _, k := range slices.Sorted(maps.Keys(ports)) {
		port, proto, _ := strings.Cut(k, "/")
		cp, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			continue
		}
		for _, b := range ports[k] {
			hp, _ := strconv.ParseUint(b.HostPort, 10, 16)
			p := corev1.ContainerPort{ContainerPort: int32(cp), HostPort: int32(hp), Protocol: corev1.Protocol(strings.ToUpper(proto))}
			if p.Protocol == "" {
				p.Protocol = corev1.ProtocolTCP
			}
			if b.HostIP != "" && b.HostIP != "0.0.0.0" {
				p.HostIP = b.HostIP
			}
			out = append(out, p)
		}
	}
	return out
}

// securityFor is the securityContext of a container: what differs from
// the defaults (caps, privileged, read-only root, a numeric user).
func securityFor(cfg *define.InspectContainerConfig, hc *define.InspectHostConfig) *corev1.SecurityContext {
	sc := &corev1.SecurityContext{}
	set := false
	if hc.Privileged {
		t := true
		sc.Privileged, set = &t, true
	}
	if hc.ReadonlyRootfs {
		t := true
		sc.ReadOnlyRootFilesystem, set = &t, true
	}
	if len(hc.CapAdd) > 0 || len(hc.CapDrop) > 0 {
		sc.Capabilities = &corev1.Capabilities{}
		for _, c := range hc.CapAdd {
			sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(strings.TrimPrefix(c, "CAP_")))
		}
		for _, c := range hc.CapDrop {
			sc.Capabilities.Drop = append(sc.Capabilities.Drop, corev1.Capability(strings.TrimPrefix(c, "CAP_")))
		}
		set = true
	}
	if u, g, _ := strings.Cut(cfg.User, ":"); u != "" {
		if uid, err := strconv.ParseInt(u, 10, 64); err == nil {
			sc.RunAsUser, set = &uid, true
			if gid, err := strconv.ParseInt(g, 10, 64); err == nil {
				sc.RunAsGroup = &gid
			}
		}
	}
	if !set {
		return nil
	}
	return sc
}

// volumeFor turns a mount into a volumeMount and the pod volume it uses:
// binds are hostPath (DirectoryOrCreate, Directory or File as the host
// path is now), named volumes persistentVolumeClaims, tmpfs emptyDir.
func volumeFor(m define.InspectMount) (corev1.VolumeMount, *corev1.Volume, error) {
	vm := corev1.VolumeMount{MountPath: m.Destination, ReadOnly: !m.RW}
	switch m.Type {
	case "bind":
		vm.Name = hostPathName(m.Source) + "-host"
		t := corev1.HostPathDirectoryOrCreate
		if fi, err := os.Stat(m.Source); err == nil {
			t = corev1.HostPathDirectory
			if !fi.IsDir() {
				t = corev1.HostPathFile
			}
		}
		return vm, &corev1.Volume{Name: vm.Name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: m.Source, Type: &t}}}, nil
	case "volume":
		vm.Name = m.Name + "-pvc"
		return vm, &corev1.Volume{Name: vm.Name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: m.Name}}}, nil
	case "tmpfs":
		vm.Name = hostPathName(m.Destination) + "-tmpfs"
		return vm, &corev1.Volume{Name: vm.Name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}}, nil
	}
	return vm, nil, fmt.Errorf("mount %s: type %s cannot be written as a Kubernetes volume: %w", m.Destination, m.Type, define.ErrInvalidArg)
}

// hostPathName names a path's volume as podman does: slashes become
// hyphens, / is root. Kubernetes wants a DNS label: lowercase, no dots
// or underscores.
func hostPathName(p string) string {
	n := strings.Trim(p, "/")
	if n == "" {
		return "root"
	}
	n = strings.ToLower(n)
	n = strings.NewReplacer("/", "-", ".", "-", "_", "-").Replace(n)
	return n
}

// probeFor turns a healthcheck into a liveness probe.
func probeFor(h *define.HealthConfig) *corev1.Probe {
	p := &corev1.Probe{}
	switch h.Test[0] {
	case "CMD":
		p.Exec = &corev1.ExecAction{Command: h.Test[1:]}
	case "CMD-SHELL":
		p.Exec = &corev1.ExecAction{Command: []string{"/bin/sh", "-c", strings.Join(h.Test[1:], " ")}}
	default:
		p.Exec = &corev1.ExecAction{Command: h.Test}
	}
	secs := func(d time.Duration) int32 { return int32(d / time.Second) }
	p.PeriodSeconds = secs(h.Interval)
	p.TimeoutSeconds = secs(h.Timeout)
	p.InitialDelaySeconds = secs(h.StartPeriod)
	p.FailureThreshold = int32(h.Retries)
	return p
}

// serviceFor is a NodePort Service for a pod's published ports (nil
// without any), each with a random node port of the cluster's default
// range (30000-32767), as podman's kube generate assigns them. Played
// back, the pod's own hostPort still wins over the node port.
func serviceFor(pod *corev1.Pod) *corev1.Service {
	var ports []corev1.ServicePort
	used := map[int32]bool{}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			node := int32(30000 + rand.IntN(2768))
			for used[node] {
				node = int32(30000 + rand.IntN(2768))
			}
			used[node] = true
			ports = append(ports, corev1.ServicePort{
				Name: strconv.Itoa(int(p.ContainerPort)) + "-" + strings.ToLower(string(p.Protocol)), Protocol: p.Protocol,
				Port: p.ContainerPort, TargetPort: intstr.FromInt32(p.ContainerPort), NodePort: node,
			})
		}
	}
	if len(ports) == 0 {
		return nil
	}
	sort.Slice(ports, func(i, j int) bool { return ports[i].Port < ports[j].Port })
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: KindService},
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Labels: map[string]string{"app": pod.Name}},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Selector: map[string]string{"app": pod.Name}, Ports: ports},
	}
}

// claimFor is the PersistentVolumeClaim of a named volume.
func claimFor(v *define.InspectVolume) *corev1.PersistentVolumeClaim {
	ann := map[string]string{}
	if v.Driver != "" && v.Driver != "local" {
		ann["volume.podman.io/driver"] = v.Driver
	}
	return &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: KindPersistentVolumeClaim},
		ObjectMeta: metav1.ObjectMeta{Name: v.Name, Labels: v.Labels, Annotations: ann},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: resource.MustParse("1Gi"),
			}},
		},
	}
}
