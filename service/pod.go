package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/idgen"
	"github.com/berth-dev/berth/spec"
	"github.com/berth-dev/berth/spec/generate"
)

// PodCreateOptions are the service-level choices of pod create.
type PodCreateOptions struct {
	// Create resolves an --infra-image and carries the host facts.
	Create CreateOptions
	// Replace removes a pod of the same name first (--replace).
	Replace bool
	// IDFile receives the new pod's ID (--pod-id-file).
	IDFile string
}

// PodCreate makes a new pod and its infra container. Nothing is left
// behind on failure (with --replace, the old pod is gone already).
func PodCreate(ctx context.Context, rt *engine.Runtime, ps *spec.PodSpec, opts PodCreateOptions) (*engine.Pod, error) {
	if ps.CreateCommand == nil {
		ps.CreateCommand = os.Args
	}
	if opts.IDFile != "" {
		if _, err := os.Stat(opts.IDFile); err == nil {
			return nil, fmt.Errorf("pod id file %s exists: ensure another pod is not using it or delete it: %w", opts.IDFile, define.ErrInvalidArg)
		}
	}
	host := createHost(rt, opts.Create)
	infraSpec, podOpts, err := generate.Pod(ps, host)
	if err != nil {
		return nil, err
	}
	// The infra container's hostname (the pod's name by default) and
	// cgroup (under the pod's) are in its spec: the pod's ID and name
	// are decided first.
	podID := idgen.NewID()
	podOpts = append(podOpts, engine.WithPodID(podID))
	if ps.Name == "" {
		if ps.Name, err = rt.FreePodName(); err != nil {
			return nil, err
		}
		podOpts = append(podOpts, engine.WithPodName(ps.Name))
	}
	var infra *engine.InfraContainer
	if infraSpec != nil {
		var img *define.Image
		if infraSpec.Image == "" {
			pause, err := generate.PausePath(host)
			if err != nil {
				return nil, fmt.Errorf("the infra container's pause binary: %w", err)
			}
			if infraSpec.Rootfs, err = rt.PauseRootfs(pause); err != nil {
				return nil, err
			}
		} else {
			var release func()
			if img, release, err = imageForCreate(ctx, rt, infraSpec.Image, opts.Create); err != nil {
				return nil, err
			}
			defer release()
		}
		infraSpec.CreateCommand = ps.CreateCommand
		place, err := generate.InfraPlacement(ps, podID, host)
		if err != nil {
			return nil, err
		}
		for _, ref := range infraSpec.VolumesFrom {
			name, _, _ := strings.Cut(ref, ":")
			src, err := volumesFromSource(rt, name, ref)
			if err != nil {
				return nil, fmt.Errorf("--volumes-from %q: %w", ref, err)
			}
			place.VolumesFrom = append(place.VolumesFrom, src)
		}
		ociSpec, ctrOpts, err := generate.Container(infraSpec, img, host, place)
		if err != nil {
			return nil, err
		}
		if img != nil {
			ctrOpts = append(ctrOpts, engine.WithImage(img.ID, imageName(img, infraSpec.Image)))
		}
		infra = &engine.InfraContainer{Spec: ociSpec, Options: ctrOpts}
	}
	if opts.Replace && ps.Name != "" {
		if old, err := rt.LookupPod(ps.Name); err == nil {
			if err := rt.RemovePod(ctx, old, engine.PodRemoveOptions{Force: true}); err != nil {
				return nil, fmt.Errorf("replacing pod %s: %w", ps.Name, err)
			}
		} else if !errors.Is(err, define.ErrNoSuchPod) {
			return nil, err
		}
	}
	pod, err := rt.NewPod(ctx, infra, podOpts...)
	if err != nil {
		return nil, err
	}
	if opts.IDFile != "" {
		if err := os.WriteFile(opts.IDFile, []byte(pod.ID()), 0o644); err != nil {
			_ = rt.RemovePod(ctx, pod, engine.PodRemoveOptions{Force: true})
			return nil, fmt.Errorf("writing the pod ID file: %w", err)
		}
	}
	return pod, nil
}

