package api

import (
	"context"
	"net/http"
	"runtime"

	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/system"
)

// ping is podman's: docker's answer plus the libpod version headers,
// which podman's clients require before anything else.
func (rt libpodRouter) ping(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Libpod-API-Version", LibpodAPIVersion)
	w.Header().Set("Libpod-Buildah-Version", buildahVersion)
	return systemRouter{rt.b}.ping(ctx, w, r)
}

// version is docker's version body, with the engine component named as
// podman names it ("Podman Engine"), whose APIVersion podman reads.
func (rt libpodRouter) version(ctx context.Context, w http.ResponseWriter, _ *http.Request) error {
	info, err := rt.b.Info(ctx)
	if err != nil {
		return err
	}
	v := rt.b.Version()
	details := map[string]string{"APIVersion": LibpodAPIVersion, "MinAPIVersion": "4.0.0", "Os": "linux", "Arch": runtime.GOARCH, "KernelVersion": info.Host.Kernel, "GoVersion": runtime.Version()}
	writeJSON(w, http.StatusOK, system.VersionResponse{
		Platform:      system.PlatformInfo{Name: "linux/" + runtime.GOARCH + "/" + info.Host.Distribution.Distribution + "-" + info.Host.Distribution.Version},
		Components:    []system.ComponentVersion{{Name: "Podman Engine", Version: v, Details: details}},
		Version:       v,
		APIVersion:    LibpodAPIVersion,
		MinAPIVersion: "4.0.0",
		GoVersion:     runtime.Version(),
		Os:            "linux",
		Arch:          runtime.GOARCH,
		KernelVersion: info.Host.Kernel,
	})
	return nil
}

// libpodInfo is podman's info body: berth's report (already in podman's
// field names) plus the registries; plugins and the rest berth does not
// know are left out rather than made up.
type libpodInfo struct {
	Host       service.HostInfo    `json:"host"`
	Store      service.StoreInfo   `json:"store"`
	Registries map[string]any      `json:"registries"`
	Version    service.VersionInfo `json:"version"`
}

func (rt libpodRouter) info(ctx context.Context, w http.ResponseWriter, _ *http.Request) error {
	info, err := rt.b.Info(ctx)
	if err != nil {
		return err
	}
	out := libpodInfo{Host: info.Host, Store: info.Store, Registries: map[string]any{}, Version: info.Version}
	out.Version.APIVersion = LibpodAPIVersion
	writeJSON(w, http.StatusOK, out)
	return nil
}
