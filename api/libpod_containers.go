package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/signals"
	"github.com/berth-dev/berth/service"
)

// libpodContainerBackend is what the libpod container routes need of
// service beyond the docker routes' interfaces.
type libpodContainerBackend interface {
	ContainerExists(name string) (bool, error)
	ContainerRemoveReports(ctx context.Context, name string, opts service.RemoveOptions) ([]service.Report, error)
	ContainerPruneReports(ctx context.Context) ([]service.Report, error)
	ContainerWaitStatus(ctx context.Context, name string, conditions []define.ContainerStatus, health []string, interval time.Duration) (int32, error)
	ImageLookup(name string) (*define.Image, error)
	ContainerInit(ctx context.Context, name string) error
}

func (rt libpodRouter) registerContainers(h func(string, handler)) {
	c := rt.ctr
	h("GET /libpod/containers/json", rt.ctrList)
	h("POST /libpod/containers/create", rt.ctrCreate)
	h("POST /libpod/containers/prune", rt.ctrPrune)
	h("GET /libpod/containers/stats", rt.ctrStats)
	h("GET /libpod/containers/{name}/json", rt.ctrInspect)
	h("GET /libpod/containers/{name}/exists", rt.ctrExists)
	h("POST /libpod/containers/{name}/init", rt.ctrInit)
	h("POST /libpod/containers/{name}/start", c.start)
	h("POST /libpod/containers/{name}/stop", rt.ctrStop)
	h("POST /libpod/containers/{name}/restart", c.restart)
	h("POST /libpod/containers/{name}/kill", c.kill)
	h("POST /libpod/containers/{name}/pause", c.simple(rt.b.ContainerPause))
	h("POST /libpod/containers/{name}/unpause", c.simple(rt.b.ContainerUnpause))
	h("POST /libpod/containers/{name}/rename", c.rename)
	h("DELETE /libpod/containers/{name}", rt.ctrRemove)
	h("POST /libpod/containers/{name}/wait", rt.ctrWait)
	h("GET /libpod/containers/{name}/top", rt.ctrTop)
	h("GET /libpod/containers/{name}/logs", func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		return rt.streams.writeLogs(ctx, w, r, true)
	})
	h("POST /libpod/containers/{name}/attach", rt.streams.attach)
	h("POST /libpod/containers/{name}/resize", rt.streams.resize)
	h("GET /libpod/containers/{name}/changes", rt.fs.changes)
	h("GET /libpod/containers/{name}/export", rt.fs.export)
	h("HEAD /libpod/containers/{name}/archive", rt.ctrStatArchive)
	h("GET /libpod/containers/{name}/archive", rt.fs.getArchive)
	h("PUT /libpod/containers/{name}/archive", func(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
		// podman spells the parameter in lower case.
		if q := r.URL.Query(); q.Has("nooverwritedirnondir") {
			q.Set("noOverwriteDirNonDir", q.Get("nooverwritedirnondir"))
			r.URL.RawQuery = q.Encode()
		}
		return rt.fs.putArchive(ctx, w, r)
	})
	h("POST /libpod/containers/{name}/exec", rt.exec.create)
	h("POST /libpod/exec/{id}/start", rt.exec.start)
	h("POST /libpod/exec/{id}/resize", rt.exec.resize)
	h("GET /libpod/exec/{id}/json", rt.exec.inspect)
}

// libpodPort is a published port as podman's list shows it.
type libpodPort struct {
	HostIP        string `json:"host_ip"`
	ContainerPort uint16 `json:"container_port"`
	HostPort      uint16 `json:"host_port"`
	Range         uint16 `json:"range"`
	Protocol      string `json:"protocol"`
}

// listRow is berth's ps row without its CLI JSON method.
type listRow service.ListContainer

// libpodListContainer is podman's ListContainer: berth's ps row (already
// in podman's names) with the ports in podman's port shape.
type libpodListContainer struct {
	*listRow
	CreatedAt string       `json:"CreatedAt"`
	Ports     []libpodPort `json:"Ports"`
	// Status is the healthcheck's in podman's list (its ps adds it to
	// the state); berth has none.
	Status string `json:"Status"`
}

