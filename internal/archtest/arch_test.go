package archtest

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/berth-dev/berth"

// buildTags are the tags every berth build uses; a file excluded by them
// does not count.
const buildTags = "exclude_graphdriver_btrfs,containers_image_openpgp"

// leafEngine are the engine subsystems below engine itself. They must not
// import engine, nor one another, except where allowedSibling says so.
var leafEngine = []string{"state", "lock", "oci", "network", "storage", "image", "events", "secrets"}

// allowedSibling lists the only permitted arrows between leaf subsystems:
// images are stored through the storage wrapper.
var allowedSibling = map[[2]string]bool{
	{"image", "storage"}: true,
}

// defineAllowed are the non-stdlib prefixes engine/define may depend on: it is
// the leaf of records and sentinel errors and must never reach code that acts.
var defineAllowed = []string{
	module + "/internal/errdefs",
	"github.com/opencontainers/runtime-spec/",
	"github.com/opencontainers/image-spec/",
	"github.com/opencontainers/go-digest",
}

// within reports whether pkg is base or one of its subpackages.
func within(pkg, base string) bool {
	return pkg == base || strings.HasPrefix(pkg, base+"/")
}

// isStdlib reports whether an import path belongs to the standard library
// (its first element has no dot), which every package may use.
func isStdlib(pkg string) bool {
	first, _, _ := strings.Cut(pkg, "/")
	return !strings.Contains(first, ".")
}

// leafOf returns the engine subsystem pkg belongs to ("state" for
// engine/state/statetest), or "" when it is not under one.
func leafOf(pkg string) string {
	for _, l := range leafEngine {
		if within(pkg, module+"/engine/"+l) {
			return l
		}
	}
	return ""
}

