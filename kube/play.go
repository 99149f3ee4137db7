package kube

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PlayOptions are the choices of `kube play` that shape the plan.
type PlayOptions struct {
	// FilesRoot is the host directory under which each pod gets a
	// directory for its configMap, secret and emptyDir volumes
	// (FilesRoot/POD/VOLUME), bind-mounted into its containers.
	FilesRoot string
	// Network replaces the pods' networks (--network).
	Network []string
	// Publish adds published ports to every pod (--publish).
	Publish []spec.PortMapping
	// Annotations are added to every container's annotations, over the
	// pod template's (--annotation).
	Annotations map[string]string
}

// Plan is what a set of manifests asks berth to create.
type Plan struct {
	// Volumes are the named volumes of PersistentVolumeClaims and of the
	// claims pods refer to, in order, without duplicates.
	Volumes []Volume
	Pods    []PodPlan
	// Warnings are what play leaves out, one a line.
	Warnings []string
}

// Volume is a named volume to create if it does not exist.
type Volume struct {
	Name   string
	Labels map[string]string
	// Declared is true for a PersistentVolumeClaim document (down
	// --force removes it), false for a claim only referred to.
	Declared bool
}

// InitContainerTypeAnnotation picks, in a played manifest's annotations,
// whether its init containers run once (the default) or at every pod
// start, as podman's kube play reads it.
const InitContainerTypeAnnotation = "io.podman.annotations.init.container.type"

// PodPlan is one pod to create, with its containers.
type PodPlan struct {
	// Kind is the document it came from (Pod, Deployment...).
	Kind string
	Spec spec.PodSpec
	// Init containers (InitContainerType set) are members that pod start
	// runs one after another to completion before Containers start.
	Init       []spec.ContainerSpec
	Containers []spec.ContainerSpec
	// Files are written under FilesRoot/POD before the pod is created.
	Files []File
	// Dirs are the directories (emptyDir volumes) to create under
	// FilesRoot/POD.
	Dirs []string
	// HostDirs are hostPath directories of type DirectoryOrCreate, made
	// when missing; HostPaths are hostPaths of type Directory or File,
	// which must exist.
	HostDirs  []string
	HostPaths []string
}

// File is one file of a configMap or secret volume.
type File struct {
	// Path is relative to FilesRoot/POD.
	Path string
	Data []byte
	Mode uint32
}

// PodNames returns the names of the pods the manifests create, for down
// and for the name checks of play.
func PodNames(m *Manifests) []string {
	var out []string
	for _, t := range templates(m) {
		out = append(out, t.name)
	}
	return out
}

// template is one pod to make: its name, kind and pod template.
type template struct {
	name, kind string
	meta       metav1.ObjectMeta
	spec       corev1.PodSpec
}

// templates lists the pods of every workload document: a Pod is itself,
// each replica of a Deployment a pod (NAME-pod, or NAME-pod-N with more
// than one), a DaemonSet one pod on this one node, a Job one pod.
func templates(m *Manifests) []template {
	var out []template
	for _, p := range m.Pods {
		out = append(out, template{p.Name, KindPod, p.ObjectMeta, p.Spec})
	}
	for _, d := range m.Deployments {
		n := int32(1)
		if d.Spec.Replicas != nil {
			n = *d.Spec.Replicas
		}
		for i := range n {
			name := d.Name + "-pod"
			if n > 1 {
				name += "-" + strconv.Itoa(int(i))
			}
			out = append(out, template{name, KindDeployment, d.Spec.Template.ObjectMeta, d.Spec.Template.Spec})
		}
	}
	for _, d := range m.DaemonSets {
		out = append(out, template{d.Name + "-pod", KindDaemonSet, d.Spec.Template.ObjectMeta, d.Spec.Template.Spec})
	}
	for _, j := range m.Jobs {
		out = append(out, template{j.Name + "-pod", KindJob, j.Spec.Template.ObjectMeta, j.Spec.Template.Spec})
	}
	return out
}

