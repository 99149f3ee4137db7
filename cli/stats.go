package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/docker/go-units"
	"github.com/spf13/cobra"
)

// statsRow is one line of `stats`, with podman's template fields and JSON
// keys.
type statsRow struct {
	s       service.ContainerStats
	cpu     float64 // percent over the last interval
	avg     float64 // percent since the container started
	noTrunc bool
}

func (r statsRow) ID() string {
	if r.noTrunc {
		return r.s.ID
	}
	return r.s.ID[:12]
}
func (r statsRow) ContainerID() string    { return r.s.ID }
func (r statsRow) Name() string           { return r.s.Name }
func (r statsRow) CPU() float64           { return r.cpu }
func (r statsRow) CPUNano() uint64        { return r.s.CPUNano }
func (r statsRow) CPUPerc() string        { return fmt.Sprintf("%.2f%%", r.cpu) }
func (r statsRow) AVGCPU() string         { return fmt.Sprintf("%.2f%%", r.avg) }
func (r statsRow) UpTime() time.Duration  { return time.Duration(r.s.CPUNano) }
func (r statsRow) CPUTime() time.Duration { return time.Duration(r.s.CPUNano) }
func (r statsRow) MemLimit() uint64       { return r.s.MemLimit }
func (r statsRow) MemUsage() string {
	return units.HumanSize(float64(r.s.MemUsage)) + " / " + units.HumanSize(float64(r.s.MemLimit))
}
func (r statsRow) MemUsageBytes() string {
	return units.BytesSize(float64(r.s.MemUsage)) + " / " + units.BytesSize(float64(r.s.MemLimit))
}
func (r statsRow) MemPerc() string {
	if r.s.MemLimit == 0 {
		return "0.00%"
	}
	return fmt.Sprintf("%.2f%%", float64(r.s.MemUsage)/float64(r.s.MemLimit)*100)
}
func (r statsRow) NetIO() string {
	return units.HumanSize(float64(r.s.NetRx)) + " / " + units.HumanSize(float64(r.s.NetTx))
}
func (r statsRow) BlockIO() string {
	return units.HumanSize(float64(r.s.BlockRead)) + " / " + units.HumanSize(float64(r.s.BlockWrite))
}
func (r statsRow) PIDS() string { return fmt.Sprint(r.s.PIDs) }

// statsJSON is podman's `stats --format json` object, keys in its order.
type statsJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CPUTime    string `json:"cpu_time"`
	CPUPercent string `json:"cpu_percent"`
	AvgCPU     string `json:"avg_cpu"`
	MemUsage   string `json:"mem_usage"`
	MemPercent string `json:"mem_percent"`
	NetIO      string `json:"net_io"`
	BlockIO    string `json:"block_io"`
	PIDs       string `json:"pids"`
}

func (r statsRow) json() statsJSON {
	return statsJSON{ID: r.ID(), Name: r.Name(), CPUTime: r.UpTime().String(), CPUPercent: r.CPUPerc(),
		AvgCPU: r.AVGCPU(), MemUsage: r.MemUsage(), MemPercent: r.MemPerc(), NetIO: r.NetIO(),
		BlockIO: r.BlockIO(), PIDs: r.PIDS()}
}

var statsHeaders = map[string]string{
	"ID": "ID", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT", "MemUsageBytes": "MEM USAGE / LIMIT",
	"MemPerc": "MEM %", "NetIO": "NET IO", "BlockIO": "BLOCK IO", "PIDS": "PIDS", "UpTime": "CPU TIME",
	"CPUTime": "CPU TIME", "AVGCPU": "AVG CPU %",
}

const statsTable = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}\t{{.UpTime}}\t{{.AVGCPU}}"

