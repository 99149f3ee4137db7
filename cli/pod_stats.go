package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/docker/go-units"
	"github.com/spf13/cobra"
)

// podStatsRow is one line of `pod stats`: podman's PodStatsReport, whose
// fields are both the template fields and (untagged) the JSON keys.
type podStatsRow struct {
	CPU           string
	MemUsage      string
	MemUsageBytes string
	Mem           string
	NetIO         string
	BlockIO       string
	PIDS          string
	Pod           string
	CID           string
	Name          string
}

// newPodStatsRow renders a sample as podman does: "--" for a zero.
func newPodStatsRow(podID string, r statsRow) podStatsRow {
	s := r.s
	mem := 0.0
	if s.MemLimit > 0 {
		mem = float64(s.MemUsage) / float64(s.MemLimit) * 100
	}
	pids := "--"
	if s.PIDs > 0 {
		pids = strconv.FormatUint(s.PIDs, 10)
	}
	return podStatsRow{
		CPU: podPercent(r.cpu), Mem: podPercent(mem), PIDS: pids,
		MemUsage:      podPair(s.MemUsage, s.MemLimit, units.HumanSize),
		MemUsageBytes: podPair(s.MemUsage, s.MemLimit, units.BytesSize),
		NetIO:         podPair(s.NetRx, s.NetTx, units.HumanSize),
		BlockIO:       podPair(s.BlockRead, s.BlockWrite, units.HumanSize),
		Pod:           podID[:12], CID: s.ID[:12], Name: s.Name,
	}
}

func podPercent(f float64) string {
	if f == 0 {
		return "--"
	}
	return fmt.Sprintf("%.2f%%", f)
}

func podPair(a, b uint64, human func(float64) string) string {
	if a == 0 && b == 0 {
		return "-- / --"
	}
	return human(float64(a)) + " / " + human(float64(b))
}

// podStatsHeaders are podman's, its "MEM USAGE/ LIMIT" included.
var podStatsHeaders = map[string]string{
	"CPU": "CPU %", "MemUsage": "MEM USAGE/ LIMIT", "MemUsageBytes": "MEM USAGE/ LIMIT",
	"Mem": "MEM %", "NetIO": "NET IO", "BlockIO": "BLOCK IO",
}

func newPodStatsCommand(d *Deps) *cobra.Command {
	var all, latest, noStream, noReset bool
	var fmtStr string
	cmd := &cobra.Command{
		Use:   "stats [options] [POD...]",
		Short: "Display a live stream of resource usage statistics for the containers in one or more pods",
		RunE: func(cmd *cobra.Command, args []string) error {
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			f, isFile := out.(*os.File)
			clear := !noStream && !noReset && isFile && isTerminal(f)
			prev := map[string]service.ContainerStats{}
			for {
				// Pods and members are looked up again each round: members
				// started meanwhile show up, as in podman.
				members, err := service.PodStatsMembers(rt, args, all, latest)
				if err != nil {
					return err
				}
				rows, err := samplePodStats(cmd, members, prev)
				if err != nil {
					return err
				}
				if clear {
					fmt.Fprint(out, "\033[2J\033[H")
				}
				if err := printPodStats(out, fmtStr, rows); err != nil {
					return err
				}
				if noStream {
					return nil
				}
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(time.Second):
				}
			}
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "provide stats for all pods")
	fl.BoolVarP(&latest, "latest", "l", false, "act on the latest pod berth is aware of")
	fl.BoolVar(&noStream, "no-stream", false, "disable streaming stats and only pull the first result")
	fl.BoolVar(&noReset, "no-reset", false, "disable resetting the screen when streaming")
	fl.StringVar(&fmtStr, "format", "", "pretty-print container statistics to JSON or using a Go template")
	return cmd
}

// samplePodStats samples each member (see sampleStats); members that
// stopped since the lookup are left out.
func samplePodStats(cmd *cobra.Command, members []service.PodMember, prev map[string]service.ContainerStats) ([]podStatsRow, error) {
	ctrs := make([]*service.Container, len(members))
	podOf := map[string]string{}
	for i, m := range members {
		ctrs[i] = m.Ctr
		podOf[m.Ctr.ID()] = m.Pod.ID()
	}
	samples, err := sampleStats(cmd.Context(), ctrs, prev, false)
	if err != nil {
		return nil, err
	}
	rows := make([]podStatsRow, 0, len(samples))
	for _, s := range samples {
		if s.s.Running {
			rows = append(rows, newPodStatsRow(podOf[s.s.ID], s))
		}
	}
	return rows, nil
}

func printPodStats(out io.Writer, fmtStr string, rows []podStatsRow) error {
	if format.IsJSON(fmtStr) {
		if rows == nil {
			rows = []podStatsRow{}
		}
		// podman indents this one by five blanks.
		b, err := json.MarshalIndent(rows, "", "     ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	}
	if fmtStr == "" {
		cells := make([][]string, 0, len(rows)+1)
		for _, r := range rows {
			cells = append(cells, []string{r.Pod, r.CID, r.Name, r.CPU, r.MemUsage, r.Mem, r.NetIO, r.BlockIO, r.PIDS})
		}
		if len(rows) == 0 {
			cells = append(cells, []string{"--", "--", "--", "--", "--", "--", "--", "--", "--"})
		}
		format.Table(out, []string{"POD", "CID", "NAME", "CPU %", "MEM USAGE/ LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS"}, cells)
		return nil
	}
	if len(rows) == 0 {
		return nil
	}
	items := make([]any, len(rows))
	for i, r := range rows {
		items[i] = r
	}
	return format.Execute(out, fmtStr, items, format.WithHeaders(podStatsHeaders))
}
