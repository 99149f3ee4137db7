package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"golang.org/x/sys/unix"
)

// List is GET /libpod/containers/json.
func (c *Client) List(ctx context.Context, opts service.ListOptions) ([]*service.ListContainer, error) {
	q := url.Values{}
	all := opts.All
	switch {
	case opts.Latest:
		q.Set("limit", "1")
		all = true
	case opts.Last > 0:
		q.Set("limit", strconv.Itoa(opts.Last))
		all = true
	}
	if all {
		q.Set("all", "true")
	}
	if opts.Size {
		q.Set("size", "true")
	}
	if opts.Pod {
		q.Set("pod", "true")
	}
	if opts.Namespaces {
		q.Set("namespace", "true")
	}
	if opts.External {
		q.Set("external", "true")
	}
	if opts.Sync {
		q.Set("sync", "true")
	}
	f, err := filtersQuery(opts.Filters)
	if err != nil {
		return nil, err
	}
	if f != "" {
		q.Set("filters", f)
	}
	var wire []listRow
	if err := c.do(ctx, http.MethodGet, "/containers/json", q, nil, &wire); err != nil {
		return nil, err
	}
	rows := make([]*service.ListContainer, len(wire))
	for i, w := range wire {
		rows[i] = w.ListContainer
		rows[i].RestoreStatus()
		rows[i].Ports = []define.PortMapping{}
		for _, p := range w.Ports {
			rows[i].Ports = append(rows[i].Ports, define.PortMapping{HostIP: p.HostIP, HostPort: p.HostPort,
				ContainerPort: p.ContainerPort, Protocol: p.Protocol, Range: p.Range})
		}
	}
	// The API has no sort: the rows are sorted here, as the service does.
	if err := service.SortRows(rows, opts.Sort); err != nil {
		return nil, err
	}
	return rows, nil
}

// listRow is a row of GET /libpod/containers/json: berth's own row but
// for the ports, which the libpod API spells as podman's PortMapping.
type listRow struct {
	*service.ListContainer
	Ports []wirePort `json:"Ports"`
}

type wirePort struct {
	HostIP        string `json:"host_ip"`
	ContainerPort uint16 `json:"container_port"`
	HostPort      uint16 `json:"host_port"`
	Range         uint16 `json:"range"`
	Protocol      string `json:"protocol"`
}