// MakePlan turns manifests into the volumes, pods and containers to
// create. Every error names what was wrong; nothing has been created.
func MakePlan(m *Manifests, opts PlayOptions) (*Plan, error) {
	p := &Plan{}
	seen := map[string]bool{}
	addVolume := func(v Volume) {
		if !seen[v.Name] {
			seen[v.Name] = true
			p.Volumes = append(p.Volumes, v)
		}
	}
	for _, c := range m.Claims {
		if c.Name == "" {
			return nil, fmt.Errorf("a PersistentVolumeClaim has no metadata.name: %w", define.ErrInvalidArg)
		}
		addVolume(Volume{Name: c.Name, Labels: c.Labels, Declared: true})
	}
	ts := templates(m)
	if len(ts) == 0 && len(p.Volumes) == 0 {
		return nil, fmt.Errorf("the YAML has no Pod, Deployment, DaemonSet, Job or PersistentVolumeClaim to play: %w", define.ErrInvalidArg)
	}
	names := map[string]bool{}
	for _, t := range ts {
		if t.name == "" || t.name == "-pod" {
			return nil, fmt.Errorf("a %s has no metadata.name: %w", t.kind, define.ErrInvalidArg)
		}
		if names[t.name] {
			return nil, fmt.Errorf("two documents make a pod named %s: %w", t.name, define.ErrInvalidArg)
		}
		names[t.name] = true
		pp, claims, warn, err := planPod(m, t, opts)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", t.kind, t.name, err)
		}
		for _, c := range claims {
			addVolume(Volume{Name: c})
		}
		p.Warnings = append(p.Warnings, warn...)
		p.Pods = append(p.Pods, *pp)
	}
	return p, nil
}

