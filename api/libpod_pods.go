package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
)

// podBackend is what the libpod pod routes need of service.
type podBackend interface {
	PodCreate(ctx context.Context, ps *spec.PodSpec) (string, error)
	PodList(filters []string) ([]service.ListPod, error)
	PodInspect(name string) (*define.InspectPod, error)
	PodExists(name string) (bool, error)
	PodVerb(ctx context.Context, name, verb string, timeout *uint, sig string) (service.PodReport, error)
	PodRemove(ctx context.Context, name string, opts service.PodRemoveOptions) (service.PodReport, error)
	PodPrune(ctx context.Context) ([]service.PodReport, error)
	PodTop(ctx context.Context, name string, descriptors []string) ([][]string, error)
}

func (rt libpodRouter) registerPods(h func(string, handler)) {
	h("POST /libpod/pods/create", rt.podCreate)
	h("GET /libpod/pods/json", rt.podList)
	h("POST /libpod/pods/prune", rt.podPrune)
	h("GET /libpod/pods/{name}/json", rt.podInspect)
	h("GET /libpod/pods/{name}/exists", rt.podExists)
	h("GET /libpod/pods/{name}/top", rt.podTop)
	h("DELETE /libpod/pods/{name}", rt.podRemove)
	for _, verb := range []string{service.PodVerbStart, service.PodVerbStop, service.PodVerbRestart, service.PodVerbKill, service.PodVerbPause, service.PodVerbUnpause} {
		h("POST /libpod/pods/{name}/"+verb, rt.podVerb(verb))
	}
}

func (rt libpodRouter) podCreate(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	ps, err := podSpecFromGenerator(r)
	if err != nil {
		return err
	}
	id, err := rt.b.PodCreate(ctx, ps)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"Id": id})
	return nil
}

func (rt libpodRouter) podList(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	filters, err := decodeFilters(r.URL.Query().Get("filters"))
	if err != nil {
		return err
	}
	pods, err := rt.b.PodList(filters)
	if err != nil {
		return badRequestIf(err)
	}
	writeJSON(w, http.StatusOK, pods)
	return nil
}

func (rt libpodRouter) podInspect(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	data, err := rt.b.PodInspect(r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, data)
	return nil
}

func (rt libpodRouter) podExists(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	ok, err := rt.b.PodExists(name)
	return exists(ok, err, w, fmt.Errorf("no pod with name or ID %s found: %w", name, define.ErrNoSuchPod))
}

func (rt libpodRouter) podTop(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var args []string
	for _, a := range queryList(r, "ps_args") {
		args = append(args, strings.Fields(a)...)
	}
	rows, err := rt.b.PodTop(ctx, r.PathValue("name"), args)
	if err != nil {
		return err
	}
	writeTop(w, rows)
	return nil
}

// podVerbReport is podman's pod start/stop/... report: the pod's ID and
// its members' errors (409 when any failed).
type podVerbReport struct {
	Errs     []string `json:"Errs"`
	ID       string   `json:"Id"`
	RawInput string   `json:"RawInput,omitempty"`
}

// podVerb serves pod start, stop (t), restart (t), kill (signal), pause
// and unpause. Starting a running pod or stopping a stopped one is 304,
// as podman answers.
func (rt libpodRouter) podVerb(verb string) handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		t, err := timeoutParam(r)
		if err != nil {
			return err
		}
		if verb == service.PodVerbStart || verb == service.PodVerbStop {
			data, err := rt.b.PodInspect(name)
			if err != nil {
				return err
			}
			if (verb == service.PodVerbStart && data.State == define.PodStateRunning) ||
				(verb == service.PodVerbStop && (data.State == define.PodStateExited || data.State == define.PodStateStopped || data.State == define.PodStateCreated)) {
				w.WriteHeader(http.StatusNotModified)
				return nil
			}
		}
		rep, err := rt.b.PodVerb(ctx, name, verb, t, r.URL.Query().Get("signal"))
		if err != nil {
			return badRequestIf(err)
		}
		if rep.Err != nil {
			return rep.Err
		}
		if len(rep.Errs) > 0 {
			return fmt.Errorf("pod %s: %w", name, memberErrors(rep.Errs))
		}
		writeJSON(w, http.StatusOK, podVerbReport{Errs: []string{}, ID: rep.ID, RawInput: name})
		return nil
	}
}

