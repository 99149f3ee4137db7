package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestImagePruneUntagHistory covers the local image verbs of the images
// issue: untag, image prune (dangling, -a, filters, in-use images kept),
// history, images filters/--sort/--digests and rmi by digest.
func TestImagePruneUntagHistory(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	ids := rgImportFixtures(t, env)

	// history: newest first, the top entry carries the image ID.
	lines := env.MustBerth(t, "history", rgTwoLayer)
	rows := strings.Split(lines, "\n")
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "ID") || !strings.Contains(rows[0], "CREATED BY") ||
		!strings.HasPrefix(rows[1], ids[rgTwoLayer][:12]) || !strings.HasPrefix(rows[2], "<missing>") ||
		!strings.Contains(rows[1], "fixture layer B") {
		t.Errorf("history:\n%s", lines)
	}
	if got := env.MustBerth(t, "history", "-q", "--no-trunc", rgTwoLayer); got != ids[rgTwoLayer]+"\n<missing>" {
		t.Errorf("history -q --no-trunc = %q", got)
	}
	if got := env.MustBerth(t, "history", "--format", "{{.CreatedBy}}|{{.Size}}", rgTwoLayer); !strings.HasPrefix(got, "berth e2e fixture layer B|") {
		t.Errorf("history --format = %q", got)
	}
	var hist []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "history", "--format", "json", rgTwoLayer)), &hist); err != nil || len(hist) != 2 || hist[0]["id"] != ids[rgTwoLayer] {
		t.Errorf("history --format json: %v %v", hist, err)
	}
	if r := env.Berth("history", "nosuch"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuch: image not known") {
		t.Errorf("history of a missing image:\n%s", r)
	}

	// untag: one name, then all; the image stays, dangling.
	env.MustBerth(t, "tag", rgRich, "rich2", "rich3")
	env.MustBerth(t, "untag", "fx-rich", "rich2")
	tags := env.MustBerth(t, "image", "inspect", "--format", "{{.RepoTags}}", ids[rgRich])
	if strings.Contains(tags, "rich2") || !strings.Contains(tags, "rich3") {
		t.Errorf("after untag rich2: %s", tags)
	}
	if r := env.Berth("untag", "fx-rich", "nosuchtag"); r.ExitCode() != 125 {
		t.Errorf("untag of a missing name:\n%s", r)
	}
	env.MustBerth(t, "untag", ids[rgRich])
	if got := env.MustBerth(t, "images", "-q", "--filter", "dangling=true"); got != ids[rgRich][:12] {
		t.Errorf("dangling after untag = %q, want %s", got, ids[rgRich][:12])
	}

	// images filters, --sort and --digests.
	if got := env.MustBerth(t, "images", "--format", "{{.Repository}}", "--sort", "repository", "--filter", "dangling=false"); got != "localhost/fx-busybox\nlocalhost/fx-twolayer" {
		t.Errorf("images --sort repository = %q", got)
	}
	// The layouts' configs are from 2024, the import is from now.
	if got := env.MustBerth(t, "images", "-q", "--filter", "since="+rgTwoLayer, "--filter", "dangling=false"); got != ids[rgBusybox][:12] {
		t.Errorf("images --filter since = %q", got)
	}
	if got := env.MustBerth(t, "images", "-q", "--filter", "before="+rgBusybox, "--sort", "id"); len(strings.Fields(got)) != 2 {
		t.Errorf("images --filter before = %q", got)
	}
	if got := env.MustBerth(t, "images", "-q", "--filter", "id="+ids[rgTwoLayer][:6]); got != ids[rgTwoLayer][:12] {
		t.Errorf("images --filter id = %q", got)
	}
	if got := env.MustBerth(t, "images", "--digests", rgBusybox); !strings.Contains(got, "DIGEST") || !strings.Contains(got, "sha256:") {
		t.Errorf("images --digests:\n%s", got)
	}
	for _, bad := range [][]string{{"--filter", "colour=red"}, {"--sort", "colour"}, {"--filter", "before=nosuch"}} {
		if r := env.Berth(append([]string{"images"}, bad...)...); r.ExitCode() != 125 {
			t.Errorf("images %v:\n%s", bad, r)
		}
	}

	// rmi by digest.
	dg := env.MustBerth(t, "image", "inspect", "--format", "{{.Digest}}", rgTwoLayer)
	env.MustBerth(t, "tag", rgTwoLayer, "keep-two")
	if out := env.MustBerth(t, "rmi", "-f", dg); !strings.Contains(out, "Deleted: "+ids[rgTwoLayer]) {
		t.Errorf("rmi by digest printed %q", out)
	}

	// prune: a container keeps its image; dangling only without -a.
	env.MustBerth(t, "create", "--name", "keeper", rgBusybox, "true")
	danglingID := env.MustBerth(t, "import", "--message", "dangling", busyboxTar)
	if r := env.Berth("image", "prune"); r.ExitCode() != 0 || strings.Contains(r.Stdout(), "sha256") || r.Stdout() != "WARNING! This command removes all dangling images.\nAre you sure you want to continue? [y/N] " {
		t.Errorf("prune without -f and without an answer must do nothing:\n%s", r)
	}
	pruned := strings.Fields(env.MustBerth(t, "image", "prune", "-f"))
	slices.Sort(pruned)
	want := []string{ids[rgRich], danglingID}
	slices.Sort(want)
	if !slices.Equal(pruned, want) {
		t.Errorf("image prune -f removed %q, want %v", pruned, want)
	}
	env.MustBerth(t, "tag", rgBusybox, "labelled")
	if got := env.MustBerth(t, "image", "prune", "-a", "-f", "--filter", "label=nosuch"); got != "" {
		t.Errorf("prune -a with a label nobody has removed %q", got)
	}
	if got := env.MustBerth(t, "image", "prune", "-a", "-f"); got != "" {
		t.Errorf("prune -a removed %q, but the only image is in use", got)
	}
	env.MustBerth(t, "rm", "keeper")
	if got := env.MustBerth(t, "image", "prune", "-a", "-f"); got != ids[rgBusybox] {
		t.Errorf("prune -a removed %q, want %s", got, ids[rgBusybox])
	}
	if got := env.MustBerth(t, "images", "-q"); got != "" {
		t.Errorf("images left after prune -a: %q", got)
	}
	if r := env.Berth("image", "prune", "-f", "--filter", "bogus=1"); r.ExitCode() != 125 {
		t.Errorf("prune with a bad filter:\n%s", r)
	}
}