// planPod translates one pod template.
func planPod(m *Manifests, t template, opts PlayOptions) (_ *PodPlan, claims, warnings []string, _ error) {
	ps := t.spec
	pp := &PodPlan{Kind: t.kind, Spec: spec.PodSpec{
		Name: t.name, Infra: true, Labels: maps.Clone(t.meta.Labels), Hostname: ps.Hostname,
	}}
	// hostNetwork is the pod's own choice: --network does not override it.
	switch {
	case ps.HostNetwork:
		pp.Spec.Network = []string{"host"}
	case len(opts.Network) > 0:
		pp.Spec.Network = opts.Network
	}
	if ps.HostPID {
		pp.Spec.Pid = "host"
	}
	if ps.HostUsers != nil && !*ps.HostUsers {
		// A user namespace of the pod's own, as podman plays it.
		pp.Spec.UserNS = spec.UserNS{Mode: spec.UserNSAuto}
	}
	for _, h := range ps.HostAliases {
		for _, n := range h.Hostnames {
			pp.Spec.AddHost = append(pp.Spec.AddHost, n+":"+h.IP)
		}
	}
	if dc := ps.DNSConfig; dc != nil {
		pp.Spec.DNS, pp.Spec.DNSSearch = dc.Nameservers, dc.Searches
		for _, o := range dc.Options {
			if o.Value != nil {
				pp.Spec.DNSOption = append(pp.Spec.DNSOption, o.Name+":"+*o.Value)
			} else {
				pp.Spec.DNSOption = append(pp.Spec.DNSOption, o.Name)
			}
		}
	}
	restart, err := restartPolicy(ps.RestartPolicy, t.kind)
	if err != nil {
		return nil, nil, nil, err
	}
	vols, claims, err := planVolumes(m, pp, ps.Volumes, opts.FilesRoot)
	for _, v := range ps.Volumes {
		if v.Projected != nil {
			warnings = append(warnings, fmt.Sprintf("%s %s: projected volume %s (a cluster's service account token) is left out", t.kind, t.name, v.Name))
		}
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if len(ps.Containers) == 0 {
		return nil, nil, nil, fmt.Errorf("no containers: %w", define.ErrInvalidArg)
	}
	ctrNames := map[string]bool{}
	build := func(c corev1.Container, init bool) (*spec.ContainerSpec, error) {
		if c.Name == "" {
			return nil, fmt.Errorf("a container has no name: %w", define.ErrInvalidArg)
		}
		if ctrNames[c.Name] {
			return nil, fmt.Errorf("two containers are named %s: %w", c.Name, define.ErrInvalidArg)
		}
		ctrNames[c.Name] = true
		s, err := planContainer(m, t, c, vols, ps.SecurityContext)
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", c.Name, err)
		}
		if !init {
			s.Restart = restart
			for _, p := range c.Ports {
				if p.HostPort != 0 {
					pp.Spec.Ports = append(pp.Spec.Ports, spec.PortMapping{
						HostIP: p.HostIP, HostPort: uint16(p.HostPort), ContainerPort: uint16(p.ContainerPort), Protocol: strings.ToLower(string(p.Protocol)),
					})
				} else if hp := nodePort(m, t.meta.Labels, p); hp != 0 {
					pp.Spec.Ports = append(pp.Spec.Ports, spec.PortMapping{
						HostPort: hp, ContainerPort: uint16(p.ContainerPort), Protocol: strings.ToLower(string(p.Protocol)),
					})
				}
			}
		}
		if len(t.meta.Annotations)+len(opts.Annotations) > 0 {
			s.Annotations = maps.Clone(t.meta.Annotations)
			if s.Annotations == nil {
				s.Annotations = map[string]string{}
			}
			maps.Copy(s.Annotations, opts.Annotations)
		}
		if init {
			// podman's default: a played init container runs once.
			s.InitContainerType = define.InitContainerOnce
			if v, ok := s.Annotations[InitContainerTypeAnnotation]; ok {
				if v != define.InitContainerOnce && v != define.InitContainerAlways {
					return nil, fmt.Errorf("container %s: annotation %s=%q: must be %q or %q: %w", c.Name, InitContainerTypeAnnotation, v, define.InitContainerAlways, define.InitContainerOnce, define.ErrInvalidArg)
				}
				s.InitContainerType = v
			}
		}
		return s, nil
	}
	for _, c := range ps.InitContainers {
		s, err := build(c, true)
		if err != nil {
			return nil, nil, nil, err
		}
		pp.Init = append(pp.Init, *s)
	}
	for _, c := range ps.Containers {
		s, err := build(c, false)
		if err != nil {
			return nil, nil, nil, err
		}
		pp.Containers = append(pp.Containers, *s)
	}
	pp.Spec.Ports = append(pp.Spec.Ports, opts.Publish...)
	return pp, claims, warnings, nil
}

