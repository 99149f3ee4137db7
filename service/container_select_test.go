package service

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

func TestSelectionValidate(t *testing.T) {
	tests := []struct {
		sel   Selection
		names []string
		want  string // "" is valid
	}{
		{Selection{}, []string{"a"}, ""},
		{Selection{All: true}, nil, ""},
		{Selection{All: true, Filters: []string{"name=a"}}, nil, ""},
		{Selection{Filters: []string{"name=a"}}, nil, ""},
		{Selection{}, nil, "you must provide at least one name or id"},
		{Selection{All: true}, []string{"a"}, "no arguments are needed with --all"},
		{Selection{All: true, Latest: true}, nil, "--all and --latest cannot be used together"},
		{Selection{Latest: true}, []string{"a"}, "no arguments are needed with --latest or --cidfile"},
		{Selection{CIDFiles: []string{"f"}}, []string{"a"}, "no arguments are needed with --latest or --cidfile"},
		{Selection{CIDFiles: []string{"f"}, All: true}, nil, "--all, --latest, and --cidfile cannot be used together"},
		{Selection{Filters: []string{"name=a"}}, []string{"a"}, "--filter takes no arguments"},
	}
	for _, tt := range tests {
		err := tt.sel.Validate(tt.names)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v %q: got %v, want valid", tt.sel, tt.names, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want) || !errors.Is(err, define.ErrInvalidArg)):
			t.Errorf("%+v %q: got %v, want %q (invalid argument)", tt.sel, tt.names, err, tt.want)
		}
	}
}

func TestReadCIDFiles(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "cid")
	if err := os.WriteFile(f, []byte("abc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "none")
	if got, err := ReadCIDFiles([]string{f, missing}, true); err != nil || !slices.Equal(got, []string{"abc"}) {
		t.Errorf("with ignore: got %q, %v; want [abc]", got, err)
	}
	if _, err := ReadCIDFiles([]string{missing}, false); err == nil || !strings.HasPrefix(err.Error(), "reading CIDFile: ") {
		t.Errorf("missing without ignore: got %v, want reading CIDFile error", err)
	}
}

func TestSortRowsAndPortFilter(t *testing.T) {
	rows := []*ListContainer{{Names: []string{"b"}}, {Names: []string{"a"}}}
	if err := SortRows(rows, "names"); err != nil || rows[0].Names[0] != "a" {
		t.Errorf("SortRows names: %v, first %s", err, rows[0].Names[0])
	}
	if err := SortRows(rows, "bogus"); err == nil || !strings.HasPrefix(err.Error(), "invalid option for --sort, options are: command, created") {
		t.Errorf("SortRows bogus: %v", err)
	}
	ports := []define.PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp", Range: 3}}
	for v, want := range map[string]bool{"82": true, "83": false, "70-80/tcp": true, "80/udp": false, "8080": false} {
		if got := matchOne("publish", v, &ListContainer{Ports: ports}); got != want {
			t.Errorf("publish=%s: got %v, want %v", v, got, want)
		}
	}
	if !portMatches("82", ports) || portMatches("83", ports) {
		t.Errorf("expose over a range of 3 from 80 should match 82, not 83")
	}
}