// violations checks every package of the module against the arrows, given
// each package's transitive dependencies, and returns one line per broken
// arrow, sorted.
func violations(deps map[string][]string) []string {
	var out []string
	bad := func(pkg, dep, why string) {
		out = append(out, fmt.Sprintf("%s -> %s: %s", strings.TrimPrefix(pkg, module+"/"), strings.TrimPrefix(dep, module+"/"), why))
	}
	upper := []string{module + "/cli", module + "/api", module + "/service", module + "/spec", module + "/cmd", module + "/kube"}
	for pkg, ds := range deps {
		for _, dep := range ds {
			switch {
			case within(pkg, module+"/engine"):
				for _, u := range upper {
					if within(dep, u) {
						bad(pkg, dep, "engine must not import the layers above it")
					}
				}
				if within(pkg, module+"/engine/define") {
					if !isStdlib(dep) && !slices.ContainsFunc(defineAllowed, func(p string) bool {
						return dep == p || strings.HasPrefix(dep, p)
					}) {
						bad(pkg, dep, "engine/define may import only the stdlib, internal/errdefs and the OCI spec types")
					}
				}
				if l := leafOf(pkg); l != "" {
					if dep == module+"/engine" {
						bad(pkg, dep, "engine subsystems must not import engine")
					}
					if dl := leafOf(dep); dl != "" && dl != l && !allowedSibling[[2]string{l, dl}] {
						bad(pkg, dep, "engine subsystems must not import each other")
					}
				}
			case within(pkg, module+"/service"):
				if within(dep, module+"/cli") || within(dep, module+"/api") {
					bad(pkg, dep, "service must not import cli or api")
				}
			case within(pkg, module+"/systemd"):
				// Unit generation is text over plain records: service
				// looks the objects up and calls it.
				for _, u := range append(upper, module+"/engine") {
					if within(dep, u) {
						bad(pkg, dep, "systemd may not import the engine or the layers above it")
					}
				}
			case within(pkg, module+"/kube"):
				// kube translates YAML to and from spec intent and
				// define's records; service drives it, so it must not
				// reach the engine, spec/generate or the layers above.
				if within(dep, module+"/engine") && dep != module+"/engine/define" ||
					within(dep, module+"/spec/generate") || within(dep, module+"/service") ||
					within(dep, module+"/cli") || within(dep, module+"/api") {
					bad(pkg, dep, "kube may use only spec and engine/define of berth")
				}
			case pkg == module+"/spec":
				if within(dep, module+"/engine") && dep != module+"/engine/define" {
					bad(pkg, dep, "spec may use only engine/define from the engine")
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// listDeps runs `go list` once over the whole module and returns each
// package's transitive (non-test) dependencies.
func listDeps(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-tags", buildTags,
		"-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	deps := make(map[string][]string)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		deps[fields[0]] = fields[1:]
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read go list output: %v", err)
	}
	return deps
}

func TestDependencyArrows(t *testing.T) {
	deps := listDeps(t)
	if _, ok := deps[module+"/engine/define"]; !ok {
		t.Fatalf("go list did not report %s/engine/define; listed %d packages", module, len(deps))
	}
	for _, v := range violations(deps) {
		t.Errorf("broken dependency arrow: %s", v)
	}
}

// TestViolations proves the checker catches each kind of broken arrow, so a
// green TestDependencyArrows means something.
func TestViolations(t *testing.T) {
	m := func(s string) string { return module + "/" + s }
	tests := []struct {
		name string
		pkg  string
		deps []string
		want int
	}{
		{"engine imports service", m("engine"), []string{m("service")}, 1},
		{"engine subsystem imports spec/generate", m("engine/oci"), []string{m("spec/generate")}, 1},
		{"engine imports cli and api", m("engine"), []string{m("cli/format"), m("api/types")}, 2},
		{"engine imports its subsystems and internal", m("engine"), []string{m("engine/state"), m("engine/oci"), m("internal/idgen"), "fmt"}, 0},
		{"define imports stdlib and spec types", m("engine/define"), []string{"fmt", m("internal/errdefs"), "github.com/opencontainers/runtime-spec/specs-go", "github.com/opencontainers/image-spec/specs-go/v1", "github.com/opencontainers/go-digest"}, 0},
		{"define imports storage library", m("engine/define"), []string{"go.podman.io/storage"}, 1},
		{"define imports another internal package", m("engine/define"), []string{m("internal/idgen")}, 1},
		{"subsystem imports engine", m("engine/state"), []string{m("engine"), m("engine/define")}, 1},
		{"subsystem imports sibling", m("engine/oci"), []string{m("engine/network")}, 1},
		{"subpackage imports sibling", m("engine/state/statetest"), []string{m("engine/state"), m("engine/lock")}, 1},
		{"image imports storage", m("engine/image"), []string{m("engine/storage")}, 0},
		{"storage imports image", m("engine/storage"), []string{m("engine/image")}, 1},
		{"service imports cli", m("service"), []string{m("cli")}, 1},
		{"service imports engine and spec", m("service"), []string{m("engine"), m("spec/generate"), m("spec")}, 0},
		{"spec imports engine", m("spec"), []string{m("engine")}, 1},
		{"spec imports define", m("spec"), []string{m("engine/define")}, 0},
		{"spec/generate imports engine", m("spec/generate"), []string{m("engine")}, 0},
		{"cli imports everything", m("cli"), []string{m("service"), m("engine"), m("api")}, 0},
		{"systemd imports engine/define", m("systemd"), []string{m("engine/define")}, 1},
		{"quadlet imports service", m("systemd/quadlet"), []string{m("service"), m("cli")}, 2},
		{"quadlet imports go-systemd", m("systemd/quadlet"), []string{"github.com/coreos/go-systemd/v22/unit", "os"}, 0},
		{"service imports systemd", m("service"), []string{m("systemd"), m("systemd/quadlet")}, 0},
		{"engine imports kube", m("engine"), []string{m("kube")}, 1},
		{"kube imports spec and define", m("kube"), []string{m("spec"), m("engine/define"), m("internal/errdefs"), "k8s.io/api/core/v1"}, 0},
		{"kube imports engine and generate", m("kube"), []string{m("engine"), m("spec/generate")}, 2},
		{"kube imports service", m("kube"), []string{m("service")}, 1},
		{"service imports kube", m("service"), []string{m("kube")}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := violations(map[string][]string{tc.pkg: tc.deps})
			if len(got) != tc.want {
				t.Errorf("violations = %q, want %d", got, tc.want)
			}
		})
	}
}

// leanForbidden are the packages (exactly these; their small subpackages
// such as docker/reference are fine) the lean CLI (tag berth_lean) must not link:
// image/v5's copy machinery, transports, signature policy and registry
// client, whose initialisation would cost every command its start-up.
var leanForbidden = []string{
	"go.podman.io/image/v5/copy",
	"go.podman.io/image/v5/docker",
	"go.podman.io/image/v5/signature",
	"go.podman.io/image/v5/storage",
	"go.podman.io/image/v5/oci/layout",
	"github.com/containers/ocicrypt",
	"google.golang.org/grpc",
	module + "/api",
	// k8s.io/api and its machinery are large; only kube play/generate
	// need them.
	"k8s.io/api/core/v1",
	module + "/kube",
}

// TestLeanBuildLinksNoTransfer checks what the lean cmd/berth links, and
// that the same list does catch the complete build.
func TestLeanBuildLinksNoTransfer(t *testing.T) {
	deps := func(tags string) []string {
		out, err := exec.Command("go", "list", "-tags", tags, "-deps", module+"/cmd/berth").Output()
		if err != nil {
			t.Fatalf("go list -tags %s: %v", tags, err)
		}
		return strings.Fields(string(out))
	}
	forbidden := func(list []string) []string {
		var bad []string
		for _, p := range list {
			if slices.Contains(leanForbidden, p) {
				bad = append(bad, p)
			}
		}
		return bad
	}
	if bad := forbidden(deps(buildTags + ",berth_lean")); len(bad) > 0 {
		t.Errorf("the lean build links %s", strings.Join(bad, ", "))
	}
	if bad := forbidden(deps(buildTags)); len(bad) < len(leanForbidden) {
		t.Errorf("the complete build links only %v of %v: is the list stale?", bad, leanForbidden)
	}
}
