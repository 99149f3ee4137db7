//go:build !berth_lean

package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/secrets"
	"github.com/berth-dev/berth/kube"
)

// kubeFilesRoot is where play writes each pod's configMap, secret and
// emptyDir volumes (DIR/POD/VOLUME): under the graph root, so that they
// outlive a reboot as the pod does.
func kubeFilesRoot(rt *engine.Runtime) string {
	return filepath.Join(rt.Config().GraphRoot, "berth", "kube")
}

// KubeGenerate writes the named containers, pods and volumes as
// Kubernetes YAML. A container that belongs to a pod brings its pod.
func KubeGenerate(ctx context.Context, rt *engine.Runtime, names []string, opts KubeGenerateOptions) ([]byte, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("at least one container, pod or volume name is required: %w", define.ErrInvalidArg)
	}
	var pods []kube.GenPod
	var vols []*define.InspectVolume
	seen := map[string]bool{}
	for _, n := range names {
		var pod *engine.Pod
		if c, err := rt.LookupContainer(n); err == nil {
			if id := c.Config().Pod; id != "" {
				if pod, err = rt.LookupPod(id); err != nil {
					return nil, err
				}
			} else {
				if seen[c.ID()] {
					continue
				}
				seen[c.ID()] = true
				gp, err := genLoneContainer(ctx, rt, c)
				if err != nil {
					return nil, err
				}
				pods = append(pods, *gp)
				continue
			}
		} else if !errors.Is(err, define.ErrNoSuchCtr) {
			return nil, err
		}
		if pod == nil {
			if p, err := rt.LookupPod(n); err == nil {
				pod = p
			}
		}
		if pod != nil {
			if seen[pod.ID()] {
				continue
			}
			seen[pod.ID()] = true
			gp, err := genPod(ctx, rt, pod)
			if err != nil {
				return nil, err
			}
			pods = append(pods, *gp)
			continue
		}
		v, err := rt.LookupVolume(n)
		if err != nil {
			return nil, fmt.Errorf("%s: no such container, pod or volume: %w", n, define.ErrNoSuchCtr)
		}
		iv, err := v.Inspect()
		if err != nil {
			return nil, err
		}
		vols = append(vols, iv)
	}
	return kube.Generate(pods, vols, kube.GenerateOptions{Type: opts.Type, Replicas: opts.Replicas, Service: opts.Service, Version: opts.Version})
}

// genContainer inspects a container with its image's config.
func genContainer(ctx context.Context, rt *engine.Runtime, c *engine.Container) (kube.GenContainer, error) {
	d, err := c.Inspect(ctx, false)
	if err != nil {
		return kube.GenContainer{}, err
	}
	gc := kube.GenContainer{Data: d}
	if d.Image != "" {
		if imgs, err := rt.Images(); err == nil {
			if img, err := imgs.Lookup(d.Image); err == nil {
				gc.ImageEnv, gc.ImageEntrypoint, gc.ImageCmd, gc.ImageWorkDir = img.Config.Env, img.Config.Entrypoint, img.Config.Cmd, img.Config.WorkingDir
			}
		}
	}
	return gc, nil
}

// genLoneContainer is a container outside any pod, written as the pod
// CTR-pod.
func genLoneContainer(ctx context.Context, rt *engine.Runtime, c *engine.Container) (*kube.GenPod, error) {
	gc, err := genContainer(ctx, rt, c)
	if err != nil {
		return nil, err
	}
	hc := gc.Data.HostConfig
	return &kube.GenPod{
		Name: c.Name() + "-pod", Ports: hc.PortBindings, Containers: []kube.GenContainer{gc},
		HostNetwork: hc.NetworkMode == "host", HostPID: hc.PidMode == "host",
	}, nil
}

// genPod is a pod's members; its published ports and host networking are
// its infra container's.
func genPod(ctx context.Context, rt *engine.Runtime, p *engine.Pod) (*kube.GenPod, error) {
	ctrs, err := p.Containers()
	if err != nil {
		return nil, err
	}
	gp := &kube.GenPod{Name: p.Name(), Labels: p.Config().Labels}
	for _, c := range ctrs {
		gc, err := genContainer(ctx, rt, c)
		if err != nil {
			return nil, err
		}
		if c.Config().IsInfra {
			hc := gc.Data.HostConfig
			gp.Ports, gp.HostNetwork, gp.HostPID = hc.PortBindings, hc.NetworkMode == "host", hc.PidMode == "host"
			continue
		}
		gc.InitType = c.InitContainerType()
		gp.Containers = append(gp.Containers, gc)
	}
	if len(gp.Containers) == 0 {
		return nil, fmt.Errorf("pod %s has no containers to write out: %w", p.Name(), define.ErrInvalidArg)
	}
	slices.SortFunc(gp.Containers, func(a, b kube.GenContainer) int { return a.Data.Created.Compare(b.Data.Created) })
	return gp, nil
}

