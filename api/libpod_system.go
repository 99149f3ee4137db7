package api

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/moby/moby/api/types/events"
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

// events is podman's event stream: docker's messages with podman's own
// status names (died, remove...) and containerExitCode; stream=false
// reads what happened so far and ends.
func (rt libpodRouter) events(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	since, err := eventTime(q.Get("since"))
	if err != nil {
		return err
	}
	until, err := eventTime(q.Get("until"))
	if err != nil {
		return err
	}
	if q.Get("stream") != "" && !boolValue(q.Get("stream")) && until.IsZero() {
		until = time.Now()
	}
	filters, err := decodeFilters(q.Get("filters"))
	if err != nil {
		return err
	}
	follow := until.IsZero() || until.After(time.Now())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	enc := json.NewEncoder(w)
	err = rt.b.Events(ctx, since, until, follow, filters, func(ev define.Event) error {
		m := dockerEvent(ev)
		m.Action = events.Action(ev.Status)
		if ev.Type == "container" {
			m.Status = ev.Status
		}
		// podman sends it on every event, and podman 4 drops one without.
		code := 0
		if ev.ExitCode != nil {
			code = *ev.ExitCode
		}
		m.Actor.Attributes["containerExitCode"] = strconv.Itoa(code)
		if err := enc.Encode(m); err != nil {
			return err
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		return nil
	})
	if err != nil && ctx.Err() == nil {
		// The status is out: tell the client in the stream, as podman.
		_ = enc.Encode(map[string]string{"error": err.Error()})
	}
	return nil
}