// nodePort is the host port a Service selecting the pod gives a
// container port: its nodePort (as podman publishes it), 0 for none.
func nodePort(m *Manifests, labels map[string]string, p corev1.ContainerPort) uint16 {
	for _, svc := range m.Services {
		if len(svc.Spec.Selector) == 0 {
			continue
		}
		match := true
		for k, v := range svc.Spec.Selector {
			if labels[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		for _, sp := range svc.Spec.Ports {
			if sp.NodePort == 0 || (sp.Protocol != "" && p.Protocol != "" && sp.Protocol != p.Protocol) {
				continue
			}
			target := sp.TargetPort.IntValue()
			if sp.TargetPort.String() == "0" || (target == 0 && sp.TargetPort.StrVal == "") {
				target = int(sp.Port)
			}
			if target == int(p.ContainerPort) || (sp.TargetPort.StrVal != "" && sp.TargetPort.StrVal == p.Name) {
				return uint16(sp.NodePort)
			}
		}
	}
	return 0
}

// restartPolicy maps a pod's restartPolicy to a container's: Always (the
// default, except for a Job, where it is not allowed) restarts always.
func restartPolicy(p corev1.RestartPolicy, kind string) (spec.RestartPolicy, error) {
	switch p {
	case "":
		if kind == KindJob {
			return spec.RestartPolicy{Name: spec.RestartNo}, nil
		}
		return spec.RestartPolicy{Name: spec.RestartAlways}, nil
	case corev1.RestartPolicyAlways:
		if kind == KindJob {
			return spec.RestartPolicy{}, fmt.Errorf("a Job's restartPolicy must be OnFailure or Never: %w", define.ErrInvalidArg)
		}
		return spec.RestartPolicy{Name: spec.RestartAlways}, nil
	case corev1.RestartPolicyOnFailure:
		return spec.RestartPolicy{Name: spec.RestartOnFailure}, nil
	case corev1.RestartPolicyNever:
		return spec.RestartPolicy{Name: spec.RestartNo}, nil
	}
	return spec.RestartPolicy{}, fmt.Errorf("restartPolicy %q is not Always, OnFailure or Never: %w", p, define.ErrInvalidArg)
}

// podVolume is a pod volume as containers mount it.
type podVolume struct {
	mount spec.Mount // Destination and ReadOnly filled per mount
	// dir is the per-pod directory (configMap, secret, emptyDir), for
	// subPath.
	dir bool
	// skip leaves the volume and its mounts out.
	skip bool
}

// planVolumes resolves the pod's volumes: hostPath binds, PVC named
// volumes, emptyDir directories (tmpfs for medium Memory), and configMap
// and secret files written to the pod's directory.
func planVolumes(m *Manifests, pp *PodPlan, vs []corev1.Volume, root string) (map[string]podVolume, []string, error) {
	out := map[string]podVolume{}
	var claims []string
	podDir := filepath.Join(root, pp.Spec.Name)
	for _, v := range vs {
		if v.Name == "" {
			return nil, nil, fmt.Errorf("a volume has no name: %w", define.ErrInvalidArg)
		}
		switch {
		case v.Projected != nil:
			// What a cluster adds to every pod (kube-api-access-*):
			// nothing here serves it, so it and its mounts are left out.
			out[v.Name] = podVolume{skip: true}
		case v.HostPath != nil:
			if !filepath.IsAbs(v.HostPath.Path) {
				return nil, nil, fmt.Errorf("volume %s: hostPath %q is not absolute: %w", v.Name, v.HostPath.Path, define.ErrInvalidArg)
			}
			src := filepath.Clean(v.HostPath.Path)
			if t := v.HostPath.Type; t != nil {
				switch *t {
				case corev1.HostPathDirectoryOrCreate:
					pp.HostDirs = append(pp.HostDirs, src)
				case corev1.HostPathDirectory, corev1.HostPathFile:
					pp.HostPaths = append(pp.HostPaths, src)
				}
			}
			out[v.Name] = podVolume{mount: spec.Mount{Type: spec.MountBind, Source: src}}
		case v.PersistentVolumeClaim != nil:
			name := v.PersistentVolumeClaim.ClaimName
			if name == "" {
				return nil, nil, fmt.Errorf("volume %s: persistentVolumeClaim has no claimName: %w", v.Name, define.ErrInvalidArg)
			}
			claims = append(claims, name)
			out[v.Name] = podVolume{mount: spec.Mount{Type: spec.MountVolume, Source: name, ReadOnly: v.PersistentVolumeClaim.ReadOnly}}
		case v.EmptyDir != nil:
			if v.EmptyDir.Medium == corev1.StorageMediumMemory {
				mnt := spec.Mount{Type: spec.MountTmpfs}
				if l := v.EmptyDir.SizeLimit; l != nil {
					mnt.TmpfsSize = l.Value()
				}
				out[v.Name] = podVolume{mount: mnt}
				continue
			}
			pp.Dirs = append(pp.Dirs, v.Name)
			out[v.Name] = podVolume{mount: spec.Mount{Type: spec.MountBind, Source: filepath.Join(podDir, v.Name)}, dir: true}
		case v.ConfigMap != nil:
			cm := findConfigMap(m, v.ConfigMap.Name)
			if cm == nil {
				if v.ConfigMap.Optional != nil && *v.ConfigMap.Optional {
					pp.Dirs = append(pp.Dirs, v.Name)
					out[v.Name] = podVolume{mount: spec.Mount{Type: spec.MountBind, Source: filepath.Join(podDir, v.Name), ReadOnly: true}, dir: true}
					continue
				}
				return nil, nil, fmt.Errorf("volume %s: no ConfigMap named %q (give it in the YAML or with --configmap): %w", v.Name, v.ConfigMap.Name, define.ErrInvalidArg)
			}
			data := map[string][]byte{}
			for k, s := range cm.Data {
				data[k] = []byte(s)
			}
			maps.Copy(data, cm.BinaryData)
			if err := addFiles(pp, v.Name, data, v.ConfigMap.Items, v.ConfigMap.DefaultMode); err != nil {
				return nil, nil, fmt.Errorf("volume %s: %w", v.Name, err)
			}
			out[v.Name] = podVolume{mount: spec.Mount{Type: spec.MountBind, Source: filepath.Join(podDir, v.Name), ReadOnly: true}, dir: true}
		case v.Secret != nil:
			sec := findSecret(m, v.Secret.SecretName)
			if sec == nil {
				return nil, nil, fmt.Errorf("volume %s: no Secret named %q: %w", v.Name, v.Secret.SecretName, define.ErrInvalidArg)
			}
			if err := addFiles(pp, v.Name, secretData(sec), v.Secret.Items, v.Secret.DefaultMode); err != nil {
				return nil, nil, fmt.Errorf("volume %s: %w", v.Name, err)
			}
			out[v.Name] = podVolume{mount: spec.Mount{Type: spec.MountBind, Source: filepath.Join(podDir, v.Name), ReadOnly: true}, dir: true}
		default:
			return nil, nil, fmt.Errorf("volume %s: only hostPath, persistentVolumeClaim, emptyDir, configMap and secret volumes are supported: %w", v.Name, define.ErrInvalidArg)
		}
	}
	return out, claims, nil
}

// addFiles records the files of a configMap or secret volume: every key,
// or only items (key -> path).
func addFiles(pp *PodPlan, vol string, data map[string][]byte, items []corev1.KeyToPath, defMode *int32) error {
	mode := uint32(0o644)
	if defMode != nil {
		mode = uint32(*defMode)
	}
	pp.Dirs = append(pp.Dirs, vol)
	if len(items) == 0 {
		for _, k := range slices.Sorted(maps.Keys(data)) {
			pp.Files = append(pp.Files, File{Path: filepath.Join(vol, k), Data: data[k], Mode: mode})
		}
		return nil
	}
	for _, it := range items {
		d, ok := data[it.Key]
		if !ok {
			return fmt.Errorf("no key %q: %w", it.Key, define.ErrInvalidArg)
		}
		p := filepath.Clean(it.Path)
		if filepath.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
			return fmt.Errorf("item path %q leaves the volume: %w", it.Path, define.ErrInvalidArg)
		}
		m := mode
		if it.Mode != nil {
			m = uint32(*it.Mode)
		}
		pp.Files = append(pp.Files, File{Path: filepath.Join(vol, p), Data: d, Mode: m})
	}
	return nil
}

func findConfigMap(m *Manifests, name string) *corev1.ConfigMap {
	for _, c := range m.ConfigMaps {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func findSecret(m *Manifests, name string) *corev1.Secret {
	for _, s := range m.Secrets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// secretData is a Secret's data with its stringData over it, as the API
// server merges them.
func secretData(s *corev1.Secret) map[string][]byte {
	out := maps.Clone(s.Data)
	if out == nil {
		out = map[string][]byte{}
	}
	for k, v := range s.StringData {
		out[k] = []byte(v)
	}
	return out
}

// ClaimNames are the named volumes the manifests declare
// (PersistentVolumeClaims) or their pods claim, for down --force.
func ClaimNames(m *Manifests) []string {
	var out []string
	for _, c := range m.Claims {
		out = append(out, c.Name)
	}
	for _, t := range templates(m) {
		for _, v := range t.spec.Volumes {
			if v.PersistentVolumeClaim != nil && !slices.Contains(out, v.PersistentVolumeClaim.ClaimName) {
				out = append(out, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}
	return out
}