// decodeKube reads every YAML file into one set of manifests.
func decodeKube(files [][]byte) (*kube.Manifests, error) {
	m := &kube.Manifests{}
	for _, f := range files {
		if err := m.Decode(f); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// KubePlay creates (and unless NoStart, starts) what the YAML files
// describe. Nothing is created when the YAML is wrong or a pod's name is
// taken (without Replace); a failure later removes what play made.
func KubePlay(ctx context.Context, rt *engine.Runtime, files [][]byte, opts KubePlayOptions) (_ *KubePlayReport, retErr error) {
	m, err := decodeKube(files)
	if err != nil {
		return nil, err
	}
	for _, f := range opts.ConfigMaps {
		cms := &kube.Manifests{}
		if err := cms.Decode(f); err != nil {
			return nil, fmt.Errorf("--configmap: %w", err)
		}
		m.ConfigMaps = append(m.ConfigMaps, cms.ConfigMaps...)
	}
	root := kubeFilesRoot(rt)
	plan, err := kube.MakePlan(m, kube.PlayOptions{FilesRoot: root, Network: opts.Network, Publish: opts.Publish, Annotations: opts.Annotations})
	if err != nil {
		return nil, err
	}
	if w := opts.Create.Warnings; w != nil {
		for _, msg := range plan.Warnings {
			fmt.Fprintln(w, msg)
		}
	}
	for _, pp := range plan.Pods {
		if ok, err := rt.PodExists(pp.Spec.Name); err != nil {
			return nil, err
		} else if ok && !opts.Replace {
			return nil, fmt.Errorf("pod %s: %w: use --replace or remove it first", pp.Spec.Name, define.ErrNameInUse)
		}
	}
	for _, pp := range plan.Pods {
		for _, h := range pp.HostPaths {
			if _, err := os.Stat(h); err != nil {
				return nil, fmt.Errorf("pod %s: hostPath %s: %w", pp.Spec.Name, h, define.ErrInvalidArg)
			}
		}
	}
	if err := kubeBuild(ctx, rt, plan, opts); err != nil {
		return nil, err
	}
	for _, sec := range m.Secrets {
		if ok, err := SecretExists(rt, sec.Name); err != nil {
			return nil, err
		} else if ok && !opts.Replace {
			return nil, fmt.Errorf("secret %s: %w: use --replace or remove it first", sec.Name, define.ErrNameInUse)
		}
	}
	report := &KubePlayReport{}
	var made []*engine.Pod
	var madeVols []string
	var madeDirs []string
	var madeSecrets []string
	defer func() {
		if retErr == nil {
			return
		}
		for _, id := range madeSecrets {
			_, _ = SecretRemove(rt, id)
		}
		for _, p := range made {
			_ = rt.RemovePod(context.WithoutCancel(ctx), p, engine.PodRemoveOptions{Force: true, Volumes: true})
		}
		for _, v := range madeVols {
			if vol, err := rt.LookupVolume(v); err == nil {
				_ = rt.RemoveVolume(context.WithoutCancel(ctx), vol, engine.RemoveVolumeOptions{Force: true})
			}
		}
		for _, d := range madeDirs {
			_ = os.RemoveAll(d)
		}
	}()
	// Secret kinds are kept in the secret store too (podman does the
	// same): `secret ls` shows them and down removes them. Their data is
	// the Secret object as JSON.
	for _, sec := range m.Secrets {
		data, err := json.Marshal(sec)
		if err != nil {
			return nil, err
		}
		id, err := SecretCreate(rt, sec.Name, data, SecretCreateOptions{Driver: SecretDriverFile, Replace: opts.Replace})
		if err != nil {
			return nil, fmt.Errorf("secret %s: %w", sec.Name, err)
		}
		madeSecrets = append(madeSecrets, id)
		report.Secrets = append(report.Secrets, id)
	}
	for _, v := range plan.Volumes {
		if ok, err := rt.VolumeExists(v.Name); err != nil {
			return nil, err
		} else if ok {
			continue
		}
		if _, err := rt.NewVolume(ctx, engine.VolumeOptions{Name: v.Name, Labels: v.Labels}); err != nil {
			return nil, fmt.Errorf("volume %s: %w", v.Name, err)
		}
		madeVols = append(madeVols, v.Name)
		report.Volumes = append(report.Volumes, v.Name)
	}
	for i := range plan.Pods {
		pp := &plan.Pods[i]
		dir := filepath.Join(root, pp.Spec.Name)
		if opts.Replace {
			if old, err := rt.LookupPod(pp.Spec.Name); err == nil {
				if err := rt.RemovePod(ctx, old, engine.PodRemoveOptions{Force: true, Volumes: true}); err != nil {
					return nil, fmt.Errorf("replacing pod %s: %w", pp.Spec.Name, err)
				}
			}
			_ = os.RemoveAll(dir)
		}
		for _, h := range pp.HostDirs {
			if err := os.MkdirAll(h, 0o755); err != nil {
				return nil, fmt.Errorf("pod %s: hostPath %s: %w", pp.Spec.Name, h, err)
			}
		}
		if len(pp.Dirs) > 0 {
			madeDirs = append(madeDirs, dir)
			if err := writeKubeFiles(dir, pp); err != nil {
				return nil, err
			}
		}
		pod, err := PodCreate(ctx, rt, &pp.Spec, PodCreateOptions{Create: opts.Create})
		if err != nil {
			return nil, fmt.Errorf("pod %s: %w", pp.Spec.Name, err)
		}
		made = append(made, pod)
		pr := KubePodReport{ID: pod.ID(), Name: pod.Name()}
		// Created first, in order: pod start runs them (creation order)
		// before the other members, now or at a later `pod start`.
		for j := range pp.Init {
			c, err := Create(ctx, rt, &pp.Init[j], opts.Create)
			if err != nil {
				return nil, fmt.Errorf("pod %s: init container %s: %w", pp.Spec.Name, pp.Init[j].Name, err)
			}
			pr.InitContainers = append(pr.InitContainers, c.ID())
		}
		for j := range pp.Containers {
			c, err := Create(ctx, rt, &pp.Containers[j], opts.Create)
			if err != nil {
				return nil, fmt.Errorf("pod %s: container %s: %w", pp.Spec.Name, pp.Containers[j].Name, err)
			}
			pr.Containers = append(pr.Containers, c.ID())
		}
		if !opts.NoStart {
			if errs, err := pod.Start(ctx); err != nil {
				return nil, fmt.Errorf("starting pod %s: %w", pp.Spec.Name, err)
			} else if err := errs.Err(); err != nil {
				return nil, fmt.Errorf("starting pod %s: %w", pp.Spec.Name, err)
			}
		}
		report.Pods = append(report.Pods, pr)
	}
	return report, nil
}

// writeKubeFiles makes a pod's volume directories and writes its
// configMap and secret files.
func writeKubeFiles(dir string, pp *kube.PodPlan) error {
	for _, d := range pp.Dirs {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	for _, f := range pp.Files {
		p := filepath.Join(dir, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, os.FileMode(f.Mode)&os.ModePerm); err != nil {
			return err
		}
	}
	return nil
}

// KubeWait waits until every container a play started has exited (or
// interrupted closes), then removes its pods, as `play --wait` does.
func KubeWait(ctx context.Context, rt *engine.Runtime, report *KubePlayReport, interrupted <-chan struct{}) error {
	done := make(chan struct{})
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(done)
		for _, p := range report.Pods {
			for _, id := range p.Containers {
				if c, err := rt.LookupContainer(id); err == nil {
					_, _ = c.Wait(wctx)
				}
			}
		}
	}()
	select {
	case <-done:
	case <-interrupted:
		cancel()
		<-done
	}
	var errs []error
	for _, p := range report.Pods {
		if pod, err := rt.LookupPod(p.ID); err == nil {
			errs = append(errs, rt.RemovePod(context.WithoutCancel(ctx), pod, engine.PodRemoveOptions{Force: true, Volumes: true}))
		}
		_ = os.RemoveAll(filepath.Join(kubeFilesRoot(rt), p.Name))
	}
	return errors.Join(errs...)
}

// KubeDown removes the pods the YAML files made, with their containers
// and files; volumes stay unless force.
func KubeDown(ctx context.Context, rt *engine.Runtime, files [][]byte, force bool) (*KubeDownReport, error) {
	m, err := decodeKube(files)
	if err != nil {
		return nil, err
	}
	report := &KubeDownReport{}
	var errs []error
	for _, name := range kube.PodNames(m) {
		p, err := rt.LookupPod(name)
		if err != nil {
			continue
		}
		pr := KubePodReport{ID: p.ID(), Name: name}
		if ctrs, err := p.Containers(); err == nil {
			for _, c := range ctrs {
				if !c.Config().IsInfra {
					pr.Containers = append(pr.Containers, c.ID())
				}
			}
		}
		if err := rt.RemovePod(ctx, p, engine.PodRemoveOptions{Force: true, Volumes: true}); err != nil {
			errs = append(errs, fmt.Errorf("pod %s: %w", name, err))
			continue
		}
		_ = os.RemoveAll(filepath.Join(kubeFilesRoot(rt), name))
		report.Pods = append(report.Pods, pr)
	}
	for _, sec := range m.Secrets {
		id, err := SecretRemove(rt, sec.Name)
		if err != nil {
			if !errors.Is(err, secrets.ErrNoSuchSecret) {
				errs = append(errs, fmt.Errorf("secret %s: %w", sec.Name, err))
			}
			continue
		}
		report.Secrets = append(report.Secrets, id)
	}
	if force {
		for _, name := range kube.ClaimNames(m) {
			v, err := rt.LookupVolume(name)
			if err != nil {
				continue
			}
			if err := rt.RemoveVolume(ctx, v, engine.RemoveVolumeOptions{Force: true}); err != nil {
				errs = append(errs, fmt.Errorf("volume %s: %w", name, err))
				continue
			}
			report.Volumes = append(report.Volumes, name)
		}
	}
	return report, errors.Join(errs...)
}