func newStatsCommand(d *Deps) *cobra.Command {
	var all, latest, noStream, noTrunc, noReset bool
	var fmtStr string
	var interval int
	cmd := &cobra.Command{
		Use:   "stats [options] [CONTAINER...]",
		Short: "Display a live stream of container resource usage statistics",
		RunE: func(cmd *cobra.Command, args []string) error {
			if interval < 1 {
				return usageError("invalid --interval %d: must be at least 1 second", interval)
			}
			if all && latest {
				return usageError("--all and --latest cannot be used together")
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			if err := rt.CheckCgroups("stats"); err != nil {
				return err
			}
			ctrs, err := statsContainers(rt, args, all, latest)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			f, isFile := out.(*os.File)
			clear := !noStream && !noReset && isFile && isTerminal(f)
			prev := map[string]service.ContainerStats{}
			for {
				rows, err := sampleStats(cmd.Context(), ctrs, prev, noTrunc)
				if err != nil {
					return err
				}
				if clear {
					fmt.Fprint(out, "\033[2J\033[H")
				}
				if err := printStats(out, fmtStr, rows); err != nil {
					return err
				}
				if noStream {
					return nil
				}
				if len(args) == 0 && !latest {
					// Without names, follow containers that start later too.
					if ctrs, err = statsContainers(rt, nil, all, false); err != nil {
						return err
					}
				}
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(time.Duration(interval) * time.Second):
				}
			}
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "show all containers (default shows only running ones)")
	f.BoolVarP(&latest, "latest", "l", false, "act on the latest container berth is aware of")
	f.BoolVar(&noStream, "no-stream", false, "print the first result only, do not stream")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate output")
	f.BoolVar(&noReset, "no-reset", false, "do not clear the screen between intervals")
	f.StringVar(&fmtStr, "format", "", "pretty-print container statistics to JSON or using a Go template")
	f.IntVarP(&interval, "interval", "i", 5, "time in seconds between stats reports")
	return cmd
}

// statsContainers picks the named containers, or the running (all: every)
// container.
func statsContainers(rt *service.Runtime, names []string, all, latest bool) ([]*service.Container, error) {
	if len(names) > 0 {
		if all || latest {
			return nil, usageError("--all and --latest cannot be used with container names")
		}
		ctrs, bad, err := service.Resolve(rt, names, false, false)
		if err != nil {
			return nil, err
		}
		if len(bad) > 0 {
			return nil, bad[0].Err
		}
		return ctrs, nil
	}
	ctrs, _, err := service.Resolve(rt, nil, true, latest)
	if err != nil || all || latest {
		return ctrs, err
	}
	running := ctrs[:0]
	for _, c := range ctrs {
		if s := c.CachedState().Status; s == define.StatusRunning || s == define.StatusPaused {
			running = append(running, c)
		}
	}
	return running, nil
}

// sampleStats takes one sample per container; CPU % is over the interval
// since the previous sample, or since the container started.
func sampleStats(ctx context.Context, ctrs []*service.Container, prev map[string]service.ContainerStats, noTrunc bool) ([]statsRow, error) {
	var rows []statsRow
	for _, c := range ctrs {
		s, err := c.Stats(ctx)
		if errors.Is(err, define.ErrCtrRemoved) || errors.Is(err, define.ErrNoSuchCtr) {
			continue
		}
		if err != nil {
			return nil, err
		}
		row := statsRow{s: s, noTrunc: noTrunc}
		var p *service.ContainerStats
		if ps, ok := prev[s.ID]; ok {
			p = &ps
		}
		row.cpu, row.avg = service.StatsCPU(s, p)
		prev[s.ID] = s
		rows = append(rows, row)
	}
	return rows, nil
}

func printStats(out io.Writer, fmtStr string, rows []statsRow) error {
	if format.IsJSON(fmtStr) {
		docs := make([]statsJSON, len(rows))
		for i, r := range rows {
			docs[i] = r.json()
		}
		return format.JSON(out, docs)
	}
	items := make([]any, len(rows))
	for i, r := range rows {
		items[i] = r
	}
	return format.Execute(out, fmtStr, items, format.WithDefaultTable(statsTable), format.WithHeaders(statsHeaders))
}
