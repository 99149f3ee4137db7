package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

// libpodStats is podman's define.ContainerStats.
type libpodStats struct {
	AvgCPU        float64  `json:"AvgCPU"`
	ContainerID   string   `json:"ContainerID"`
	Name          string   `json:"Name"`
	PerCPU        []uint64 `json:"PerCPU"`
	CPU           float64  `json:"CPU"`
	CPUNano       uint64   `json:"CPUNano"`
	CPUSystemNano uint64   `json:"CPUSystemNano"`
	SystemNano    uint64   `json:"SystemNano"`
	MemUsage      uint64   `json:"MemUsage"`
	MemLimit      uint64   `json:"MemLimit"`
	MemPerc       float64  `json:"MemPerc"`
	NetInput      uint64   `json:"NetInput"`
	NetOutput     uint64   `json:"NetOutput"`
	BlockInput    uint64   `json:"BlockInput"`
	BlockOutput   uint64   `json:"BlockOutput"`
	PIDs          uint64   `json:"PIDs"`
	UpTime        int64    `json:"UpTime"`
	Duration      uint64   `json:"Duration"`
}

// ctrStats is podman's GET /containers/stats: containers= repeated (none:
// the running ones), a report {"Error", "Stats"} every interval seconds
// (default 5) while stream (default true), CPU % over the interval.
func (rt libpodRouter) ctrStats(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	names := queryList(r, "containers")
	stream := q.Get("stream") == "" || boolValue(q.Get("stream"))
	interval := 5
	if v := q.Get("interval"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return badRequest(fmt.Errorf("invalid interval %q", v))
		}
		interval = n
	}
	if len(names) == 0 {
		rows, err := rt.b.ContainerList(service.ListOptions{})
		if err != nil {
			return err
		}
		for _, c := range rows {
			names = append(names, c.ID)
		}
	}
	prev := map[string]service.ContainerStats{}
	sample := func() ([]libpodStats, error) {
		out := []libpodStats{}
		for _, n := range names {
			s, err := rt.b.ContainerStats(ctx, n)
			if errors.Is(err, define.ErrCtrRemoved) || (errors.Is(err, define.ErrNoSuchCtr) && len(prev) > 0) {
				continue
			}
			if err != nil {
				return nil, err
			}
			var p *service.ContainerStats
			if ps, ok := prev[s.ID]; ok {
				p = &ps
			}
			prev[s.ID] = s
			ls := libpodStats{ContainerID: s.ID, Name: s.Name, CPUNano: s.CPUNano, MemUsage: s.MemUsage, MemLimit: s.MemLimit,
				NetInput: s.NetRx, NetOutput: s.NetTx, BlockInput: s.BlockRead, BlockOutput: s.BlockWrite, PIDs: s.PIDs,
				SystemNano: uint64(s.Time.UnixNano())}
			ls.CPU, ls.AvgCPU = service.StatsCPU(s, p)
			if s.MemLimit > 0 {
				ls.MemPerc = float64(s.MemUsage) / float64(s.MemLimit) * 100
			}
			if s.Running {
				ls.UpTime = int64(s.Time.Sub(s.StartedAt))
				ls.Duration = uint64(ls.UpTime)
			}
			out = append(out, ls)
		}
		return out, nil
	}
	first, err := sample()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	report := func(stats []libpodStats) error {
		if err := enc.Encode(map[string]any{"Error": nil, "Stats": stats}); err != nil {
			return err
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		return nil
	}
	if err := report(first); err != nil || !stream {
		return nil
	}
	tick := time.NewTicker(time.Duration(interval) * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		stats, err := sample()
		if err != nil {
			_ = enc.Encode(map[string]any{"Error": map[string]string{"message": err.Error()}, "Stats": nil})
			return nil
		}
		if report(stats) != nil {
			return nil
		}
	}
}
