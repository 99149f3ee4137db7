package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
)

// containerBackend is what the container routes need of service.
type containerBackend interface {
	ContainerList(opts service.ListOptions) ([]*service.ListContainer, error)
	ContainerInspect(ctx context.Context, name string, size bool) (*define.InspectContainerData, error)
	ContainerCreate(ctx context.Context, s *spec.ContainerSpec, opts service.CreateOptions) (string, error)
	ContainerStart(ctx context.Context, name string) error
	ContainerStop(ctx context.Context, name string, timeout *uint, sig string) error
	ContainerRestart(ctx context.Context, name string, timeout *uint, sig string) error
	ContainerKill(ctx context.Context, name, sig string) error
	ContainerPause(ctx context.Context, name string) error
	ContainerUnpause(ctx context.Context, name string) error
	ContainerRename(ctx context.Context, name, newName string) error
	ContainerRemove(ctx context.Context, name string, force, volumes bool) error
	ContainerTop(ctx context.Context, name string, args []string) ([][]string, error)
	ContainerWait(ctx context.Context, name, condition string) (int32, error)
	NetworkList(filters []string) ([]define.Network, error)
}

type containerRouter struct{ b containerBackend }

func (rt containerRouter) register(s *Server) {
	s.handle("GET /containers/json", rt.list)
	s.handle("POST /containers/create", rt.create)
	s.handle("GET /containers/{name}/json", rt.inspect)
	s.handle("POST /containers/{name}/start", rt.start)
	s.handle("POST /containers/{name}/stop", rt.stop)
	s.handle("POST /containers/{name}/restart", rt.restart)
	s.handle("POST /containers/{name}/kill", rt.kill)
	s.handle("POST /containers/{name}/pause", rt.simple(rt.b.ContainerPause))
	s.handle("POST /containers/{name}/unpause", rt.simple(rt.b.ContainerUnpause))
	s.handle("POST /containers/{name}/rename", rt.rename)
	s.handle("DELETE /containers/{name}", rt.remove)
	s.handle("POST /containers/{name}/wait", rt.wait)
	s.handle("GET /containers/{name}/top", rt.top)
}

func (rt containerRouter) list(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	rows, err := listContainers(rt.b, r, false)
	if err != nil {
		return err
	}
	netIDs, err := rt.networkIDs(rows)
	if err != nil {
		return err
	}
	out := make([]container.Summary, 0, len(rows))
	for _, c := range rows {
		if c.IsInfra {
			continue
		}
		out = append(out, summary(c, netIDs))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// networkIDs maps the names of the networks rows are on to their IDs
// (compose compares them with its networks' to decide what to re-create);
// nil when no row is on a network.
func (rt containerRouter) networkIDs(rows []*service.ListContainer) (map[string]string, error) {
	if !slices.ContainsFunc(rows, func(c *service.ListContainer) bool { return len(c.Networks) > 0 }) {
		return nil, nil
	}
	nets, err := rt.b.NetworkList(nil)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]string, len(nets))
	for _, n := range nets {
		ids[n.Name] = n.ID
	}
	return ids, nil
}

// summary is one docker ps row; netIDs (may be nil) gives the IDs of its
// networks.
func summary(c *service.ListContainer, netIDs map[string]string) container.Summary {
	s := container.Summary{
		ID:      c.ID,
		Image:   c.Image,
		ImageID: "sha256:" + c.ImageID,
		Command: strings.Join(c.Command, " "),
		Created: c.Created.Unix(),
		Labels:  c.Labels,
		State:   container.ContainerState(c.State),
		Status:  c.Status,
		Ports:   []container.PortSummary{},
		Mounts:  []container.MountPoint{},
		NetworkSettings: &container.NetworkSettingsSummary{
			Networks: map[string]*network.EndpointSettings{},
		},
	}
	if c.ImageID == "" {
		s.ImageID = ""
	}
	if c.Health() == define.HealthStarting {
		// Docker's words for it: "Up 2 seconds (health: starting)".
		s.Status = strings.Replace(s.Status, "(starting)", "(health: starting)", 1)
	}
	for _, n := range c.Names {
		s.Names = append(s.Names, "/"+n)
	}
	for _, p := range c.Ports {
		for i := uint16(0); i < max(p.Range, 1); i++ {
			ps := container.PortSummary{PrivatePort: p.ContainerPort + i, PublicPort: p.HostPort + i, Type: p.Protocol}
			ip := p.HostIP
			if ip == "" {
				ip = "0.0.0.0"
			}
			ps.IP, _ = netip.ParseAddr(ip)
			s.Ports = append(s.Ports, ps)
		}
	}
	for _, n := range c.Networks {
		s.NetworkSettings.Networks[n] = &network.EndpointSettings{NetworkID: netIDs[n]}
	}
	for _, v := range c.VolumeMounts() {
		s.Mounts = append(s.Mounts, container.MountPoint{Type: mount.TypeVolume, Name: v.Name, Destination: v.Dest, Driver: "local", RW: !slices.Contains(v.Options, "ro")})
	}
	if c.Size != nil {
		s.SizeRw, s.SizeRootFs = c.Size.RwSize, c.Size.RootFsSize
	}
	return s
}

