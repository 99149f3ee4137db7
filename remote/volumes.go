package remote

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

// VolumeList is GET /libpod/volumes/json?filters=.
func (c *Client) VolumeList(ctx context.Context, filters []string) ([]*define.InspectVolume, error) {
	q := url.Values{}
	f, err := filtersQuery(filters)
	if err != nil {
		return nil, err
	}
	if f != "" {
		q.Set("filters", f)
	}
	var vols []*define.InspectVolume
	if err := c.do(ctx, http.MethodGet, "/volumes/json", q, nil, &vols); err != nil {
		return nil, err
	}
	return vols, nil
}

// VolumeInspect is GET /libpod/volumes/{name}/json for each name (all:
// the whole list).
func (c *Client) VolumeInspect(ctx context.Context, names []string, all bool) ([]*define.InspectVolume, error) {
	if all {
		return c.VolumeList(ctx, nil)
	}
	var out []*define.InspectVolume
	var errs []error
	for _, n := range names {
		var v define.InspectVolume
		if err := c.do(ctx, http.MethodGet, "/volumes/"+url.PathEscape(n)+"/json", nil, nil, &v); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, &v)
	}
	return out, errors.Join(errs...)
}

// VolumeCreate is POST /libpod/volumes/create.
func (c *Client) VolumeCreate(ctx context.Context, o service.VolumeOptions) (string, error) {
	body := map[string]any{"Name": o.Name, "Driver": o.Driver, "Label": o.Labels, "Options": o.Options,
		"IgnoreIfExists": o.IgnoreExisting, "UID": o.UID, "GID": o.GID}
	var v define.InspectVolume
	if err := c.do(ctx, http.MethodPost, "/volumes/create", nil, body, &v); err != nil {
		return "", err
	}
	return v.Name, nil
}

// VolumeRm is DELETE /libpod/volumes/{name}?force=&timeout= for each
// volume (all: every one listed).
func (c *Client) VolumeRm(ctx context.Context, names []string, o service.VolumeRmOptions, done func(string)) error {
	if o.All {
		vols, err := c.VolumeList(ctx, nil)
		if err != nil {
			return err
		}
		names = nil
		for _, v := range vols {
			names = append(names, v.Name)
		}
	}
	q := url.Values{}
	if o.Force {
		q.Set("force", "true")
	}
	if o.Timeout != nil {
		// podman's name, and berth's
		t := strconv.FormatUint(uint64(*o.Timeout), 10)
		q.Set("timeout", t)
		q.Set("t", t)
	}
	var errs []error
	for _, n := range names {
		if err := c.do(ctx, http.MethodDelete, "/volumes/"+url.PathEscape(n), q, nil, nil); err != nil {
			errs = append(errs, err)
			continue
		}
		done(n)
	}
	return errors.Join(errs...)
}
