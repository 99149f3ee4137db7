package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// TestImagesTree: docker 28's images --tree prints each image name with
// its platform below it, U for an image a container uses, and refuses
// --format, --quiet and --digests.
func TestImagesTree(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	id := env.ImportBusybox(t)
	env.MustBerth(t, "tag", "busybox", "localhost/second:tag")
	env.MustBerth(t, "create", "busybox", "true")
	got := env.MustBerth(t, "images", "--tree")
	lines := strings.Split(got, "\n")
	if len(lines) != 6 || !regexp.MustCompile(`^IMAGE +ID +DISK USAGE +CONTENT SIZE +EXTRA$`).MatchString(lines[0]) {
		t.Fatalf("images --tree:\n%s", got)
	}
	short := strings.TrimPrefix(id, "sha256:")[:12]
	for _, l := range []string{lines[1], lines[4]} {
		if !strings.Contains(l, short) || !strings.HasSuffix(l, "U") {
			t.Errorf("image line %q: want ID %s and U", l, short)
		}
	}
	if !strings.HasPrefix(lines[2], "└─ linux/") || lines[3] != "" {
		t.Errorf("platform line %q, separator %q", lines[2], lines[3])
	}
	for _, flag := range []string{"--format", "--quiet", "--digests"} {
		args := []string{"images", "--tree", flag}
		if flag == "--format" {
			args = append(args, "{{.ID}}")
		}
		r := env.Berth(args...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "is not yet supported with --tree") {
			t.Errorf("%v: %s", args, r)
		}
	}
}