func (rt containerRouter) create(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var req container.CreateRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	s, err := specFromCreate(r.URL.Query().Get("name"), &req)
	if err != nil {
		return err
	}
	if p := r.URL.Query().Get("platform"); p != "" && p != "linux" && !strings.HasPrefix(p, "linux/") {
		return badRequest(fmt.Errorf("platform %q is not supported", p))
	}
	id, err := rt.b.ContainerCreate(ctx, s, service.CreateOptions{Pull: "never"})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, container.CreateResponse{ID: id, Warnings: []string{}})
	return nil
}

func (rt containerRouter) inspect(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	data, err := rt.b.ContainerInspect(ctx, r.PathValue("name"), boolValue(r.URL.Query().Get("size")))
	if err != nil {
		return err
	}
	// Docker's clients read logs only from the drivers they know; berth's
	// k8s-file is the same kind of file (podman answers so too).
	if hc := data.HostConfig; hc != nil && hc.LogConfig.Type == "k8s-file" {
		hc.LogConfig.Type = "json-file"
	}
	// Docker's names carry a leading slash (compose strips it).
	if !strings.HasPrefix(data.Name, "/") {
		data.Name = "/" + data.Name
	}
	writeJSON(w, http.StatusOK, data)
	return nil
}

func (rt containerRouter) start(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	data, err := rt.b.ContainerInspect(ctx, r.PathValue("name"), false)
	if err != nil {
		return err
	}
	if data.State.Running {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if err := rt.b.ContainerStart(ctx, data.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rt containerRouter) stop(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	t, err := timeoutParam(r)
	if err != nil {
		return err
	}
	data, err := rt.b.ContainerInspect(ctx, r.PathValue("name"), false)
	if err != nil {
		return err
	}
	if !data.State.Running && !data.State.Paused {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if err := rt.b.ContainerStop(ctx, data.ID, t, r.URL.Query().Get("signal")); err != nil {
		return badRequestIf(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rt containerRouter) restart(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	t, err := timeoutParam(r)
	if err != nil {
		return err
	}
	if err := rt.b.ContainerRestart(ctx, r.PathValue("name"), t, r.URL.Query().Get("signal")); err != nil {
		return badRequestIf(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rt containerRouter) kill(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	data, err := rt.b.ContainerInspect(ctx, name, false)
	if err != nil {
		return err
	}
	if !data.State.Running {
		return fmt.Errorf("cannot kill container: %s: container %s is not running: %w", name, data.ID, define.ErrCtrStateInvalid)
	}
	if err := rt.b.ContainerKill(ctx, data.ID, r.URL.Query().Get("signal")); err != nil {
		return badRequestIf(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rt containerRouter) simple(fn func(context.Context, string) error) handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		if err := fn(ctx, r.PathValue("name")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (rt containerRouter) rename(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	if err := rt.b.ContainerRename(ctx, r.PathValue("name"), r.URL.Query().Get("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (rt containerRouter) remove(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if boolValue(q.Get("link")) {
		return badRequest(errors.New("links are not supported"))
	}
	if err := rt.b.ContainerRemove(ctx, r.PathValue("name"), boolValue(q.Get("force")), boolValue(q.Get("v"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// wait sends its headers at once, as docker does: clients (docker run)
// wait for them before they start the container, then read the body when
// the condition holds.
func (rt containerRouter) wait(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	cond := r.URL.Query().Get("condition")
	switch cond {
	case "", service.WaitNotRunning, service.WaitNextExit, service.WaitRemoved:
	default:
		return badRequest(fmt.Errorf("invalid condition: %q", cond))
	}
	if _, err := rt.b.ContainerInspect(ctx, name, false); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	resp := container.WaitResponse{}
	code, err := rt.b.ContainerWait(ctx, name, cond)
	if err != nil {
		resp.Error = &container.WaitExitError{Message: err.Error()}
	}
	resp.StatusCode = int64(code)
	return json.NewEncoder(w).Encode(resp)
}

func (rt containerRouter) top(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var args []string
	if a := r.URL.Query().Get("ps_args"); a != "" {
		args = strings.Fields(a)
	}
	rows, err := rt.b.ContainerTop(ctx, r.PathValue("name"), args)
	if err != nil {
		return err
	}
	resp := container.TopResponse{Processes: [][]string{}}
	if len(rows) > 0 {
		resp.Titles, resp.Processes = rows[0], rows[1:]
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// timeoutParam reads ?t= (seconds; negative waits forever in docker,
// which berth gives as no override).
func timeoutParam(r *http.Request) (*uint, error) {
	v := r.URL.Query().Get("t")
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, badRequest(fmt.Errorf("invalid value for t: %q", v))
	}
	if n < 0 {
		return nil, nil
	}
	t := uint(n)
	return &t, nil
}

// decodeFilters turns docker's filters JSON ({"key": ["v", ...]} or the
// old {"key": {"v": true}}) into the CLI's key=value list.
func decodeFilters(raw string) ([]string, error) {
	if raw == "" {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, badRequest(fmt.Errorf("invalid filter: %w", err))
	}
	var out []string
	for k, v := range m {
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			var set map[string]bool
			if err := json.Unmarshal(v, &set); err != nil {
				return nil, badRequest(fmt.Errorf("invalid filter %q", k))
			}
			for s, ok := range set {
				if ok {
					list = append(list, s)
				}
			}
		}
		for _, s := range list {
			out = append(out, k+"="+s)
		}
	}
	return out, nil
}

// decodeBody reads a JSON body of at most 16 MiB; unknown fields are
// ignored, as docker does.
func decodeBody(r *http.Request, v any) error {
	if r.Body == nil {
		return badRequest(errors.New("request body is empty"))
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 16<<20))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return badRequest(errors.New("request body is empty"))
		}
		return badRequest(fmt.Errorf("invalid JSON body: %w", err))
	}
	return nil
}

// badRequestIf marks an uncategorised error (a bad filter or signal the
// service refused without a sentinel) as the client's.
func badRequestIf(err error) error {
	if statusFromError(err) == http.StatusInternalServerError {
		return badRequest(err)
	}
	return err
}

func boolValue(v string) bool {
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

// listContainers is the container list both flavours serve: all, size,
// limit (-1 or 0: no limit) and filters, plus libpod's pod, namespace and
// external.
func listContainers(b containerBackend, r *http.Request, libpod bool) ([]*service.ListContainer, error) {
	q := r.URL.Query()
	opts := service.ListOptions{All: boolValue(q.Get("all")), Size: boolValue(q.Get("size"))}
	if libpod {
		// podman's list parameters: pod names, namespaces, external
		// (storage) containers.
		opts.Pod = boolValue(q.Get("pod"))
		opts.Namespaces = boolValue(q.Get("namespace"))
		opts.External = boolValue(q.Get("external"))
		opts.Sync = boolValue(q.Get("sync"))
	}
	if l := q.Get("limit"); l != "" && l != "-1" {
		n, err := strconv.Atoi(l)
		if err != nil {
			return nil, badRequest(fmt.Errorf("invalid limit %q", l))
		}
		if n > 0 {
			opts.Last = n
		}
	}
	filters, err := decodeFilters(q.Get("filters"))
	if err != nil {
		return nil, err
	}
	opts.Filters = filters
	rows, err := b.ContainerList(opts)
	if err != nil {
		return nil, badRequestIf(err)
	}
	return rows, nil
}
