package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
	"golang.org/x/sys/unix"
)

// ListPods is GET /libpod/pods/json?filters=.
func (c *Client) ListPods(ctx context.Context, filters []string) ([]service.ListPod, error) {
	q := url.Values{}
	f, err := filtersQuery(filters)
	if err != nil {
		return nil, err
	}
	if f != "" {
		q.Set("filters", f)
	}
	var pods []service.ListPod
	if err := c.do(ctx, http.MethodGet, "/pods/json", q, nil, &pods); err != nil {
		return nil, err
	}
	return pods, nil
}

// podNames returns the pods a verb acts on: names, every pod (all) or
// the newest (latest).
func (c *Client) podNames(ctx context.Context, names []string, all, latest bool) ([]string, error) {
	if !all && !latest {
		if len(names) == 0 {
			return nil, fmt.Errorf("you must provide at least one pod name or id: %w", define.ErrInvalidArg)
		}
		return names, nil
	}
	if len(names) > 0 {
		return nil, fmt.Errorf("--all and --latest cannot be used with pod names: %w", define.ErrInvalidArg)
	}
	pods, err := c.ListPods(ctx, nil)
	if err != nil {
		return nil, err
	}
	if latest {
		var newest *service.ListPod
		for i := range pods {
			if newest == nil || pods[i].Created.After(newest.Created) {
				newest = &pods[i]
			}
		}
		if newest == nil {
			return nil, fmt.Errorf("no pods to act on with --latest: %w", define.ErrNoSuchPod)
		}
		return []string{newest.ID}, nil
	}
	out := make([]string, 0, len(pods))
	for _, p := range pods {
		out = append(out, p.ID)
	}
	return out, nil
}

// PodVerb is POST /libpod/pods/{name}/{verb}?t=&signal= for each pod.
func (c *Client) PodVerb(ctx context.Context, verb string, names []string, opts service.PodVerbOptions) ([]service.PodReport, error) {
	names, err := c.podNames(ctx, names, opts.All, opts.Latest)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts.Timeout != nil {
		q.Set("t", strconv.FormatUint(uint64(*opts.Timeout), 10))
	}
	if verb == service.PodVerbKill && opts.Signal != 0 {
		q.Set("signal", unix.SignalName(opts.Signal))
	}
	var reports []service.PodReport
	for _, n := range names {
		var rep struct {
			ID string `json:"Id"`
		}
		err := c.do(ctx, http.MethodPost, "/pods/"+url.PathEscape(n)+"/"+verb, q, nil, &rep)
		if err == nil && rep.ID == "" {
			// 304: the pod was in that state already; report its ID.
			var data struct {
				ID string `json:"Id"`
			}
			err = c.do(ctx, http.MethodGet, "/pods/"+url.PathEscape(n)+"/json", nil, nil, &data)
			rep.ID = data.ID
		}
		reports = append(reports, service.PodReport{RawInput: n, ID: rep.ID, Err: err})
	}
	return reports, nil
}

// PodRemove is DELETE /libpod/pods/{name}?force=&t= for each pod.
func (c *Client) PodRemove(ctx context.Context, names []string, all, ignore bool, opts service.PodRemoveOptions) ([]service.PodReport, error) {
	if opts.Volumes {
		return nil, errdefs.New(errdefs.ErrNotImplemented, "pod rm --volumes is not supported with --remote")
	}
	names, err := c.podNames(ctx, names, all, false)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts.Force {
		q.Set("force", "true")
	}
	if opts.Timeout != nil {
		q.Set("t", strconv.FormatUint(uint64(*opts.Timeout), 10))
	}
	var reports []service.PodReport
	for _, n := range names {
		var rep struct {
			ID string `json:"Id"`
		}
		err := c.do(ctx, http.MethodDelete, "/pods/"+url.PathEscape(n), q, nil, &rep)
		if ignore && errors.Is(err, define.ErrNoSuchPod) {
			continue
		}
		reports = append(reports, service.PodReport{RawInput: n, ID: rep.ID, Err: err})
	}
	return reports, nil
}
