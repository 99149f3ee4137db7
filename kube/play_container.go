package kube

import (
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
	corev1 "k8s.io/api/core/v1"
)

// planContainer translates one container of a pod template; its name is
// POD-CONTAINER, as podman names them.
func planContainer(m *Manifests, t template, c corev1.Container, vols map[string]podVolume, podSec *corev1.PodSecurityContext) (*spec.ContainerSpec, error) {
	if c.Image == "" {
		return nil, fmt.Errorf("no image: %w", define.ErrInvalidArg)
	}
	s := &spec.ContainerSpec{
		Name: t.name + "-" + c.Name, Image: c.Image, Pod: t.name,
		Command: c.Args, WorkDir: c.WorkingDir, Terminal: c.TTY, Stdin: c.Stdin,
		Labels: maps.Clone(t.meta.Labels),
	}
	if g := t.spec.TerminationGracePeriodSeconds; g != nil && *g >= 0 {
		// The time between SIGTERM and SIGKILL, as podman reads it.
		n := uint(*g)
		s.StopTimeout = &n
	}
	if t.spec.HostPID {
		// A pod does not share its PID namespace by default: each
		// member joins the host's itself.
		s.Pid = "host"
	}
	if len(c.Command) > 0 {
		s.Entrypoint, s.EntrypointSet = c.Command, true
	}
	env, err := planEnv(m, t, c)
	if err != nil {
		return nil, err
	}
	s.Env = env
	if l := c.Resources.Limits; l != nil {
		if q, ok := l[corev1.ResourceMemory]; ok {
			s.Memory = q.Value()
		}
		if q, ok := l[corev1.ResourceCPU]; ok {
			s.NanoCPUs = q.MilliValue() * 1_000_000
		}
	}
	if err := planSecurity(s, c.SecurityContext, podSec); err != nil {
		return nil, err
	}
	for _, vm := range c.VolumeMounts {
		v, ok := vols[vm.Name]
		if !ok {
			return nil, fmt.Errorf("volumeMount %s: no volume of that name in the pod: %w", vm.Name, define.ErrInvalidArg)
		}
		if v.skip {
			continue
		}
		if !path.IsAbs(vm.MountPath) {
			return nil, fmt.Errorf("volumeMount %s: mountPath %q is not absolute: %w", vm.Name, vm.MountPath, define.ErrInvalidArg)
		}
		mnt := v.mount
		mnt.Destination = vm.MountPath
		mnt.ReadOnly = mnt.ReadOnly || vm.ReadOnly
		if vm.SubPath != "" {
			sub := filepath.Clean(vm.SubPath)
			if filepath.IsAbs(sub) || sub == ".." || strings.HasPrefix(sub, "../") {
				return nil, fmt.Errorf("volumeMount %s: subPath %q leaves the volume: %w", vm.Name, vm.SubPath, define.ErrInvalidArg)
			}
			if mnt.Type != spec.MountBind {
				return nil, fmt.Errorf("volumeMount %s: subPath works only on hostPath, emptyDir, configMap and secret volumes: %w", vm.Name, define.ErrInvalidArg)
			}
			mnt.Source = filepath.Join(mnt.Source, sub)
		}
		s.Mounts = append(s.Mounts, mnt)
	}
	probe := c.LivenessProbe
	if probe == nil {
		probe = c.ReadinessProbe
	}
	if probe != nil {
		h, err := probeHealth(probe)
		if err != nil {
			return nil, err
		}
		s.Health = h
	}
	return s, nil
}

// planEnv resolves env and envFrom: literal values, configMap and secret
// keys. A missing optional source is skipped, a missing required one is an
// error.
func planEnv(m *Manifests, t template, c corev1.Container) ([]string, error) {
	var out []string
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			cm := findConfigMap(m, ef.ConfigMapRef.Name)
			if cm == nil {
				if ef.ConfigMapRef.Optional != nil && *ef.ConfigMapRef.Optional {
					continue
				}
				return nil, fmt.Errorf("envFrom: no ConfigMap named %q: %w", ef.ConfigMapRef.Name, define.ErrInvalidArg)
			}
			for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
				out = append(out, ef.Prefix+k+"="+cm.Data[k])
			}
		case ef.SecretRef != nil:
			sec := findSecret(m, ef.SecretRef.Name)
			if sec == nil {
				if ef.SecretRef.Optional != nil && *ef.SecretRef.Optional {
					continue
				}
				return nil, fmt.Errorf("envFrom: no Secret named %q: %w", ef.SecretRef.Name, define.ErrInvalidArg)
			}
			data := secretData(sec)
			for _, k := range slices.Sorted(maps.Keys(data)) {
				out = append(out, ef.Prefix+k+"="+string(data[k]))
			}
		}
	}
	for _, e := range c.Env {
		if e.Name == "" {
			return nil, fmt.Errorf("an env entry has no name: %w", define.ErrInvalidArg)
		}
		src := e.ValueFrom
		switch {
		case src == nil:
			out = append(out, e.Name+"="+e.Value)
		case src.ConfigMapKeyRef != nil:
			ref := src.ConfigMapKeyRef
			cm := findConfigMap(m, ref.Name)
			v, ok := "", false
			if cm != nil {
				v, ok = cm.Data[ref.Key]
			}
			if !ok {
				if ref.Optional != nil && *ref.Optional {
					continue
				}
				return nil, fmt.Errorf("env %s: no key %q in ConfigMap %q: %w", e.Name, ref.Key, ref.Name, define.ErrInvalidArg)
			}
			out = append(out, e.Name+"="+v)
		case src.SecretKeyRef != nil:
			ref := src.SecretKeyRef
			sec := findSecret(m, ref.Name)
			var v []byte
			ok := false
			if sec != nil {
				v, ok = secretData(sec)[ref.Key]
			}
			if !ok {
				if ref.Optional != nil && *ref.Optional {
					continue
				}
				return nil, fmt.Errorf("env %s: no key %q in Secret %q: %w", e.Name, ref.Key, ref.Name, define.ErrInvalidArg)
			}
			out = append(out, e.Name+"="+string(v))
		case src.FieldRef != nil:
			switch src.FieldRef.FieldPath {
			case "metadata.name":
				out = append(out, e.Name+"="+t.name)
			case "metadata.namespace":
				out = append(out, e.Name+"=default")
			default:
				return nil, fmt.Errorf("env %s: fieldRef %s is not supported: %w", e.Name, src.FieldRef.FieldPath, define.ErrInvalidArg)
			}
		case src.ResourceFieldRef != nil:
			q, ok := c.Resources.Limits[corev1.ResourceName(strings.TrimPrefix(src.ResourceFieldRef.Resource, "limits."))]
			if !ok {
				continue
			}
			out = append(out, e.Name+"="+strconv.FormatInt(q.Value(), 10))
		default:
			return nil, fmt.Errorf("env %s: this valueFrom is not supported: %w", e.Name, define.ErrInvalidArg)
		}
	}
	return out, nil
}

