package api

import (
	"context"
	"net/http"
	"runtime"
	"strings"

	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/system"
)

type systemBackend interface {
	Version() string
	Info(ctx context.Context) (*service.InfoReport, error)
}

type systemRouter struct{ b systemBackend }

func (rt systemRouter) register(s *Server) {
	s.handle("GET /_ping", rt.ping)
	s.handle("HEAD /_ping", rt.ping)
	s.handle("GET /version", rt.version)
	s.handle("GET /info", rt.info)
}

// ping answers docker's version negotiation: the headers carry it.
func (systemRouter) ping(_ context.Context, w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	h.Set("Pragma", "no-cache")
	h.Set("Docker-Experimental", "false")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte("OK"))
	}
	return nil
}

func (rt systemRouter) version(ctx context.Context, w http.ResponseWriter, _ *http.Request) error {
	info, err := rt.b.Info(ctx)
	if err != nil {
		return err
	}
	v := rt.b.Version()
	writeJSON(w, http.StatusOK, system.VersionResponse{
		Platform: system.PlatformInfo{Name: "berth"},
		Components: []system.ComponentVersion{{
			Name:    "Engine",
			Version: v,
			Details: map[string]string{"APIVersion": APIVersion, "MinAPIVersion": MinAPIVersion, "Os": "linux", "Arch": runtime.GOARCH, "KernelVersion": info.Host.Kernel},
		}},
		Version:       v,
		APIVersion:    APIVersion,
		MinAPIVersion: MinAPIVersion,
		GoVersion:     runtime.Version(),
		Os:            "linux",
		Arch:          runtime.GOARCH,
		KernelVersion: info.Host.Kernel,
	})
	return nil
}

func (rt systemRouter) info(ctx context.Context, w http.ResponseWriter, _ *http.Request) error {
	info, err := rt.b.Info(ctx)
	if err != nil {
		return err
	}
	cs := info.Store.ContainerStore
	cgroupVersion := strings.TrimPrefix(info.Host.CgroupsVersion, "v")
	writeJSON(w, http.StatusOK, system.Info{
		ID:                info.Host.Hostname,
		Containers:        cs.Number,
		ContainersRunning: cs.Running,
		ContainersPaused:  cs.Paused,
		ContainersStopped: cs.Stopped,
		Images:            info.Store.ImageStore.Number,
		Driver:            info.Store.GraphDriverName,
		DockerRootDir:     info.Store.GraphRoot,
		KernelVersion:     info.Host.Kernel,
		OperatingSystem:   info.Host.Distribution.Distribution + " " + info.Host.Distribution.Version,
		OSType:            "linux",
		Architecture:      info.Host.Arch,
		NCPU:              info.Host.CPUs,
		MemTotal:          info.Host.MemTotal,
		Name:              info.Host.Hostname,
		ServerVersion:     rt.b.Version(),
		CgroupDriver:      info.Host.CgroupManager,
		CgroupVersion:     cgroupVersion,
		LoggingDriver:     info.Host.LogDriver,
		DefaultRuntime:    info.Host.OCIRuntime.Name,
	})
	return nil
}
