package cli

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// podRow is one `pod ps` row: the service's record plus the methods the
// default table and users' templates use (podman's names).
type podRow struct {
	service.ListPod
	noTrunc bool
}

func (r podRow) trunc(id string) string {
	if r.noTrunc || len(id) < 12 {
		return id
	}
	return id[:12]
}

func (r podRow) ID() string      { return r.trunc(r.ListPod.ID) }
func (r podRow) Id() string      { return r.ID() } //nolint:revive // podman's template name
func (r podRow) InfraID() string { return r.trunc(r.ListPod.InfraID) }
func (r podRow) InfraId() string { return r.InfraID() } //nolint:revive // podman's template name
func (r podRow) Created() string {
	return format.HumanDuration(time.Since(r.ListPod.Created)) + " ago"
}
func (r podRow) NumberOfContainers() int { return len(r.Containers) }
func (r podRow) Label(k string) string   { return r.Labels[k] }
func (r podRow) Networks() string        { return strings.Join(r.ListPod.Networks, ",") }
func (r podRow) ContainerIds() string {
	ids := make([]string, 0, len(r.Containers))
	for _, c := range r.Containers {
		ids = append(ids, r.trunc(c.ID))
	}
	return strings.Join(ids, ",")
}
func (r podRow) ContainerNames() string {
	names := make([]string, 0, len(r.Containers))
	for _, c := range r.Containers {
		names = append(names, c.Names)
	}
	return strings.Join(names, ",")
}
func (r podRow) ContainerStatuses() string {
	st := make([]string, 0, len(r.Containers))
	for _, c := range r.Containers {
		st = append(st, c.Status)
	}
	return strings.Join(st, ",")
}
func (r podRow) Restarts() string {
	n := 0
	for _, c := range r.Containers {
		n += c.RestartCount
	}
	return strconv.Itoa(n)
}

var podPsHeaders = map[string]string{
	"ID": "POD ID", "Id": "POD ID", "Name": "NAME", "Status": "STATUS", "Labels": "LABELS",
	"NumberOfContainers": "# OF CONTAINERS", "Created": "CREATED", "InfraID": "INFRA ID", "InfraId": "INFRA ID",
	"ContainerIds": "IDS", "ContainerNames": "NAMES", "ContainerStatuses": "STATUS", "Cgroup": "CGROUP",
	"Namespace": "NAMESPACES", "Restarts": "RESTARTS", "Networks": "NETWORKS",
}

func newPodPsCommand(d *Deps) *cobra.Command {
	var filters []string
	var fmtStr, sortBy string
	var quiet, noTrunc, noHeading, ctrNames, ctrIDs, ctrStatus, ns, latest bool
	cmd := &cobra.Command{
		Use:     "ps [options]",
		Aliases: []string{"ls", "list"},
		Short:   "List pods",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if quiet && fmtStr != "" {
				return usageError("quiet and format cannot be used together")
			}
			e, err := d.Engine(cmd.Context())
			if err != nil {
				return err
			}
			pods, err := e.ListPods(cmd.Context(), filters)
			if err != nil {
				return err
			}
			if err := sortPods(pods, sortBy); err != nil {
				return err
			}
			if latest && len(pods) > 1 {
				newest := 0
				for i, p := range pods {
					if p.Created.After(pods[newest].Created) {
						newest = i
					}
				}
				pods = pods[newest : newest+1]
			}
			out := cmd.OutOrStdout()
			if format.IsJSON(fmtStr) {
				return format.JSON(out, pods)
			}
			if quiet {
				for _, p := range pods {
					fmt.Fprintln(out, podRow{p, noTrunc}.ID())
				}
				return nil
			}
			cols := []string{"{{.ID}}", "{{.Name}}", "{{.Status}}", "{{.Created}}", "{{.InfraID}}"}
			if ctrIDs {
				cols = append(cols, "{{.ContainerIds}}")
			}
			if ctrNames {
				cols = append(cols, "{{.ContainerNames}}")
			}
			if ctrStatus {
				cols = append(cols, "{{.ContainerStatuses}}")
			}
			if ns {
				cols = append(cols, "{{.Cgroup}}", "{{.Namespace}}")
			}
			if !ctrIDs && !ctrNames && !ctrStatus {
				cols = append(cols, "{{.NumberOfContainers}}")
			}
			rows := make([]any, 0, len(pods))
			for _, p := range pods {
				rows = append(rows, podRow{p, noTrunc})
			}
			return format.Execute(out, fmtStr, rows,
				format.WithDefaultTable("table "+strings.Join(cols, "\t")),
				format.WithHeaders(podPsHeaders),
				format.WithNoHeading(noHeading))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&ctrNames, "ctr-names", false, "display the container names")
	f.BoolVar(&ctrIDs, "ctr-ids", false, "display the container UUIDs. If no-trunc is not set they will be truncated")
	f.BoolVar(&ctrStatus, "ctr-status", false, "display the container status")
	f.StringArrayVarP(&filters, "filter", "f", nil, "filter output based on conditions given (id, name, label, status, ctr-names, ctr-ids, ctr-status, ctr-number, network, until)")
	f.StringVar(&fmtStr, "format", "", "pretty-print pods to JSON or using a Go template")
	f.BoolVarP(&noHeading, "noheading", "n", false, "do not print headers")
	f.BoolVar(&ns, "ns", false, "display namespace information of the pod")
	f.BoolVar(&noTrunc, "no-trunc", false, "do not truncate pod and container IDs")
	f.BoolVarP(&quiet, "quiet", "q", false, "print the numeric IDs of the pods only")
	f.StringVar(&sortBy, "sort", "created", "sort output by created, id, name, number or status")
	f.BoolVarP(&latest, "latest", "l", false, "act on the latest pod berth is aware of")
	return cmd
}

// sortPods orders pod ps rows as podman does (created: newest first).
func sortPods(pods []service.ListPod, by string) error {
	var less func(a, b service.ListPod) bool
	switch by {
	case "created":
		less = func(a, b service.ListPod) bool { return a.Created.After(b.Created) }
	case "id":
		less = func(a, b service.ListPod) bool { return a.ID < b.ID }
	case "name":
		less = func(a, b service.ListPod) bool { return a.Name < b.Name }
	case "number":
		less = func(a, b service.ListPod) bool { return len(a.Containers) < len(b.Containers) }
	case "status":
		less = func(a, b service.ListPod) bool { return a.Status < b.Status }
	default:
		return usageError("invalid option for --sort, options are: created, id, name, number, or status")
	}
	sort.SliceStable(pods, func(i, j int) bool { return less(pods[i], pods[j]) })
	return nil
}
