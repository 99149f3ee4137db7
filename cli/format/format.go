// Package format prints command output the way podman and docker do: aligned
// tables, JSON, and user Go templates given with --format.
//
// Users script against these outputs (`--format '{{.ID}}'`, `--format json`),
// so the parsing rules follow podman: "json" prints a pretty JSON array,
// "table ..." prints a header row and aligned columns, anything else is a Go
// template run once per item; a literal `\t` or `\n` typed by the user becomes
// a real tab or newline.
package format

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/berth-dev/berth/internal/errdefs"
)

// tableBlanks matches the blanks between two actions of a table format.
var tableBlanks = regexp.MustCompile(`\}\}[ ]+\{\{`)

// Tabwriter settings of podman's report package: cells at least 12 wide,
// separated by 2 spaces. Keeping them lets scripts that cut columns of
// podman's output by position work unchanged.
const (
	tabMinWidth = 12
	tabWidth    = 2
	tabPadding  = 2
)

// Option changes how Execute prints.
type Option func(*options)

type options struct {
	headers      map[string]string
	defaultTable string
	noHeading    bool
	funcs        template.FuncMap
}

// WithHeaders overrides the column header derived from a template field, so
// that a command can print "CONTAINER ID" for {{.ID}} like podman ps. Keys are
// field names as written in the template without the leading dot ("ID",
// "Config.Image"); a key matching the first field of a chain also applies.
func WithHeaders(h map[string]string) Option {
	return func(o *options) { o.headers = h }
}

// WithDefaultTable sets the template used for an empty format or a bare
// "table", i.e. the command's default columns (for example
// "table {{.ID}}\t{{.Image}}\t{{.Names}}").
func WithDefaultTable(format string) Option {
	return func(o *options) { o.defaultTable = format }
}

// WithNoHeading drops the header row of table output (--noheading).
func WithNoHeading(noHeading bool) Option {
	return func(o *options) { o.noHeading = noHeading }
}

// WithFuncs adds template functions beyond the podman-compatible set, for a
// command that documents extra ones. They override the defaults by name.
func WithFuncs(funcs template.FuncMap) Option {
	return func(o *options) { o.funcs = funcs }
}

// TemplateError is a --format value that cannot be parsed or executed, for
// example one naming a field the items do not have. It is in the
// invalid-argument category so the CLI maps it to exit code 125.
type TemplateError struct {
	Format string
	Err    error
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("format %q: %v", e.Format, e.Err)
}

// Unwrap returns the underlying error and the invalid-argument category.
func (e *TemplateError) Unwrap() []error { return []error{e.Err, errdefs.ErrInvalidArgument} }

// IsJSON reports whether format asks for the whole list as one JSON document
// ("json", any case, surrounding blanks ignored), as podman's --format json.
func IsJSON(format string) bool {
	return strings.EqualFold(strings.TrimSpace(format), "json")
}

// IsTable reports whether format prints a header row and aligned columns:
// empty, "table" or "table <template>".
func IsTable(format string) bool {
	f := strings.TrimSpace(format)
	return f == "" || f == "table" || strings.HasPrefix(f, "table ") || strings.HasPrefix(f, "table\t")
}

// Execute prints items to w according to format:
//   - "json": items as a JSON array indented by 4 spaces (an empty list is []);
//   - "" or "table": the default table (WithDefaultTable), or a plain JSON
//     array when the command has none;
//   - "table TEMPLATE": a header row derived from the template's fields, then
//     one row per item, aligned;
//   - any other TEMPLATE: run once per item, each followed by a newline.
//
// Nothing is written when the template fails on any item, so a typo in a
// field name yields an error instead of half a table.
func Execute(w io.Writer, format string, items []any, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if items == nil {
		items = []any{}
	}
	f := strings.TrimSpace(format)
	if f == "" || f == "table" {
		if o.defaultTable == "" {
			return JSON(w, items)
		}
		f = o.defaultTable
	}
	if IsJSON(f) {
		return JSON(w, items)
	}

	table := IsTable(f)
	body := Normalize(f)
	// A missing map key prints "<no value>" as in podman and docker
	// ({{.Labels.nokey}}, {{.Config.Labels.nokey}}); a missing struct
	// field is still an error.
	tmpl, err := template.New("format").Funcs(funcMap(o.funcs)).Parse(body)
	if err != nil {
		return &TemplateError{Format: format, Err: err}
	}

	var buf bytes.Buffer
	if table && !o.noHeading {
		buf.WriteString(headerRow(tmpl, o.headers))
	}
	for _, item := range items {
		if err := tmpl.Execute(&buf, item); err != nil {
			return &TemplateError{Format: format, Err: err}
		}
	}
	if !table {
		// A plain template prints exactly what it says: scripts cut
		// its tabs.
		_, err := w.Write(buf.Bytes())
		return err
	}
	// tabwriter emits cell by cell: buffer so a long table is one write.
	bw := bufio.NewWriterSize(w, 64*1024)
	tw := tabwriter.NewWriter(bw, tabMinWidth, tabWidth, tabPadding, ' ', 0)
	if _, err := tw.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// Normalize turns a user's --format value into the Go template that runs for
// each item: the "table" keyword is dropped, the two-character sequences `\t`
// and `\n` become a tab and a newline (shells pass them literally), and a
// final newline is added when missing, as podman does.
func Normalize(format string) string {
	f := strings.TrimSpace(format)
	table := IsTable(f)
	if f == "table" {
		f = ""
	} else if strings.HasPrefix(f, "table ") || strings.HasPrefix(f, "table\t") {
		f = strings.TrimLeft(f[len("table"):], " \t")
	}
	if table {
		// "table {{.A}} {{.B}}": blanks between fields separate columns,
		// as in podman.
		f = tableBlanks.ReplaceAllString(f, "}}\t{{")
	}
	f = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(f)
	if !strings.HasSuffix(f, "\n") {
		f += "\n"
	}
	return f
}

// JSON writes v as JSON indented by 4 spaces, the layout of podman inspect
// and --format json. HTML characters are not escaped so commands such as
// "a && b" stay readable.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	return nil
}

// Table writes headers (upper-cased) and rows as aligned columns, for commands
// that build their cells themselves instead of through a template.
func Table(w io.Writer, headers []string, rows [][]string) {
	tw := tabwriter.NewWriter(w, tabMinWidth, tabWidth, tabPadding, ' ', 0)
	if len(headers) > 0 {
		up := make([]string, len(headers))
		for i, h := range headers {
			up[i] = strings.ToUpper(h)
		}
		fmt.Fprintln(tw, strings.Join(up, "\t"))
	}
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}
