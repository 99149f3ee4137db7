package format

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/berth-dev/berth/internal/errdefs"
)

type ctr struct {
	ID      string
	Names   []string
	Image   string
	ImageID string
	Labels  map[string]string
	Size    int64
	Cmd     string
}

var ctrs = []any{
	ctr{ID: "abc123", Names: []string{"web"}, Image: "busybox", ImageID: "i1", Labels: map[string]string{"app": "x"}, Size: 1234567, Cmd: "a && b"},
	ctr{ID: "def4567890", Names: []string{"db", "alias"}, Image: "alpine:latest", ImageID: "i2", Size: 10},
}

var psHeaders = map[string]string{"ID": "CONTAINER ID", "Names": "NAMES"}

func TestExecute(t *testing.T) {
	tests := []struct {
		name   string
		format string
		items  []any
		opts   []Option
		want   string
	}{
		{
			name:   "plain template per item",
			format: "{{.ID}}",
			items:  ctrs,
			want:   "abc123\ndef4567890\n",
		},
		{
			name:   "literal backslash t becomes a real tab, not aligned",
			format: `{{.ID}}\t{{.Image}}`,
			items:  ctrs,
			want:   "abc123\tbusybox\ndef4567890\talpine:latest\n",
		},
		{
			name:   "blanks between table fields become columns",
			format: `table {{.ID}} {{.Image}}`,
			items:  ctrs,
			want:   "ID          IMAGE\nabc123      busybox\ndef4567890  alpine:latest\n",
		},
		{
			name:   "trailing newline is not doubled",
			format: "{{.ID}}\n",
			items:  ctrs[:1],
			want:   "abc123\n",
		},
		{
			name:   "table with header overrides",
			format: `table {{.ID}}\t{{.Names}}`,
			items:  ctrs,
			opts:   []Option{WithHeaders(psHeaders)},
			want: "CONTAINER ID  NAMES\n" +
				"abc123        [web]\n" +
				"def4567890    [db alias]\n",
		},
		{
			name:   "table header derived from camel case",
			format: "table {{.ImageID}}\t{{join .Names \",\"}}\t{{.Labels.app}}",
			items:  ctrs[:1],
			want: "IMAGE ID    NAMES       APP\n" +
				"i1          web         x\n",
		},
		{
			name:   "table with no items prints the header",
			format: `table {{.ID}}`,
			items:  nil,
			opts:   []Option{WithHeaders(psHeaders)},
			want:   "CONTAINER ID\n",
		},
		{
			name:   "noheading",
			format: `table {{.ID}}`,
			items:  ctrs,
			opts:   []Option{WithNoHeading(true)},
			want:   "abc123\ndef4567890\n",
		},
		{
			name:   "bare table uses the default",
			format: "table",
			items:  ctrs[:1],
			opts:   []Option{WithDefaultTable(`table {{.ID}}\t{{.Image}}`), WithHeaders(psHeaders)},
			want:   "CONTAINER ID  IMAGE\nabc123        busybox\n",
		},
		{
			name:   "empty format uses the default",
			format: "",
			items:  ctrs[:1],
			opts:   []Option{WithDefaultTable("table {{.ID}}\t{{.Image}}")},
			want:   "ID          IMAGE\nabc123      busybox\n",
		},
		{
			name:   "json func per item, no html escaping",
			format: "{{json .Cmd}}",
			items:  ctrs[:1],
			want:   "\"a && b\"\n",
		},
		{
			name:   "json of whole item",
			format: "{{json .Labels}}",
			items:  ctrs[:1],
			want:   "{\"app\":\"x\"}\n",
		},
		{
			name:   "string funcs",
			format: `{{upper .Image}} {{lower "ABC"}} {{title "hello world"}} {{truncate .ID 3}} [{{pad .Image 1 2}}] {{index (split .Image "b") 1}}`,
			items:  ctrs[:1],
			want:   "BUSYBOX abc Hello World abc [ busybox  ] usy\n",
		},
		{
			name:   "println builtin and humanSize",
			format: `{{humanSize .Size}}{{println}}`,
			items:  ctrs[:1],
			want:   "1.23MB\n\n",
		},
		{
			name:   "map items",
			format: "{{.name}}",
			items:  []any{map[string]any{"name": "n1"}},
			want:   "n1\n",
		},
		{
			name:   "if and range in table",
			format: `table {{if .Labels}}yes{{else}}no{{end}}\t{{range .Names}}{{.}};{{end}}`,
			items:  ctrs,
			want: "LABELS      NAMES\n" +
				"yes         web;\n" +
				"no          db;alias;\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Execute(&buf, tc.format, tc.items, tc.opts...); err != nil {
				t.Fatalf("Execute(%q) error: %v", tc.format, err)
			}
			if got := buf.String(); got != tc.want {
				t.Errorf("Execute(%q) =\n%q\nwant\n%q", tc.format, got, tc.want)
			}
		})
	}
}

