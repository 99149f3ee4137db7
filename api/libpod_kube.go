package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/service"
)

// kubeBackend is what the libpod kube and generate routes need: the same
// service calls `kube play`, `kube down`, `kube generate` and `generate
// systemd` make.
type kubeBackend interface {
	KubePlay(ctx context.Context, yaml []byte, opts service.KubePlayOptions) (*service.KubePlayReport, error)
	KubePlayArchive(ctx context.Context, archive io.Reader, opts service.KubePlayOptions) (*service.KubePlayReport, error)
	KubeWait(ctx context.Context, report *service.KubePlayReport, stop <-chan struct{}) error
	KubeDown(ctx context.Context, yaml []byte, force bool) (*service.KubeDownReport, error)
	KubeGenerate(ctx context.Context, names []string, opts service.KubeGenerateOptions) ([]byte, error)
	GenerateSystemd(ctx context.Context, nameOrID string, o service.SystemdOptions) ([]service.SystemdUnit, error)
}

// maxKubeBody caps a YAML body.
const maxKubeBody = 32 << 20

func (rt libpodRouter) registerKube(h func(string, handler)) {
	// podman 4 spells them play/kube, podman 5 kube/play; both serve.
	h("POST /libpod/play/kube", rt.kubePlay)
	h("POST /libpod/kube/play", rt.kubePlay)
	h("DELETE /libpod/play/kube", rt.kubeDown)
	h("DELETE /libpod/kube/play", rt.kubeDown)
	h("GET /libpod/generate/kube", rt.kubeGenerate)
	h("GET /libpod/kube/generate", rt.kubeGenerate)
	h("POST /libpod/kube/apply", rt.kubeApply)
	h("GET /libpod/generate/{name}/systemd", rt.generateSystemd)
}

// Podman's play report (entities.PlayKubeReport), which also carries
// down's teardown lists.
type (
	playKubePod struct {
		ID              string
		Containers      []string
		InitContainers  []string
		Logs            []string
		ContainerErrors []string
	}
	playKubeVolume struct{ Name string }
	podStopReport  struct {
		Errs     []string
		Id       string //nolint:revive // podman's field name
		RawInput string
	}
	podRmReport struct {
		RemovedCtrs map[string]*string
		Err         *string
		Id          string //nolint:revive // podman's field name
	}
	volumeRmReport struct {
		Err *string
		Id  string //nolint:revive // podman's field name
	}
	playSecret struct {
		CreateReport struct{ ID string }
	}
	secretRmReport struct {
		Err *string
		ID  string
	}
	playKubeReport struct {
		Pods               []playKubePod
		Volumes            []playKubeVolume
		StopReport         []podStopReport
		RmReport           []podRmReport
		VolumeRmReport     []volumeRmReport
		SecretRmReport     []secretRmReport
		Secrets            []playSecret
		ServiceContainerID string
		ExitCode           *int32
	}
)

// foldQuery is the request's query with its keys in lower case: podman's
// clients lower-case the parameter names (usename, noheader) and its
// server matches them regardless of case, so these routes do too.
func foldQuery(r *http.Request) url.Values {
	out := url.Values{}
	for k, v := range r.URL.Query() {
		lk := strings.ToLower(k)
		out[lk] = append(out[lk], v...)
	}
	return out
}

// splitList is a repeated parameter, also as comma lists.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// readKubeBody reads the YAML: a tar body (a kube play context) is
// refused here (kube down), any other content type is the YAML itself.
func readKubeBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct == "application/x-tar" {
		return nil, fmt.Errorf("Content-Type %s (a build context) is not supported: send the YAML: %w", ct, define.ErrInvalidArg)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxKubeBody+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxKubeBody {
		return nil, fmt.Errorf("YAML body larger than %d bytes: %w", maxKubeBody, define.ErrInvalidArg)
	}
	return data, nil
}

