package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// eventItem is one event as podman's --format sees it: JSON keys and
// template fields.
type eventItem struct {
	ContainerExitCode *int              `json:"ContainerExitCode,omitempty"`
	ID                string            `json:"ID,omitempty"`
	Image             string            `json:"Image,omitempty"`
	Name              string            `json:"Name,omitempty"`
	Status            string            `json:"Status"`
	Time              time.Time         `json:"Time"`
	Type              string            `json:"Type"`
	Attributes        map[string]string `json:"Attributes"`
	// HealthStatus is the status a health_status event reports.
	HealthStatus string `json:"HealthStatus,omitempty"`
}

// TimeNano is the event time in nanoseconds since the epoch.
func (e eventItem) TimeNano() int64 { return e.Time.UnixNano() }

// human is podman's default one-line rendering.
func (e eventItem) human(noTrunc bool) string {
	id := e.ID
	if !noTrunc && len(id) > 12 {
		id = id[:12]
	}
	switch e.Type {
	case "container", "pod":
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %s %s (image=%s, name=%s", e.Time, e.Type, e.Status, id, e.Image, e.Name)
		keys := make([]string, 0, len(e.Attributes))
		for k := range e.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, ", %s=%s", k, e.Attributes[k])
		}
		b.WriteString(")")
		return b.String()
	case "volume":
		return fmt.Sprintf("%s %s %s %s", e.Time, e.Type, e.Status, e.Name)
	case "network":
		return fmt.Sprintf("%s %s %s %s (name=%s)", e.Time, e.Type, e.Status, id, e.Name)
	}
	return fmt.Sprintf("%s %s %s %s %s", e.Time, e.Type, e.Status, id, e.Name)
}

func newEventsCommand(d *Deps) *cobra.Command {
	var filters []string
	var fmtStr, since, until string
	var stream, noTrunc bool
	cmd := &cobra.Command{
		Use:   "events [options]",
		Short: "Show berth events",
		Long:  "Show the events of containers, images, networks and volumes from the events log, following new ones unless --stream=false.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			opts := service.EventsOptions{Follow: stream}
			var err error
			if opts.Since, err = parseTimeArg(since, now); err != nil {
				return usageError("invalid --since %q: %v", since, err)
			}
			if opts.Until, err = parseTimeArg(until, now); err != nil {
				return usageError("invalid --until %q: %v", until, err)
			}
			if opts.Filters, err = service.ParseEventFilters(filters); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			emit, err := eventPrinter(out, fmtStr, noTrunc)
			if err != nil {
				return err
			}
			rt, err := d.Runtime(cmd.Context())
			if err != nil {
				return err
			}
			return service.Events(cmd.Context(), rt, opts, func(ev define.Event) error {
				return emit(eventItem{ContainerExitCode: ev.ExitCode, ID: ev.ID, Image: ev.Image, Name: ev.Name,
					Status: ev.Status, Time: ev.Time, Type: ev.Type, Attributes: ev.Attributes,
					HealthStatus: ev.Attributes["health_status"]})
			})
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&filters, "filter", "f", nil, "filter output (container, event, image, label, network, pod, type, volume)")
	f.StringVar(&fmtStr, "format", "", "format the output as json or with a Go template")
	f.StringVar(&since, "since", "", "show all events created since timestamp")
	f.StringVar(&until, "until", "", "show all events created until timestamp")
	f.BoolVar(&stream, "stream", true, "stream new events; false prints the existing ones and exits")
	f.BoolVar(&noTrunc, "no-trunc", true, "do not truncate the output")
	return cmd
}

// eventPrinter returns the function that prints one event: podman's
// line, one JSON object per line, or a Go template.
func eventPrinter(out io.Writer, fmtStr string, noTrunc bool) (func(eventItem) error, error) {
	switch {
	case strings.TrimSpace(fmtStr) == "":
		return func(e eventItem) error {
			_, err := fmt.Fprintln(out, e.human(noTrunc))
			return err
		}, nil
	case format.IsJSON(fmtStr):
		return func(e eventItem) error {
			if e.Attributes == nil {
				e.Attributes = map[string]string{}
			}
			data, err := json.Marshal(e)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(out, "%s\n", data)
			return err
		}, nil
	}
	// Parse once up front so a bad template fails before anything runs.
	if err := format.Execute(io.Discard, fmtStr, nil); err != nil {
		return nil, err
	}
	return func(e eventItem) error {
		return format.Execute(out, fmtStr, []any{e})
	}, nil
}