func (rt libpodRouter) ctrList(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	rows, err := listContainers(rt.b, r, true)
	if err != nil {
		return err
	}
	out := make([]libpodListContainer, 0, len(rows))
	for _, c := range rows {
		row := libpodListContainer{listRow: (*listRow)(c), CreatedAt: c.Created.Format(service.CreatedAtLayout), Ports: []libpodPort{}}
		if row.Labels == nil {
			row.Labels = map[string]string{}
		}
		for _, p := range c.Ports {
			row.Ports = append(row.Ports, libpodPort{HostIP: p.HostIP, ContainerPort: p.ContainerPort, HostPort: p.HostPort, Range: max(p.Range, 1), Protocol: p.Protocol})
		}
		out = append(out, row)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (rt libpodRouter) ctrCreate(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	s, err := specFromSpecGenerator(r)
	if err != nil {
		return err
	}
	id, err := rt.b.ContainerCreate(ctx, s, service.CreateOptions{Pull: "never"})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"Id": id, "Warnings": []string{}})
	return nil
}

// ctrInspect is podman's inspect: berth's inspect data follows podman's
// shape as it is (no docker renames).
func (rt libpodRouter) ctrInspect(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	data, err := rt.b.ContainerInspect(ctx, r.PathValue("name"), boolValue(r.URL.Query().Get("size")))
	if err != nil {
		return err
	}
	if libpodMajor(r) < 5 {
		return writeInspectV4(w, data)
	}
	writeJSON(w, http.StatusOK, data)
	return nil
}