// kubePlay takes the YAML as the body and podman's options as query
// parameters: annotations (a JSON object), network, publishPorts,
// replace, start, wait and build. A tar body (application/x-tar) holds
// play.yaml and the directories the images are built from, as podman's
// remote kube play sends them.
func (rt libpodRouter) kubePlay(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := foldQuery(r)
	opts := service.KubePlayOptions{Replace: boolValue(q.Get("replace")), Network: splitList(q["network"])}
	if v := q.Get("start"); v != "" {
		start, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("invalid start %q: %w", v, define.ErrInvalidArg)
		}
		opts.NoStart = !start
	}
	archive := r.Header.Get("Content-Type") == "application/x-tar"
	switch v := q.Get("build"); {
	case archive && v != "":
		b := boolValue(v)
		opts.Build = &b
	case archive:
		// podman's default: build the images not in local storage.
	case boolValue(v):
		return fmt.Errorf("build needs a context: send a tar archive with play.yaml at its root (Content-Type application/x-tar), as podman's remote kube play --build does: %w", define.ErrInvalidArg)
	default:
		// No context arrives with a YAML body: never build from the
		// server's own working directory.
		noBuild := false
		opts.Build = &noBuild
	}
	if a := q.Get("annotations"); a != "" {
		if err := json.Unmarshal([]byte(a), &opts.Annotations); err != nil {
			return fmt.Errorf("invalid annotations %q: %v: %w", a, err, define.ErrInvalidArg)
		}
	}
	for _, p := range splitList(q["publishports"]) {
		pm, err := specflag.Publish(p)
		if err != nil {
			return fmt.Errorf("%v: %w", err, define.ErrInvalidArg)
		}
		opts.Publish = append(opts.Publish, pm...)
	}
	var report *service.KubePlayReport
	var err error
	if archive {
		report, err = rt.b.KubePlayArchive(ctx, r.Body, opts)
	} else {
		var data []byte
		if data, err = readKubeBody(r); err == nil {
			report, err = rt.b.KubePlay(ctx, data, opts)
		}
	}
	if err != nil {
		return fmt.Errorf("playing YAML file: %w", err)
	}
	if boolValue(q.Get("wait")) {
		if err := rt.b.KubeWait(ctx, report, ctx.Done()); err != nil {
			return err
		}
	}
	out := playKubeReport{Pods: []playKubePod{}, Volumes: []playKubeVolume{}}
	for _, v := range report.Volumes {
		out.Volumes = append(out.Volumes, playKubeVolume{Name: v})
	}
	for _, id := range report.Secrets {
		var ps playSecret
		ps.CreateReport.ID = id
		out.Secrets = append(out.Secrets, ps)
	}
	for _, p := range report.Pods {
		out.Pods = append(out.Pods, playKubePod{ID: p.ID, Containers: nonNil(p.Containers), InitContainers: nonNil(p.InitContainers)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// kubeDown removes what the YAML body made; force removes its volumes.
func (rt libpodRouter) kubeDown(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	data, err := readKubeBody(r)
	if err != nil {
		return err
	}
	report, err := rt.b.KubeDown(ctx, data, boolValue(foldQuery(r).Get("force")))
	if err != nil {
		return fmt.Errorf("tearing down YAML file: %w", err)
	}
	out := playKubeReport{Pods: []playKubePod{}, Volumes: []playKubeVolume{}}
	for _, p := range report.Pods {
		out.StopReport = append(out.StopReport, podStopReport{Id: p.ID, RawInput: p.Name})
		rm := podRmReport{Id: p.ID, RemovedCtrs: map[string]*string{}}
		for _, c := range p.Containers {
			rm.RemovedCtrs[c] = nil
		}
		out.RmReport = append(out.RmReport, rm)
	}
	for _, id := range report.Secrets {
		out.SecretRmReport = append(out.SecretRmReport, secretRmReport{ID: id})
	}
	for _, v := range report.Volumes {
		out.VolumeRmReport = append(out.VolumeRmReport, volumeRmReport{Id: v})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// kubeGenerate answers the YAML itself (names, service, type, replicas).
func (rt libpodRouter) kubeGenerate(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := foldQuery(r)
	opts := service.KubeGenerateOptions{Service: boolValue(q.Get("service")), Type: q.Get("type")}
	if opts.Type == "" {
		opts.Type = "pod"
	}
	if v := q.Get("replicas"); v != "" && opts.Type == "deployment" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("invalid replicas %q: %w", v, define.ErrInvalidArg)
		}
		opts.Replicas = int32(n)
	}
	out, err := rt.b.KubeGenerate(ctx, splitList(q["names"]), opts)
	if err != nil {
		return fmt.Errorf("generating YAML: %w", err)
	}
	w.Header().Set("Content-Type", "text/vnd.yaml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
	return nil
}

// kubeApply needs a Kubernetes cluster's API server, which berth does
// not talk to.
func (rt libpodRouter) kubeApply(context.Context, http.ResponseWriter, *http.Request) error {
	return fmt.Errorf("kube apply is not supported: berth does not deploy to a cluster; use kubectl apply -f with kube generate's YAML: %w", define.ErrNotImplemented)
}

// generateSystemd answers podman 4's generate systemd: the units as a
// JSON object of name to content.
func (rt libpodRouter) generateSystemd(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := foldQuery(r)
	o := service.SystemdOptions{
		Name: boolValue(q.Get("usename")), New: boolValue(q.Get("new")), NoHeader: boolValue(q.Get("noheader")),
		Template: boolValue(q.Get("templateunitfile")), ContainerPrefix: "container", PodPrefix: "pod", Separator: "-",
		Wants: q["wants"], After: q["after"], Requires: q["requires"], Env: q["additionalenvvariables"],
	}
	for key, dst := range map[string]*string{"containerprefix": &o.ContainerPrefix, "podprefix": &o.PodPrefix, "separator": &o.Separator} {
		if v, ok := q[key]; ok && len(v) > 0 {
			*dst = v[0]
		}
	}
	if v, ok := q["restartpolicy"]; ok && len(v) > 0 {
		o.RestartPolicy = &v[0]
	}
	for key, dst := range map[string]**uint{"restartsec": &o.RestartSec, "starttimeout": &o.StartTimeout, "stoptimeout": &o.StopTimeout} {
		v := q.Get(key)
		if v == "" {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fmt.Errorf("invalid %s %q: %w", key, v, define.ErrInvalidArg)
		}
		u := uint(n)
		*dst = &u
	}
	if o.StopTimeout == nil {
		ten := uint(10)
		o.StopTimeout = &ten
	}
	if !o.NoHeader {
		o.Now = time.Now()
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("%v: %w", err, define.ErrInvalidArg)
	}
	units, err := rt.b.GenerateSystemd(ctx, r.PathValue("name"), o)
	if err != nil {
		return fmt.Errorf("generating systemd units: %w", err)
	}
	m := map[string]string{}
	for _, u := range units {
		m[u.Name] = u.Content
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}
