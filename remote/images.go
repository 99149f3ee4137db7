package remote

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/service"
)

// Images is GET /libpod/images/json. The summary carries what `images`
// prints; layers, history and the rest of the config stay on the service.
func (c *Client) Images(ctx context.Context) ([]*define.Image, error) {
	var rows []service.ImageSummary
	if err := c.do(ctx, http.MethodGet, "/images/json", nil, nil, &rows); err != nil {
		return nil, err
	}
	out := make([]*define.Image, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.Image())
	}
	return out, nil
}

// RemoveImage is DELETE /libpod/images/{name}?force=.
func (c *Client) RemoveImage(ctx context.Context, nameOrID string, force bool) (service.ImageRemoveReport, error) {
	q := url.Values{}
	if force {
		q.Set("force", "true")
	}
	var rep struct {
		Deleted  []string `json:"Deleted"`
		Untagged []string `json:"Untagged"`
		Errors   []string `json:"Errors"`
	}
	if err := c.do(ctx, http.MethodDelete, "/images/"+url.PathEscape(nameOrID), q, nil, &rep); err != nil {
		return service.ImageRemoveReport{}, err
	}
	if len(rep.Errors) > 0 {
		return service.ImageRemoveReport{}, newRemoteError(http.StatusInternalServerError, rep.Errors[len(rep.Errors)-1], "")
	}
	out := service.ImageRemoveReport{Untagged: rep.Untagged}
	if len(rep.Deleted) > 0 {
		out.Deleted, out.Parents = rep.Deleted[0], rep.Deleted[1:]
	}
	return out, nil
}

// Pull is POST /libpod/images/pull; the progress goes to
// opts.ReportWriter as the service reports it. Credentials, certificates
// and a signature policy of the client's are not sent, so they are
// refused.
func (c *Client) Pull(ctx context.Context, name string, opts service.PullOptions) ([]*define.Image, error) {
	ro := opts.RegistryOptions
	ro.TLSVerify, ro.OS, ro.Arch, ro.Variant = nil, "", "", ""
	if !reflect.ValueOf(ro).IsZero() {
		return nil, errdefs.New(errdefs.ErrNotImplemented, "--authfile, --creds, --cert-dir and --signature-policy are not supported with --remote")
	}
	q := url.Values{"reference": {name}}
	if opts.Policy != "" {
		q.Set("policy", opts.Policy)
	}
	if opts.AllTags {
		q.Set("allTags", "true")
	}
	if opts.TLSVerify != nil {
		q.Set("tlsVerify", strconv.FormatBool(*opts.TLSVerify))
	}
	if opts.OS != "" {
		q.Set("os", opts.OS)
	}
	if opts.Arch != "" {
		q.Set("arch", opts.Arch)
	}
	if opts.Variant != "" {
		q.Set("variant", opts.Variant)
	}
	if opts.ReportWriter == nil {
		q.Set("quiet", "true")
	}
	resp, err := c.request(ctx, http.MethodPost, "/images/pull", q, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	ids, err := readPullIDs(resp.Body, opts.ReportWriter)
	if err != nil {
		return nil, err
	}
	out := make([]*define.Image, 0, len(ids))
	for _, id := range ids {
		out = append(out, &define.Image{ID: id})
	}
	return out, nil
}

// readPullIDs reads podman's pull stream and returns the images pulled.
func readPullIDs(r io.Reader, progress io.Writer) ([]string, error) {
	var ids []string
	err := readPullStream(r, progress, func(images []string) { ids = images })
	if err == nil && len(ids) == 0 {
		err = errors.New("the service reported no pulled image")
	}
	if err != nil {
		return nil, err
	}
	return ids, nil
}
