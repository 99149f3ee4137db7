package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path"
	"runtime"
	"time"

	"github.com/berth-dev/berth/internal/procps"
	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/container"
)

// fsBackend is what the stats, changes, export and archive routes need.
type fsBackend interface {
	ContainerStats(ctx context.Context, name string) (service.ContainerStats, error)
	ContainerChanges(ctx context.Context, name string) ([]service.Change, error)
	ContainerExport(ctx context.Context, name string, w io.Writer) error
	ContainerStatPath(ctx context.Context, name, p string) (service.PathStat, error)
	ContainerGetArchive(ctx context.Context, name, p string, w io.Writer) (service.PathStat, error)
	ContainerPutArchive(ctx context.Context, name, dir string, r io.Reader, overwrite, chownToUser bool) error
}

type fsRouter struct{ b fsBackend }

func (rt fsRouter) register(s *Server) {
	s.handle("GET /containers/{name}/stats", rt.stats)
	s.handle("GET /containers/{name}/changes", rt.changes)
	s.handle("GET /containers/{name}/export", rt.export)
	s.handle("HEAD /containers/{name}/archive", rt.statArchive)
	s.handle("GET /containers/{name}/archive", rt.getArchive)
	s.handle("PUT /containers/{name}/archive", rt.putArchive)
}

// stats streams a sample a second (stream=true, the default), or sends
// one: with its previous sample a second earlier, so clients can compute
// CPU use, unless one-shot.
func (rt fsRouter) stats(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	name := r.PathValue("name")
	stream := q.Get("stream") == "" || boolValue(q.Get("stream"))
	prev, err := rt.sample(ctx, name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	if !stream && boolValue(q.Get("one-shot")) {
		writeJSON(w, http.StatusOK, prev)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		cur, err := rt.sample(ctx, name)
		if err != nil {
			return nil // removed meanwhile: the stream ends
		}
		cur.PreRead, cur.PreCPUStats = prev.Read, prev.CPUStats
		if err := enc.Encode(cur); err != nil || !stream {
			return nil
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		prev = cur
	}
}

// sample is one docker stats object.
func (rt fsRouter) sample(ctx context.Context, name string) (container.StatsResponse, error) {
	s, err := rt.b.ContainerStats(ctx, name)
	if err != nil {
		return container.StatsResponse{}, err
	}
	sys, _ := procps.SystemCPUNanos()
	out := container.StatsResponse{
		ID: s.ID, Name: "/" + s.Name, OSType: "linux", Read: s.Time,
		PidsStats: container.PidsStats{Current: s.PIDs},
	}
	if !s.Running {
		return out, nil
	}
	out.CPUStats = container.CPUStats{
		CPUUsage:    container.CPUUsage{TotalUsage: s.CPUNano},
		SystemUsage: sys,
		OnlineCPUs:  uint32(runtime.NumCPU()),
	}
	out.MemoryStats = container.MemoryStats{Usage: s.MemUsage, Limit: s.MemLimit}
	out.Networks = map[string]container.NetworkStats{"eth0": {RxBytes: s.NetRx, TxBytes: s.NetTx}}
	out.BlkioStats = container.BlkioStats{IoServiceBytesRecursive: []container.BlkioStatEntry{
		{Op: "read", Value: s.BlockRead}, {Op: "write", Value: s.BlockWrite},
	}}
	return out, nil
}

func (rt fsRouter) changes(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	changes, err := rt.b.ContainerChanges(ctx, r.PathValue("name"))
	if err != nil {
		return err
	}
	kinds := map[string]container.ChangeType{"C": container.ChangeModify, "A": container.ChangeAdd, "D": container.ChangeDelete}
	out := make([]container.FilesystemChange, 0, len(changes))
	for _, c := range changes {
		out = append(out, container.FilesystemChange{Path: c.Path, Kind: kinds[c.Kind]})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (rt fsRouter) export(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if _, err := rt.b.ContainerChanges(ctx, name); err != nil {
		return err // missing container: a status, not a broken stream
	}
	w.Header().Set("Content-Type", "application/x-tar")
	return rt.b.ContainerExport(ctx, name, w)
}

// pathStatHeader is docker's X-Docker-Container-Path-Stat: base64 JSON.
func pathStatHeader(w http.ResponseWriter, st service.PathStat) {
	data, _ := json.Marshal(container.PathStat{Name: st.Name, Size: st.Size, Mode: st.Mode, Mtime: st.Mtime, LinkTarget: st.LinkTarget})
	w.Header().Set("X-Docker-Container-Path-Stat", base64.StdEncoding.EncodeToString(data))
}

func archivePath(r *http.Request) (string, error) {
	p := r.URL.Query().Get("path")
	if p == "" {
		return "", badRequest(errors.New("path is required"))
	}
	return p, nil
}

func (rt fsRouter) statArchive(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	st, err := rt.b.ContainerStatPath(ctx, r.PathValue("name"), p)
	if err != nil {
		return err
	}
	pathStatHeader(w, st)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (rt fsRouter) getArchive(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	st, err := rt.b.ContainerStatPath(ctx, name, p)
	if err != nil {
		return err
	}
	pathStatHeader(w, st)
	w.Header().Set("Content-Type", "application/x-tar")
	_, err = rt.b.ContainerGetArchive(ctx, name, p, w)
	return err
}

func (rt fsRouter) putArchive(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	dir := path.Clean("/" + p)
	if err := rt.b.ContainerPutArchive(ctx, r.PathValue("name"), dir, r.Body, !boolValue(q.Get("noOverwriteDirNonDir")), boolValue(q.Get("copyUIDGID"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