// planSecurity applies the container's securityContext over the pod's.
func planSecurity(s *spec.ContainerSpec, sc *corev1.SecurityContext, psc *corev1.PodSecurityContext) error {
	var uid, gid *int64
	if psc != nil {
		uid, gid = psc.RunAsUser, psc.RunAsGroup
	}
	if sc != nil {
		if sc.RunAsUser != nil {
			uid = sc.RunAsUser
		}
		if sc.RunAsGroup != nil {
			gid = sc.RunAsGroup
		}
		if sc.Privileged != nil {
			s.Privileged = *sc.Privileged
		}
		if sc.ReadOnlyRootFilesystem != nil {
			s.ReadOnly = *sc.ReadOnlyRootFilesystem
		}
		if c := sc.Capabilities; c != nil {
			for _, a := range c.Add {
				s.CapAdd = append(s.CapAdd, capName(string(a)))
			}
			for _, d := range c.Drop {
				s.CapDrop = append(s.CapDrop, capName(string(d)))
			}
		}
	}
	if uid != nil {
		s.User = strconv.FormatInt(*uid, 10)
		if gid != nil {
			s.User += ":" + strconv.FormatInt(*gid, 10)
		}
	} else if gid != nil {
		return fmt.Errorf("runAsGroup without runAsUser is not supported: %w", define.ErrInvalidArg)
	}
	return nil
}

// capName is Kubernetes' capability name (NET_ADMIN) in the form berth's
// --cap-add takes (CAP_NET_ADMIN); ALL stays ALL.
func capName(c string) string {
	c = strings.ToUpper(c)
	if c == "ALL" || strings.HasPrefix(c, "CAP_") {
		return c
	}
	return "CAP_" + c
}

// probeHealth turns a liveness (or readiness) probe into a healthcheck:
// exec runs its command, httpGet and tcpSocket become shell checks, as
// podman does.
func probeHealth(p *corev1.Probe) (*spec.HealthConfig, error) {
	h := &spec.HealthConfig{}
	switch {
	case p.Exec != nil:
		if len(p.Exec.Command) == 0 {
			return nil, fmt.Errorf("an exec probe has no command: %w", define.ErrInvalidArg)
		}
		h.Test = append([]string{"CMD"}, p.Exec.Command...)
		// generate writes a shell check as /bin/sh -c CMD: read it back
		// as one, so that a round trip keeps it.
		if c := p.Exec.Command; len(c) == 3 && c[0] == "/bin/sh" && c[1] == "-c" {
			h.Test = []string{"CMD-SHELL", c[2]}
		}
	case p.HTTPGet != nil:
		host := p.HTTPGet.Host
		if host == "" {
			host = "localhost"
		}
		scheme := strings.ToLower(string(p.HTTPGet.Scheme))
		if scheme == "" {
			scheme = "http"
		}
		h.Test = []string{"CMD-SHELL", fmt.Sprintf("curl -f %s://%s:%s%s || exit 1", scheme, host, p.HTTPGet.Port.String(), p.HTTPGet.Path)}
	case p.TCPSocket != nil:
		host := p.TCPSocket.Host
		if host == "" {
			host = "localhost"
		}
		h.Test = []string{"CMD-SHELL", fmt.Sprintf("nc -z -v %s %s || exit 1", host, p.TCPSocket.Port.String())}
	default:
		return nil, fmt.Errorf("a probe has no exec, httpGet or tcpSocket: %w", define.ErrInvalidArg)
	}
	secs := func(n int32) *time.Duration { d := time.Duration(n) * time.Second; return &d }
	if p.PeriodSeconds > 0 {
		h.Interval = secs(p.PeriodSeconds)
	}
	if p.TimeoutSeconds > 0 {
		h.Timeout = secs(p.TimeoutSeconds)
	}
	if p.InitialDelaySeconds > 0 {
		h.StartPeriod = secs(p.InitialDelaySeconds)
	}
	if p.FailureThreshold > 0 {
		r := int(p.FailureThreshold)
		h.Retries = &r
	}
	return h, nil
}
