package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestImagesMoreFilters(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	bb := env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "user", "busybox", "true")
	other := env.MustBerth(t, "import", "--change", "LABEL k=v", busyboxTar, "other")
	listID := env.MustBerth(t, "manifest", "create", "mylist")
	short := func(id string) string { return strings.TrimPrefix(id, "sha256:")[:12] }

	for _, c := range []struct {
		filter string
		want   []string
	}{
		{"containers=true", []string{short(bb)}},
		{"containers=false", []string{short(other), short(listID)}},
		{"containers=user", []string{short(bb)}},
		{"manifest=true", []string{short(listID)}},
		{"readonly=true", nil},
		{"after=busybox", []string{short(listID), short(other)}},
		{"intermediate=false", []string{short(listID), short(other), short(bb)}},
	} {
		got := env.Berth("images", "-q", "--filter", c.filter).Lines()
		if strings.Join(sortedCopy(got), ",") != strings.Join(sortedCopy(c.want), ",") {
			t.Errorf("images --filter %s = %q, want %q", c.filter, got, c.want)
		}
	}
	// The API answers the same filters through the same code.
	for _, bad := range []string{"manifest=yes", "readonly=1", "bogus=1"} {
		r := env.Berth("images", "--filter", bad)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "invalid") {
			t.Errorf("images --filter %s: %s", bad, r)
		}
	}

	// --history shows the names the image had, latest first.
	env.MustBerth(t, "tag", "other", "renamed:v1")
	env.MustBerth(t, "untag", "other", "localhost/other:latest")
	out := env.MustBerth(t, "images", "--history", "--filter", "reference=renamed")
	lines := strings.Split(out, "\n")
	if len(lines) != 2 || !strings.HasSuffix(strings.Fields(lines[0])[len(strings.Fields(lines[0]))-1], "HISTORY") ||
		!strings.HasSuffix(lines[1], "localhost/renamed:v1, localhost/other:latest") {
		t.Errorf("images --history =\n%s", out)
	}
	if got := env.MustBerth(t, "images", "--format", "{{.History}}", "--filter", "reference=renamed"); got != "localhost/renamed:v1, localhost/other:latest" {
		t.Errorf("images --format {{.History}} = %q", got)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestManifestAnnotateExists(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	listID := env.MustBerth(t, "manifest", "create", "mylist")
	env.MustBerth(t, "manifest", "add", "mylist", "busybox")
	if r := env.Berth("manifest", "exists", "mylist"); r.ExitCode() != 0 {
		t.Errorf("manifest exists mylist: %s", r)
	}
	for _, name := range []string{"nosuch", "busybox"} {
		if r := env.Berth("manifest", "exists", name); r.ExitCode() != 1 || r.Stderr() != "" {
			t.Errorf("manifest exists %s: %s", name, r)
		}
	}
	var index struct {
		Annotations map[string]string
		Manifests   []struct {
			Digest   string
			Platform struct {
				Architecture, OS, Variant string
				OSVersion                 string `json:"os.version"`
			}
			Annotations map[string]string
		}
	}
	inspect := func() {
		t.Helper()
		if err := json.Unmarshal([]byte(env.MustBerth(t, "manifest", "inspect", "mylist")), &index); err != nil || len(index.Manifests) != 1 {
			t.Fatalf("manifest inspect: %v", err)
		}
	}
	inspect()
	dg := index.Manifests[0].Digest
	before := env.MustBerth(t, "manifest", "inspect", "mylist")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"mylist", "sha256:" + strings.Repeat("0", 64)}, "is not in manifest list"},
		{[]string{"mylist", "notadigest"}, "invalid image digest"},
		{[]string{"--annotation", "novalue", "mylist", dg}, `no value given for annotation "novalue"`},
		{[]string{"nosuch", dg}, "nosuch"},
		{[]string{"mylist"}, "requires exactly 2 arguments"},
	} {
		r := env.Berth(append([]string{"manifest", "annotate"}, c.args...)...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) {
			t.Errorf("manifest annotate %v: want %q, got %s", c.args, c.want, r)
		}
	}
	if after := env.MustBerth(t, "manifest", "inspect", "mylist"); after != before {
		t.Errorf("refused annotate changed the list:\n%s\n%s", before, after)
	}
	if got := env.MustBerth(t, "manifest", "annotate", "--arch", "arm", "--variant", "v7", "--os-version", "1.0",
		"--annotation", "org.test=yes", "mylist", dg); got != listID {
		t.Errorf("manifest annotate printed %q, want the list ID %s", got, listID)
	}
	env.MustBerth(t, "manifest", "annotate", "--index", "--annotation", "top=level", "mylist")
	inspect()
	m := index.Manifests[0]
	if m.Platform.Architecture != "arm" || m.Platform.Variant != "v7" || m.Platform.OSVersion != "1.0" ||
		m.Platform.OS != "linux" || m.Annotations["org.test"] != "yes" || index.Annotations["top"] != "level" {
		t.Errorf("after annotate: %+v", index)
	}
}
