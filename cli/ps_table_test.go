package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/berth-dev/berth/cli/format"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
)

// The hand-written default table must print exactly what the template
// path prints for the same default format.
func TestPsTableMatchesTemplate(t *testing.T) {
	now := time.Now()
	rows := []*service.ListContainer{
		{ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Image: "localhost/busybox:latest",
			Command: []string{"sh", "-c", "while true; do sleep 1; done"}, Created: now.Add(-time.Minute), Status: "Up 3 seconds",
			Names: []string{"web"}, Ports: []define.PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}},
			Size: &service.ContainerSize{RwSize: 1000, RootFsSize: 2000000}},
		{ID: "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", Image: "localhost/other:1",
			Command: []string{"true"}, Created: now.Add(-2 * time.Hour), Status: "Exited (0) 2 hours ago", Names: []string{"x"}},
	}
	for _, tc := range []struct{ noTrunc, size, noHeading bool }{{false, false, false}, {true, true, false}, {false, false, true}} {
		def := "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
		if tc.size {
			def += "\t{{.Size}}"
		}
		items := []any{psRow{rows[0], tc.noTrunc}, psRow{rows[1], tc.noTrunc}}
		var want, got bytes.Buffer
		if err := format.Execute(&want, "", items, format.WithDefaultTable(def), format.WithHeaders(psHeaders), format.WithNoHeading(tc.noHeading)); err != nil {
			t.Fatal(err)
		}
		if err := writePsTable(&got, rows, tc.noTrunc, tc.size, tc.noHeading); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%+v: fast table =\n%s\ntemplate table =\n%s", tc, got.String(), want.String())
		}
	}
}

// {{.Label "k"}} (docker) and {{.Labels.k}} (podman's map) both print the
// label's value.
func TestPsFormatLabel(t *testing.T) {
	row := psRow{ListContainer: &service.ListContainer{ID: "0123456789abcdef", Labels: map[string]string{"app": "web"}}}
	bare := psRow{ListContainer: &service.ListContainer{ID: "0123456789abcdef"}}
	for _, tc := range []struct {
		item       psRow
		tmpl, want string
	}{
		{row, `{{.Label "app"}}`, "web\n"},
		{row, `{{.Labels.app}}`, "web\n"},
		{row, `{{.Label "none"}}|{{.Labels}}`, "|map[app:web]\n"},
		{bare, `{{.Label "app"}}|{{.Labels.app}}`, "|<no value>\n"},
	} {
		var out bytes.Buffer
		if err := format.Execute(&out, tc.tmpl, []any{tc.item}); err != nil {
			t.Errorf("%s: %v", tc.tmpl, err)
			continue
		}
		if out.String() != tc.want {
			t.Errorf("%s = %q, want %q", tc.tmpl, out.String(), tc.want)
		}
	}
}