// UnmarshalJSON fills the embedded row and then the ports.
func (r *listRow) UnmarshalJSON(data []byte) error {
	r.ListContainer = &service.ListContainer{}
	if err := json.Unmarshal(data, r.ListContainer); err != nil {
		return err
	}
	var p struct {
		Ports []wirePort `json:"Ports"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	r.Ports = p.Ports
	return nil
}

// InspectContainer is GET /libpod/containers/{name}/json.
func (c *Client) InspectContainer(ctx context.Context, name string, size bool) (*define.InspectContainerData, error) {
	q := url.Values{}
	if size {
		q.Set("size", "true")
	}
	var out define.InspectContainerData
	if err := c.do(ctx, http.MethodGet, "/containers/"+url.PathEscape(name)+"/json", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// latest is the ID of the most recently created container (--latest).
func (c *Client) latest(ctx context.Context) (string, error) {
	rows, err := c.List(ctx, service.ListOptions{Latest: true})
	if err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("no containers to act on with --latest: %w", define.ErrNoSuchCtr)
	}
	return rows[0].ID, nil
}

// names resolves a selection the way the service does, through the
// server's list: names as given, or every container (All, narrowed by
// keep), the newest one (Latest), those the filters match, or the IDs in
// cidfiles (read here, on the client).
func (c *Client) names(ctx context.Context, names []string, sel service.Selection, keep func(state string) bool) ([]string, error) {
	if err := sel.Validate(names); err != nil {
		return nil, err
	}
	if len(sel.CIDFiles) > 0 {
		return service.ReadCIDFiles(sel.CIDFiles, sel.Ignore)
	}
	if !sel.All && !sel.Latest && len(sel.Filters) == 0 {
		return names, nil
	}
	rows, err := c.List(ctx, service.ListOptions{All: true, Last: -1, Latest: sel.Latest, Filters: sel.Filters})
	if err != nil {
		return nil, err
	}
	if sel.Latest && len(rows) == 0 {
		return nil, fmt.Errorf("no containers to act on with --latest: %w", define.ErrNoSuchCtr)
	}
	var out []string
	for _, r := range rows {
		if !sel.All || keep == nil || keep(r.State) {
			out = append(out, r.ID)
		}
	}
	return out, nil
}

// each runs one request per container, reporting each by the name given;
// with Ignore, containers that do not exist are left out.
func (c *Client) each(ctx context.Context, names []string, sel service.Selection, keep func(string) bool, fn func(ctx context.Context, name string) error) ([]service.Report, error) {
	names, err := c.names(ctx, names, sel, keep)
	if err != nil {
		return nil, err
	}
	reports := make([]service.Report, 0, len(names))
	for _, n := range names {
		err := fn(ctx, n)
		if sel.Ignore && errors.Is(err, define.ErrNoSuchCtr) {
			continue
		}
		reports = append(reports, service.Report{RawInput: n, ID: n, Err: err})
	}
	return reports, nil
}

func isState(states ...string) func(string) bool {
	return func(s string) bool {
		for _, w := range states {
			if strings.EqualFold(s, w) {
				return true
			}
		}
		return false
	}
}

// post is a POST to /libpod/containers/{name}/{verb} without a body.
func (c *Client) post(verb string, q url.Values) func(context.Context, string) error {
	return func(ctx context.Context, name string) error {
		return c.do(ctx, http.MethodPost, "/containers/"+url.PathEscape(name)+"/"+verb, q, nil, nil)
	}
}

func timeoutQuery(key string, t *uint) url.Values {
	q := url.Values{}
	if t != nil {
		q.Set(key, strconv.FormatUint(uint64(*t), 10))
	}
	return q
}

// stopQuery is the timeout (under key) and, when given, the signal of a
// stop or restart; berth's server honours signal on both APIs.
func stopQuery(key string, opts service.StopOptions) url.Values {
	q := timeoutQuery(key, opts.Timeout)
	if opts.Signal != 0 {
		q.Set("signal", strconv.Itoa(int(opts.Signal)))
	}
	return q
}

// Start is POST /libpod/containers/{name}/start for each container.
func (c *Client) Start(ctx context.Context, names []string, opts service.BatchOptions) ([]service.Report, error) {
	return c.each(ctx, names, opts.Selection, nil, c.post("start", nil))
}

// Stop is POST /libpod/containers/{name}/stop?timeout=.
func (c *Client) Stop(ctx context.Context, names []string, opts service.StopOptions) ([]service.Report, error) {
	return c.each(ctx, names, opts.Selection, isState("running"), c.post("stop", stopQuery("timeout", opts)))
}

// Restart is POST /libpod/containers/{name}/restart?t=.
func (c *Client) Restart(ctx context.Context, names []string, opts service.StopOptions) ([]service.Report, error) {
	keep := isState("running", "paused")
	if !opts.Running {
		keep = nil
	}
	return c.each(ctx, names, opts.Selection, keep, c.post("restart", stopQuery("t", opts)))
}

// Kill is POST /libpod/containers/{name}/kill?signal=.
func (c *Client) Kill(ctx context.Context, names []string, opts service.KillOptions) ([]service.Report, error) {
	sig := unix.SignalName(opts.Signal)
	if sig == "" {
		sig = strconv.Itoa(int(opts.Signal))
	}
	q := url.Values{"signal": {sig}}
	return c.each(ctx, names, opts.Selection, isState("running"), c.post("kill", q))
}

// Pause is POST /libpod/containers/{name}/pause.
func (c *Client) Pause(ctx context.Context, names []string, opts service.BatchOptions) ([]service.Report, error) {
	return c.each(ctx, names, opts.Selection, isState("running"), c.post("pause", nil))
}

// Unpause is POST /libpod/containers/{name}/unpause.
func (c *Client) Unpause(ctx context.Context, names []string, opts service.BatchOptions) ([]service.Report, error) {
	return c.each(ctx, names, opts.Selection, isState("paused"), c.post("unpause", nil))
}

// Init is POST /libpod/containers/{name}/init.
func (c *Client) Init(ctx context.Context, names []string, opts service.BatchOptions) ([]service.Report, error) {
	return c.each(ctx, names, opts.Selection, isState("configured", "created"), c.post("init", nil))
}

// rmReport is one entry of podman 5's DELETE /libpod/containers/{name}
// answer.
type rmReport struct {
	Err      string `json:"Err"`
	ID       string `json:"Id"`
	RawInput string `json:"RawInput"`
}

// Remove is DELETE /libpod/containers/{name}?force=&v=&depend=&ignore=,
// which answers a list of reports (the container and, with depend, those
// removed before it).
func (c *Client) Remove(ctx context.Context, names []string, opts service.RemoveOptions) ([]service.Report, error) {
	q := url.Values{}
	for k, v := range map[string]bool{"force": opts.Force, "v": opts.Volumes, "depend": opts.Depend, "ignore": opts.Ignore || opts.Force} {
		if v {
			q.Set(k, "true")
		}
	}
	if opts.Timeout != nil {
		q.Set("timeout", strconv.FormatUint(uint64(*opts.Timeout), 10))
	}
	names, err := c.names(ctx, names, opts.Selection, nil)
	if err != nil {
		return nil, err
	}
	var reports []service.Report
	for _, n := range names {
		var rr []rmReport
		err := c.do(ctx, http.MethodDelete, "/containers/"+url.PathEscape(n), q, nil, &rr)
		if err != nil {
			if (opts.Ignore || opts.Force) && errors.Is(err, define.ErrNoSuchCtr) {
				continue
			}
			reports = append(reports, service.Report{RawInput: n, ID: n, Err: err})
			continue
		}
		if len(rr) == 0 {
			reports = append(reports, service.Report{RawInput: n, ID: n})
			continue
		}
		for _, r := range rr {
			// One report stands for the container asked for; with depend
			// the others are named by what the service says.
			rep := service.Report{RawInput: n, ID: r.ID}
			if len(rr) > 1 {
				rep.RawInput = r.RawInput
				if rep.RawInput == "" {
					rep.RawInput = r.ID
				}
			}
			if r.Err != "" {
				rep.Err = newRemoteError(http.StatusInternalServerError, r.Err, "")
			}
			reports = append(reports, rep)
		}
	}
	return reports, nil
}

// Wait is POST /libpod/containers/{name}/wait?condition=..., whose
// answer is the exit code.
func (c *Client) Wait(ctx context.Context, names []string, opts service.WaitOptions) ([]service.Report, error) {
	if opts.Latest {
		id, err := c.latest(ctx)
		if err != nil {
			return nil, err
		}
		names = []string{id}
	}
	q := url.Values{}
	for _, s := range opts.Conditions {
		q.Add("condition", s.String())
	}
	for _, h := range opts.Health {
		q.Add("condition", h)
	}
	if opts.Interval > 0 {
		q.Set("interval", opts.Interval.String())
	}
	codes := map[string]int32{}
	reports, err := c.each(ctx, names, service.Selection{}, nil, func(ctx context.Context, n string) error {
		var code int32
		err := c.do(ctx, http.MethodPost, "/containers/"+url.PathEscape(n)+"/wait", q, nil, &code)
		codes[n] = code
		return err
	})
	for i := range reports {
		reports[i].ExitCode = codes[reports[i].RawInput]
	}
	return reports, err
}