// writeInspectV4 writes inspect as podman 4 clients read it: the stop
// signal a number and the entrypoint one string (podman 5 made them a
// name and a list).
func writeInspectV4(w http.ResponseWriter, data *define.InspectContainerData) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if cfg, ok := m["Config"].(map[string]any); ok {
		if name, ok := cfg["StopSignal"].(string); ok {
			sig, err := signals.Parse(name)
			if err != nil {
				sig = 15
			}
			cfg["StopSignal"] = int(sig)
		}
		if ep, ok := cfg["Entrypoint"].([]any); ok {
			parts := make([]string, 0, len(ep))
			for _, p := range ep {
				parts = append(parts, fmt.Sprint(p))
			}
			cfg["Entrypoint"] = strings.Join(parts, " ")
		}
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (rt libpodRouter) ctrExists(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	ok, err := rt.b.ContainerExists(name)
	return exists(ok, err, w, fmt.Errorf("no container with name or ID %q found: %w", name, define.ErrNoSuchCtr))
}

// ctrStop takes podman's timeout (or docker's t); ignore answers 204 for
// a missing container.
func (rt libpodRouter) ctrStop(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("t") == "" && q.Get("timeout") != "" {
		q.Set("t", q.Get("timeout"))
		r.URL.RawQuery = q.Encode()
	}
	err := rt.ctr.stop(ctx, w, r)
	if err != nil && boolValue(q.Get("ignore")) && statusFromError(err) == http.StatusNotFound {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return err
}

// ctrStatArchive is podman's path stat (copy.FileInfo): docker's with
// isDir, and linkTarget the absolute path of every entry, which podman's
// cp copies from and to (docker leaves it empty but for symlinks).
func (rt libpodRouter) ctrStatArchive(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	st, err := rt.b.ContainerStatPath(ctx, r.PathValue("name"), p)
	if err != nil {
		return err
	}
	if st.LinkTarget == "" {
		st.LinkTarget = path.Clean("/" + p)
	}
	data, err := json.Marshal(map[string]any{"name": st.Name, "size": st.Size, "mode": st.Mode, "mtime": st.Mtime,
		"isDir": st.Mode.IsDir(), "isStream": false, "linkTarget": st.LinkTarget})
	if err != nil {
		return err
	}
	w.Header().Set("X-Docker-Container-Path-Stat", base64.StdEncoding.EncodeToString(data))
	w.WriteHeader(http.StatusOK)
	return nil
}

// ctrInit creates the container in the runtime; one already created (or
// running) is 304, as podman answers.
func (rt libpodRouter) ctrInit(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	err := rt.b.ContainerInit(ctx, r.PathValue("name"))
	if errors.Is(err, define.ErrCtrStateInvalid) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rmReport is podman's report of one container removed.
type rmReport struct {
	ID       string  `json:"Id"`
	Err      *string `json:"Err,omitempty"`
	RawInput string  `json:"RawInput"`
}

// ctrRemove answers a report per container removed (the dependents too
// with depend); a failure on the named one is the request's error.
func (rt libpodRouter) ctrRemove(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	name := r.PathValue("name")
	opts := service.RemoveOptions{Force: boolValue(q.Get("force")), Depend: boolValue(q.Get("depend")),
		Volumes: boolValue(q.Get("v")) || boolValue(q.Get("volumes"))}
	opts.Ignore = boolValue(q.Get("ignore"))
	if t := q.Get("timeout"); t != "" {
		n, err := strconv.ParseUint(t, 10, 32)
		if err != nil {
			return badRequest(fmt.Errorf("invalid timeout %q", t))
		}
		u := uint(n)
		opts.Timeout = &u
	}
	reports, err := rt.b.ContainerRemoveReports(ctx, name, opts)
	if err != nil {
		return err
	}
	out := []rmReport{}
	for _, rep := range reports {
		if rep.Err != nil {
			return rep.Err
		}
		out = append(out, rmReport{ID: rep.ID, RawInput: rep.RawInput})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ctrPrune answers podman's prune reports ({"Id", "Size"}; an error per
// container that could not go).
func (rt libpodRouter) ctrPrune(ctx context.Context, w http.ResponseWriter, _ *http.Request) error {
	reports, err := rt.b.ContainerPruneReports(ctx)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pruneReports(reports))
	return nil
}

// pruneReport is podman's reports.PruneReport.
type pruneReport struct {
	ID   string  `json:"Id"`
	Err  *string `json:"Err,omitempty"`
	Size uint64  `json:"Size"`
}

func pruneReports(reports []service.Report) []pruneReport {
	out := []pruneReport{}
	for _, rep := range reports {
		p := pruneReport{ID: rep.ID}
		if rep.Err != nil {
			s := rep.Err.Error()
			p.Err = &s
		}
		out = append(out, p)
	}
	return out
}

// ctrWait is podman's wait: condition repeated (statuses; default the
// exit), the exit code as a bare number. interval (a duration, default
// 250ms as podman's) is how often a wait for conditions looks.
func (rt libpodRouter) ctrWait(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var conds []define.ContainerStatus
	var health []string
	for _, c := range queryList(r, "condition") {
		if c == "healthy" || c == "unhealthy" {
			health = append(health, c)
			continue
		}
		s, err := define.ParseStatus(c)
		if err != nil {
			return badRequest(err)
		}
		conds = append(conds, s)
	}
	interval := 250 * time.Millisecond
	if v := r.URL.Query().Get("interval"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return badRequest(fmt.Errorf("invalid interval %q", v))
		}
		interval = d
	}
	code, err := rt.b.ContainerWaitStatus(ctx, r.PathValue("name"), conds, health, interval)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, code)
	return nil
}

// ctrTop takes podman's ps_args: format descriptors, repeated or comma
// separated.
func (rt libpodRouter) ctrTop(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	var args []string
	for _, a := range queryList(r, "ps_args") {
		args = append(args, strings.Fields(a)...)
	}
	rows, err := rt.b.ContainerTop(ctx, r.PathValue("name"), args)
	if err != nil {
		return err
	}
	writeTop(w, rows)
	return nil
}

// writeTop answers top's {"Titles", "Processes"}.
func writeTop(w http.ResponseWriter, rows [][]string) {
	resp := struct {
		Titles    []string   `json:"Titles"`
		Processes [][]string `json:"Processes"`
	}{Titles: []string{}, Processes: [][]string{}}
	if len(rows) > 0 {
		resp.Titles, resp.Processes = rows[0], rows[1:]
	}
	writeJSON(w, http.StatusOK, resp)
}
