package archtest

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// skinAllowed are the berth packages a skin (cli and api) may import: service is the one door into the engine, spec holds
// the user-intent types it fills, engine/define the plain records and
// sentinel errors it prints and matches, and internal/* the helpers.
// Everything else of the module (engine, engine/image, engine/events,
// spec/generate...) is reached through service.
var skinAllowed = []string{
	module + "/service",
	module + "/spec",
	module + "/engine/define",
	module + "/internal/",
}

// skinExceptions lists "file -> import" pairs a skin may keep while they
// wait to move behind service, each with why. It is empty: keep it so.
var skinExceptions = map[string]string{}

// skinImportOK reports whether a file of skin may import path.
func skinImportOK(skin, path string) bool {
	if !within(path, module) || within(path, module+"/"+skin) {
		return true
	}
	for _, a := range skinAllowed {
		if path == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(path, a)) {
			return true
		}
	}
	return false
}

// skinViolations returns one line per import of files (file name -> its
// imports) that skin may not have.
func skinViolations(skin string, files map[string][]string) []string {
	var out []string
	for f, imps := range files {
		for _, p := range imps {
			if !skinImportOK(skin, p) && skinExceptions[f+" -> "+p] == "" {
				out = append(out, f+" -> "+strings.TrimPrefix(p, module+"/"))
			}
		}
	}
	sort.Strings(out)
	return out
}

// fileImports parses every .go file (any build tag, tests included) of
// the packages under dir and returns each file's imports.
func fileImports(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}} {{.Dir}}", module+"/"+dir+"/...").Output()
	if err != nil {
		t.Fatalf("go list %s: %v", dir, err)
	}
	files := map[string][]string{}
	fset := token.NewFileSet()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, d, _ := strings.Cut(line, " ")
		names, err := filepath.Glob(filepath.Join(d, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatalf("parse %s: %v", name, err)
			}
			rel := strings.TrimPrefix(pkg, module+"/") + "/" + filepath.Base(name)
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				files[rel] = append(files[rel], p)
			}
		}
	}
	if len(files) == 0 {
		t.Fatalf("no Go files found under %s", dir)
	}
	return files
}

// TestCLIUsesOnlyService keeps service the only way from the CLI into the
// engine, so that the REST API can be a second thin skin over the same
// calls.
func TestCLIUsesOnlyService(t *testing.T) {
	for _, v := range skinViolations("cli", fileImports(t, "cli")) {
		t.Errorf("cli must reach the engine through service: %s", v)
	}
}

// TestAPIUsesOnlyService holds the REST API to the same door: it and the
// CLI are two skins over the same service calls.
func TestAPIUsesOnlyService(t *testing.T) {
	for _, v := range skinViolations("api", fileImports(t, "api")) {
		t.Errorf("api must reach the engine through service: %s", v)
	}
}

func TestSkinViolations(t *testing.T) {
	m := func(s string) string { return module + "/" + s }
	tests := []struct {
		name string
		imps []string
		want int
	}{
		{"service, spec, define, internal, own subpackage, others", []string{m("service"), m("spec"), m("engine/define"), m("internal/errdefs"), m("cli/format"), "fmt", "github.com/spf13/cobra"}, 0},
		{"engine", []string{m("engine")}, 1},
		{"engine subsystems", []string{m("engine/image"), m("engine/events"), m("engine/oci")}, 3},
		{"spec/generate", []string{m("spec/generate")}, 1},
		{"another skin", []string{m("api")}, 1},
		{"a name that only starts like an allowed one", []string{m("servicex"), m("internalx")}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := skinViolations("cli", map[string][]string{"cli/x.go": tc.imps})
			if len(got) != tc.want {
				t.Errorf("violations = %q, want %d", got, tc.want)
			}
		})
	}
}