// createHost is the host facts create uses, with the runtime's settings.
func createHost(rt *engine.Runtime, opts CreateOptions) generate.Host {
	host := generate.DefaultHost()
	if opts.Host != nil {
		host = *opts.Host
	}
	host.CgroupManager = rt.Config().CgroupManager
	host.Rootless = rt.Config().Rootless
	if host.Rootless && host.RootlessIDs == nil {
		host.RootlessIDs = rootlessIDs()
	}
	if host.Rootless && opts.Host == nil {
		host.RootlessCgroup = engine.RootlessCgroups()
		host.DefaultCgroupParent = rt.Config().DefaultCgroupParent()
	}
	if w := opts.Warnings; w != nil && host.Warn == nil {
		host.Warn = func(msg string) { fmt.Fprintln(w, msg) }
	}
	if host.InitPath == "" {
		host.InitPath = rt.Config().InitPath
	}
	return host
}

// PodReport is the outcome of a pod verb on one pod.
type PodReport struct {
	RawInput string
	ID       string
	// Errs are the member errors (the pod was reached).
	Errs engine.PodErrors
	// Err is the pod-level error (not found, nothing running...).
	Err error
}

// ResolvePods turns names/IDs into pods; with all, every pod. Unknown
// names become reports with an error.
func ResolvePods(rt *engine.Runtime, names []string, all, latest bool) ([]*engine.Pod, []PodReport, error) {
	if all || latest {
		if len(names) > 0 {
			return nil, nil, fmt.Errorf("--all and --latest cannot be used with pod names: %w", define.ErrInvalidArg)
		}
		pods, err := rt.Pods()
		if err != nil {
			return nil, nil, err
		}
		if latest {
			if len(pods) == 0 {
				return nil, nil, fmt.Errorf("no pods to act on with --latest: %w", define.ErrNoSuchPod)
			}
			newest := pods[0]
			for _, p := range pods[1:] {
				if p.Config().CreatedTime.After(newest.Config().CreatedTime) {
					newest = p
				}
			}
			return []*engine.Pod{newest}, nil, nil
		}
		return pods, nil, nil
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("you must provide at least one name or id: %w", define.ErrInvalidArg)
	}
	var pods []*engine.Pod
	var bad []PodReport
	for _, n := range names {
		p, err := rt.LookupPod(n)
		if err != nil {
			bad = append(bad, PodReport{RawInput: n, Err: err})
			continue
		}
		pods = append(pods, p)
	}
	return pods, bad, nil
}

// EachPod applies fn to the named pods (or all), a report per pod.
func EachPod(ctx context.Context, rt *engine.Runtime, names []string, all, latest bool, fn func(context.Context, *engine.Pod) (engine.PodErrors, error)) ([]PodReport, error) {
	pods, reports, err := ResolvePods(rt, names, all, latest)
	if err != nil {
		return nil, err
	}
	for _, p := range pods {
		errs, err := fn(ctx, p)
		reports = append(reports, PodReport{RawInput: p.Name(), ID: p.ID(), Errs: errs, Err: err})
	}
	return reports, nil
}

// PodRemove removes pods (rm), each with its members.
func PodRemove(ctx context.Context, rt *engine.Runtime, names []string, all, ignore bool, opts engine.PodRemoveOptions) ([]PodReport, error) {
	reports, err := EachPod(ctx, rt, names, all, false, func(ctx context.Context, p *engine.Pod) (engine.PodErrors, error) {
		return nil, rt.RemovePod(ctx, p, opts)
	})
	if ignore {
		kept := reports[:0]
		for _, r := range reports {
			if !errors.Is(r.Err, define.ErrNoSuchPod) {
				kept = append(kept, r)
			}
		}
		reports = kept
	}
	return reports, err
}

// PodPrune removes every pod with no running member (podman: stopped
// and exited pods) and reports their IDs.
func PodPrune(ctx context.Context, rt *engine.Runtime) ([]PodReport, error) {
	pods, err := rt.Pods()
	if err != nil {
		return nil, err
	}
	var reports []PodReport
	for _, p := range pods {
		st, err := p.Status()
		if err != nil {
			return nil, err
		}
		if st != define.PodStateExited && st != define.PodStateStopped && st != define.PodStateCreated {
			continue
		}
		err = rt.RemovePod(ctx, p, engine.PodRemoveOptions{})
		reports = append(reports, PodReport{RawInput: p.ID(), ID: p.ID(), Err: err})
	}
	return reports, nil
}

// PodNewName returns the pod name of a `--pod new:NAME` value, or "".
func PodNewName(v string) string {
	name, ok := strings.CutPrefix(v, "new:")
	if !ok {
		return ""
	}
	return name
}
