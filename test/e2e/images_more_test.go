package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
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

func TestImageMountUnmountDiff(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	bb := env.ImportBusybox(t)
	ctr := env.MustBerth(t, "create", "busybox", "sh", "-c", "echo hi > /newfile; rm /bin/ls")
	env.MustBerth(t, "start", "-a", ctr)
	env.MustBerth(t, "commit", ctr, "bb2")

	for _, args := range [][]string{{"image", "diff", "bb2"}, {"diff", "bb2"}} {
		out := env.MustBerth(t, args...)
		if !strings.Contains(out, "A /newfile") || !strings.Contains(out, "D /bin/ls") || strings.Contains(out, "A /bin/sh") {
			t.Errorf("%v =\n%s", args, out)
		}
	}
	if got := env.MustBerth(t, "image", "diff", "--format", "json", "bb2"); !strings.Contains(got, `"added"`) || !strings.Contains(got, `"/newfile"`) {
		t.Errorf("image diff --format json = %s", got)
	}
	// Against another image: what bb2 changed relative to busybox.
	if out := env.MustBerth(t, "image", "diff", "bb2", "busybox"); !strings.Contains(out, "A /newfile") {
		t.Errorf("image diff bb2 busybox =\n%s", out)
	}
	if r := env.Berth("image", "diff", "nosuch"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuch: image not known") {
		t.Errorf("image diff nosuch: %s", r)
	}

	mp := env.MustBerth(t, "image", "mount", "busybox")
	if _, err := os.Stat(filepath.Join(mp, "bin", "sh")); err != nil {
		t.Fatalf("image mount printed %q: %v", mp, err)
	}
	if err := os.WriteFile(filepath.Join(mp, "x"), nil, 0o644); err == nil {
		t.Errorf("a mounted image is writable")
	}
	if got := env.MustBerth(t, "image", "mount"); got != "localhost/busybox:latest\t"+mp {
		t.Errorf("image mount (list) = %q", got)
	}
	var docs []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "image", "mount", "--format", "json")), &docs); err != nil ||
		len(docs) != 1 || docs[0]["id"] != strings.TrimPrefix(bb, "sha256:") || docs[0]["mountpoint"] != mp {
		t.Errorf("image mount --format json = %v (%v)", docs, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"image", "mount", "--all", "busybox"}, "when using the --all switch, you may not pass any image names or IDs"},
		{[]string{"image", "mount", "nosuch"}, "nosuch: image not known"},
		{[]string{"image", "mount", "--format", "table", "busybox"}, "unknown --format argument"},
		{[]string{"image", "unmount"}, "image name or ID must be specified"},
		{[]string{"image", "unmount", "bb2"}, "image bb2 is not mounted"},
	} {
		if r := env.Berth(c.args...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) {
			t.Errorf("%v: want %q, got %s", c.args, c.want, r)
		}
	}
	if got := env.MustBerth(t, "image", "umount", "busybox"); got != strings.TrimPrefix(bb, "sha256:") {
		t.Errorf("image umount printed %q", got)
	}
	if got := env.MustBerth(t, "image", "mount"); got != "" {
		t.Errorf("mounted after unmount: %q", got)
	}
	env.MustBerth(t, "image", "mount", "--all")
	if got := env.Berth("image", "mount").Lines(); len(got) != 2 {
		t.Errorf("after mount --all: %q", got)
	}
	env.MustBerth(t, "image", "unmount", "--all")
	if got := env.MustBerth(t, "image", "mount"); got != "" {
		t.Errorf("mounted after unmount --all: %q", got)
	}
}

func TestPullRetry(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	// Nothing listens on port 1: every try is refused, and retried.
	r := env.Berth("pull", "--tls-verify=false", "--retry", "2", "--retry-delay", "10ms", "127.0.0.1:1/x")
	if r.ExitCode() != 125 || strings.Count(r.Stderr(), "Warning: Failed, retrying in 10ms ... (") != 2 ||
		!strings.Contains(r.Stderr(), "(2/2)") || !strings.Contains(r.Stderr(), "connection refused") {
		t.Errorf("pull --retry 2:\n%s", r)
	}
	if r := env.Berth("pull", "--tls-verify=false", "--retry", "0", "127.0.0.1:1/x"); r.ExitCode() != 125 || strings.Contains(r.Stderr(), "retrying") {
		t.Errorf("pull --retry 0:\n%s", r)
	}
	for _, bad := range []string{"xx", "-1s"} {
		if r := env.Berth("pull", "--retry-delay", bad, "x"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `invalid --retry-delay "`+bad+`"`) {
			t.Errorf("pull --retry-delay %s:\n%s", bad, r)
		}
	}
	if r := env.Berth("pull", "--retry", "-1", "x"); r.ExitCode() != 125 {
		t.Errorf("pull --retry -1:\n%s", r)
	}
}

// TestPullTagAndDigest pulls busybox:v1@sha256:… as podman does: the
// digest decides, the tag is ignored.
func TestPullTagAndDigest(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	id := env.ImportBusybox(t)
	ref := reg.Ref("bb:v1")
	env.MustBerth(t, "push", "-q", "--tls-verify=false", "busybox", ref)
	fresh := NewEnv(t)
	fresh.MustBerth(t, "pull", "-q", "--tls-verify=false", ref)
	dg := fresh.MustBerth(t, "image", "inspect", "--format", "{{.Digest}}", ref)
	other := NewEnv(t)
	got := other.MustBerth(t, "pull", "-q", "--tls-verify=false", reg.Addr+"/bb:nosuchtag@"+dg)
	if got != strings.TrimPrefix(id, "sha256:") {
		t.Errorf("pull of tag@digest gave %q, want %s", got, id)
	}
	if r := other.Berth("image", "exists", reg.Addr+"/bb@"+dg); r.ExitCode() != 0 {
		t.Errorf("image not stored by digest: %s", r)
	}
}

func TestUntagMessages(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "tag", "busybox", "a:1")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"untag", "nosuch"}, "Error: nosuch: image not known"},
		{[]string{"untag", "busybox", "other:1"}, "Error: localhost/other:1: tag not known"},
	} {
		if r := env.Berth(c.args...); r.ExitCode() != 125 || strings.TrimSpace(r.Stderr()) != c.want {
			t.Errorf("%v: want %q, got %s", c.args, c.want, r)
		}
	}
	// podman's untag prints nothing.
	if r := env.Berth("untag", "busybox", "a:1"); r.ExitCode() != 0 || r.Stdout() != "" || r.Stderr() != "" {
		t.Errorf("untag busybox a:1: %s", r)
	}
	if got := env.MustBerth(t, "images", "--format", "{{.Repository}}:{{.Tag}}"); got != "localhost/busybox:latest" {
		t.Errorf("images after untag = %q", got)
	}
}