// memberErrors joins a pod verb's member errors in container order; the
// first one's category makes the status.
func memberErrors(errs service.PodErrors) error {
	ids := make([]string, 0, len(errs))
	for id := range errs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var all []error
	for _, id := range ids {
		all = append(all, fmt.Errorf("container %s: %w", id, errs[id]))
	}
	return errors.Join(all...)
}

func (rt libpodRouter) podRemove(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	opts := service.PodRemoveOptions{Force: boolValue(q.Get("force"))}
	t, err := timeoutParam(r)
	if err != nil {
		return err
	}
	opts.Timeout = t
	rep, err := rt.b.PodRemove(ctx, r.PathValue("name"), opts)
	if err != nil {
		return err
	}
	if rep.Err != nil {
		return rep.Err
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": rep.ID, "Err": nil, "RemovedCtrs": map[string]any{}})
	return nil
}

func (rt libpodRouter) podPrune(ctx context.Context, w http.ResponseWriter, _ *http.Request) error {
	reports, err := rt.b.PodPrune(ctx)
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, rep := range reports {
		var e any
		if rep.Err != nil {
			e = rep.Err.Error()
		}
		out = append(out, map[string]any{"Id": rep.ID, "Err": e})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// podSpecFromGenerator reads podman's PodSpecGenerator body.
func podSpecFromGenerator(r *http.Request) (*spec.PodSpec, error) {
	b, err := decodeSpecBody(r)
	if err != nil {
		return nil, err
	}
	// userns and idmappings first: podmanDefaults refuses maps.
	var userns namespace
	if err := b.take("userns", &userns); err != nil {
		return nil, err
	}
	uns, err := usernsFromLibpod(b, userns)
	if err != nil {
		return nil, err
	}
	if err := b.podmanDefaults(); err != nil {
		return nil, err
	}
	ps := &spec.PodSpec{Infra: true, CreateCommand: []string{}, UserNS: uns}
	var noInfra bool
	var pidns namespace
	var volumes []specNamedVolume
	var mounts []specMount
	for _, f := range []struct {
		key string
		v   any
	}{
		{"name", &ps.Name}, {"labels", &ps.Labels}, {"hostname", &ps.Hostname},
		{"shared_namespaces", &ps.Share}, {"no_infra", &noInfra}, {"infra_image", &ps.InfraImage},
		{"infra_command", &ps.InfraCommand}, {"infra_name", &ps.InfraName}, {"cgroup_parent", &ps.CgroupParent},
		{"exit_policy", &ps.ExitPolicy}, {"pod_create_command", &ps.CreateCommand}, {"pidns", &pidns},
		{"volumes", &volumes}, {"mounts", &mounts}, {"volumes_from", &ps.VolumesFrom},
	} {
		if err := b.take(f.key, f.v); err != nil {
			return nil, err
		}
	}
	var cpuShares uint64
	var pids *int64
	if err := resourcesToSpec(b, &ps.Memory, new(int64), &ps.NanoCPUs, &cpuShares, &pids, nil); err != nil {
		return nil, err
	}
	if cpuShares != 0 || pids != nil {
		return nil, badRequest(fmt.Errorf("resource_limits: a pod takes only memory and cpus in berth"))
	}
	var net netFields
	if err := net.take(b); err != nil {
		return nil, err
	}
	if err := b.rest(); err != nil {
		return nil, err
	}
	ps.Infra = !noInfra
	ps.Pid = pidns.mode()
	for _, m := range mounts {
		if m.Type != "bind" {
			return nil, badRequest(fmt.Errorf("mounts: a pod takes only bind mounts in berth"))
		}
	}
	ms, err := specMounts(mounts, volumes)
	if err != nil {
		return nil, err
	}
	ps.Mounts = ms
	var publishAll bool
	var expose []spec.ExposedPort
	if err := net.apply(&ps.Network, &ps.NetworkAlias, &ps.IP, &ps.MacAddress, &ps.Ports, &publishAll, &expose,
		&ps.DNS, &ps.DNSSearch, &ps.DNSOption, &ps.AddHost, &ps.NoHosts); err != nil {
		return nil, err
	}
	if publishAll || len(expose) > 0 {
		return nil, badRequest(fmt.Errorf("publish_image_ports and expose are not supported for pods by berth"))
	}
	return ps, nil
}