func TestExecuteJSON(t *testing.T) {
	tests := []struct {
		name   string
		format string
		items  []any
		opts   []Option
		want   string
	}{
		{
			name:   "list indented by four spaces",
			format: "json",
			items:  []any{map[string]string{"Id": "a"}, map[string]string{"Id": "b<c"}},
			want:   "[\n    {\n        \"Id\": \"a\"\n    },\n    {\n        \"Id\": \"b<c\"\n    }\n]\n",
		},
		{
			name:   "empty list",
			format: " JSON ",
			items:  nil,
			want:   "[]\n",
		},
		{
			name:   "no default table falls back to json",
			format: "",
			items:  []any{1},
			want:   "[\n    1\n]\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Execute(&buf, tc.format, tc.items, tc.opts...); err != nil {
				t.Fatalf("Execute error: %v", err)
			}
			if got := buf.String(); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// A missing map key is no error: podman and docker print "<no value>".
func TestExecuteMissingMapKey(t *testing.T) {
	var buf bytes.Buffer
	if err := Execute(&buf, "{{.nope}}|{{.m.k}}", []any{map[string]any{"a": 1, "m": map[string]string{}}}); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "<no value>|<no value>\n" {
		t.Errorf("output %q, want %q", got, "<no value>|<no value>\n")
	}
}

func TestExecuteErrors(t *testing.T) {
	tests := []struct {
		name    string
		format  string
		items   []any
		wantMsg string
	}{
		{name: "missing struct field", format: "{{.Nope}}", items: ctrs, wantMsg: "can't evaluate field Nope"},
		{name: "parse error", format: "{{.ID", items: ctrs, wantMsg: "unclosed action"},
		{name: "unknown function", format: "{{frobnicate .ID}}", items: ctrs, wantMsg: "not defined"},
		{name: "missing field in table", format: "table {{.ID}}\t{{.Nope}}", items: ctrs, wantMsg: "can't evaluate field Nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Execute(&buf, tc.format, tc.items)
			if err == nil {
				t.Fatalf("Execute(%q) = nil error, output %q; want error", tc.format, buf.String())
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tc.wantMsg)
			}
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Errorf("error %v is not in the invalid-argument category", err)
			}
			var te *TemplateError
			if !errors.As(err, &te) || te.Format != tc.format {
				t.Errorf("error %v is not a *TemplateError for %q", err, tc.format)
			}
			if buf.Len() != 0 {
				t.Errorf("output written despite error: %q", buf.String())
			}
		})
	}
}

func TestWithFuncs(t *testing.T) {
	var buf bytes.Buffer
	err := Execute(&buf, "{{shout .Image}}", ctrs[:1], WithFuncs(template.FuncMap{
		"shout": func(s string) string { return s + "!" },
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "busybox!\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTable(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		rows    [][]string
		want    string
	}{
		{
			name:    "aligned like podman",
			headers: []string{"Repository", "tag", "IMAGE ID"},
			rows:    [][]string{{"localhost/busybox", "latest", "0123456789ab"}, {"x", "1", "y"}},
			want: "REPOSITORY         TAG         IMAGE ID\n" +
				"localhost/busybox  latest      0123456789ab\n" +
				"x                  1           y\n",
		},
		{
			name:    "headers only",
			headers: []string{"name"},
			want:    "NAME\n",
		},
		{
			name: "no headers",
			rows: [][]string{{"a", "b"}},
			want: "a           b\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			Table(&buf, tc.headers, tc.rows)
			if got := buf.String(); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{{.ID}}", "{{.ID}}\n"},
		{`table {{.ID}}\t{{.Names}}`, "{{.ID}}\t{{.Names}}\n"},
		{"table", "\n"},
		{`{{.A}}\n{{.B}}`, "{{.A}}\n{{.B}}\n"},
		{"tablex", "tablex\n"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSplitCamel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ID", "ID"},
		{"ImageID", "Image ID"},
		{"CreatedAt", "Created At"},
		{"HTTPPort", "HTTP Port"},
		{"Names", "Names"},
		{"RunningFor", "Running For"},
		{"app", "app"},
	}
	for _, tc := range tests {
		if got := strings.Join(splitCamel(tc.in), " "); got != tc.want {
			t.Errorf("splitCamel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{500 * time.Millisecond, "Less than a second"},
		{time.Second, "1 second"},
		{3 * time.Second, "3 seconds"},
		{70 * time.Second, "About a minute"},
		{5 * time.Minute, "5 minutes"},
		{time.Hour, "About an hour"},
		{3 * time.Hour, "3 hours"},
		{50 * time.Hour, "2 days"},
	}
	for _, tc := range tests {
		if got := HumanDuration(tc.d); got != tc.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0B"},
		{512, "512B"},
		{1000, "1kB"},
		{4100, "4.1kB"},
		{1234567, "1.23MB"},
		{2_000_000_000, "2GB"},
	}
	for _, tc := range tests {
		if got := HumanSize(tc.n); got != tc.want {
			t.Errorf("HumanSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
