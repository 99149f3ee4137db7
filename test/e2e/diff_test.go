package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestDiff checks the A/C/D changes of a container against its image.
func TestDiff(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "df", "busybox", "sh", "-c",
		"echo x > /tmp/new; rm /etc/group; echo more >> /etc/passwd")
	lines := strings.Split(env.MustBerth(t, "diff", "df"), "\n")
	for _, want := range []string{"A /tmp/new", "D /etc/group", "C /etc/passwd", "C /tmp"} {
		if !slices.Contains(lines, want) {
			t.Errorf("diff lacks %q: %q", want, lines)
		}
	}
	for _, l := range lines {
		if l == "A /etc/hosts" || l == "A /etc/resolv.conf" || l == "A /etc/hostname" {
			t.Errorf("diff shows the runtime's mount point %q", l)
		}
	}
	if !sortedByPath(lines) {
		t.Errorf("diff not sorted by path: %q", lines)
	}
	var doc map[string][]string
	if err := json.Unmarshal([]byte(env.MustBerth(t, "diff", "--format", "json", "df")), &doc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(doc["added"], "/tmp/new") || !slices.Contains(doc["deleted"], "/etc/group") || !slices.Contains(doc["changed"], "/etc/passwd") {
		t.Errorf("diff --format json = %v", doc)
	}
	if r := env.Berth("diff", "nosuch"); r.ExitCode() != 125 {
		t.Errorf("diff of a missing container: want 125\n%s", r)
	}
}

func sortedByPath(lines []string) bool {
	for i := 1; i < len(lines); i++ {
		if lines[i-1][2:] > lines[i][2:] {
			return false
		}
	}
	return true
}
