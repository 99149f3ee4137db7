package cli

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// psRow wraps a listing row with the methods podman's ps templates call
// ({{.Names}}, {{.Status}}, {{.CreatedHuman}}...).
type psRow struct {
	*service.ListContainer
	noTrunc bool
}

func (r psRow) ID() string {
	if r.noTrunc {
		return r.ListContainer.ID
	}
	return r.ListContainer.ID[:12]
}
func (r psRow) Names() string { return strings.Join(r.ListContainer.Names, ",") }
func (r psRow) Command() string {
	cmd := strings.Join(r.ListContainer.Command, " ")
	if !r.noTrunc && len(cmd) > 17 {
		return cmd[:17] + "..."
	}
	return cmd
}
func (r psRow) CreatedHuman() string { return format.HumanDuration(time.Since(r.Created)) + " ago" }
func (r psRow) CreatedAt() string    { return r.ListContainer.Created.Format(service.CreatedAtLayout) }
func (r psRow) RunningFor() string   { return r.CreatedHuman() }

// Label is docker's {{.Label "key"}}; .Labels stays podman's map, so
// {{.Labels.key}} works too.
func (r psRow) Label(key string) string { return r.ListContainer.Labels[key] }
func (r psRow) Mounts() string          { return strings.Join(r.ListContainer.Mounts, ",") }
func (r psRow) Networks() string        { return strings.Join(r.ListContainer.Networks, ",") }
func (r psRow) Ports() string {
	var out []string
	for _, p := range r.ListContainer.Ports {
		host := p.HostIP
		if host == "" {
			host = "0.0.0.0"
		}
		if p.Range > 1 {
			out = append(out, fmt.Sprintf("%s:%d-%d->%d-%d/%s", host, p.HostPort, p.HostPort+p.Range-1, p.ContainerPort, p.ContainerPort+p.Range-1, p.Protocol))
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d->%d/%s", host, p.HostPort, p.ContainerPort, p.Protocol))
	}
	return strings.Join(out, ", ")
}
func (r psRow) Size() string {
	if r.ListContainer.Size == nil {
		return ""
	}
	return fmt.Sprintf("%s (virtual %s)", format.HumanSize(r.ListContainer.Size.RwSize), format.HumanSize(r.ListContainer.Size.RootFsSize))
}
func (r psRow) Pod() string {
	if r.noTrunc || len(r.ListContainer.Pod) < 12 {
		return r.ListContainer.Pod
	}
	return r.ListContainer.Pod[:12]
}
func (r psRow) Restarts() string { return strconv.Itoa(r.ListContainer.Restarts) }

var psHeaders = map[string]string{"ID": "CONTAINER ID", "CreatedHuman": "CREATED", "Names": "NAMES", "RunningFor": "CREATED",
	"Pod": "POD ID", "PodName": "PODNAME", "Pid": "PID", "Namespaces.Cgroup": "CGROUPNS", "Namespaces.IPC": "IPC", "Namespaces.MNT": "MNT",
	"Namespaces.NET": "NET", "Namespaces.PIDNS": "PIDNS", "Namespaces.User": "USERNS", "Namespaces.UTS": "UTS"}

func newPsCommand(d *Deps) *cobra.Command {
	var o service.ListOptions
	var quiet, noTrunc, noHeading bool
	var fmtStr string
	var watch uint
	cmd := &cobra.Command{
		Use:   "ps [options]",
		Short: "List containers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if quiet && fmtStr != "" {
				return usageError("quiet and format cannot be used together")
			}
			if watch > 0 && o.Latest {
				return usageError("the watch and latest flags cannot be used together")
			}
			// podman looks the pod names up for --pod or a format using them.
			o.Pod = o.Pod || strings.Contains(fmtStr, ".PodName")
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			if watch == 0 {
				return printPs(cmd, e, o, fmtStr, quiet, noTrunc, noHeading)
			}
			// --watch: clear the screen and list again every interval
			// until interrupted, as podman does.
			for {
				fmt.Fprint(cmd.OutOrStdout(), "\033[2J\033[H")
				if err := printPs(cmd, e, o, fmtStr, quiet, noTrunc, noHeading); err != nil {
					return err
				}
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(time.Duration(watch) * time.Second):
				}
			}
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.All, "all", "a", false, "show all the containers, default is only running containers")
	f.IntVarP(&o.Last, "last", "n", -1, "print the n last created containers (all states)")
	f.BoolVarP(&o.Latest, "latest", "l", false, "act on the latest container berth is aware of")
	f.BoolVarP(&o.Size, "size", "s", false, "display the total file sizes")
	f.BoolVarP(&o.Pod, "pod", "p", false, "print the ID and name of the pod the containers are associated with")
	f.StringArrayVarP(&o.Filters, "filter", "f", nil, "filter output based on conditions given")
	f.BoolVarP(&quiet, "quiet", "q", false, "print the numeric IDs of the containers only")
	f.BoolVar(&noTrunc, "no-trunc", false, "display the extended information")
	f.BoolVar(&noHeading, "noheading", false, "do not print headers")
	f.StringVar(&fmtStr, "format", "", "pretty-print containers to JSON or using a Go template")
	f.StringVar(&o.Sort, "sort", "created", "sort output by: "+strings.Join(service.PsSortKeys, ", "))
	f.UintVarP(&watch, "watch", "w", 0, "watch the ps output on an interval in seconds")
	f.BoolVar(&o.Namespaces, "ns", false, "display namespace information")
	f.BoolVar(&o.External, "external", false, "show containers in storage not controlled by berth")
	f.BoolVar(&o.Sync, "sync", false, "sync container state with the OCI runtime first")
	return cmd
}

// printPs lists once: IDs, JSON, the fast table or a template.
func printPs(cmd *cobra.Command, e service.Engine, o service.ListOptions, fmtStr string, quiet, noTrunc, noHeading bool) error {
	rows, err := e.List(cmd.Context(), o)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if quiet {
		bw := bufio.NewWriter(out)
		for _, r := range rows {
			bw.WriteString(psRow{r, noTrunc}.ID())
			bw.WriteByte('\n')
		}
		return bw.Flush()
	}
	if format.IsJSON(fmtStr) {
		if rows == nil {
			rows = []*service.ListContainer{}
		}
		return format.JSON(out, rows)
	}
	if f := strings.TrimSpace(fmtStr); (f == "" || f == "table") && !o.Pod && !o.Namespaces {
		return writePsTable(out, rows, noTrunc, o.Size, noHeading)
	}
	items := make([]any, len(rows))
	for i, r := range rows {
		items[i] = psRow{r, noTrunc}
	}
	def := "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
	if o.Pod {
		def += "\t{{.Pod}}\t{{.PodName}}"
	}
	if o.Size {
		def += "\t{{.Size}}"
	}
	if o.Namespaces {
		def = "table {{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Namespaces.Cgroup}}\t{{.Namespaces.IPC}}\t{{.Namespaces.MNT}}\t{{.Namespaces.NET}}\t{{.Namespaces.PIDNS}}\t{{.Namespaces.User}}\t{{.Namespaces.UTS}}"
	}
	return format.Execute(out, fmtStr, items, format.WithDefaultTable(def), format.WithHeaders(psHeaders), format.WithNoHeading(noHeading))
}
