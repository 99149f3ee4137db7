package e2e

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"testing"
)

// podman's images template fields and its JSON keys (podman 5's
// ImageSummary plus the CLI's CreatedAt), with the number of containers
// made from the image.
func TestImagesPodmanFields(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := pbImageID(t, env, "busybox")
	env.MustBerth(t, "create", "--name", "a", "busybox")
	env.MustBerth(t, "create", "--name", "b", "busybox")
	for tmpl, want := range map[string]string{
		"{{.Id}}":                         id,
		"{{.ParentId}}":                   "",
		"{{.Containers}}":                 "2",
		"{{.History}}":                    "localhost/busybox:latest",
		"{{.ReadOnly}} {{.IsReadOnly}}":   "false false",
		"{{.Dangling}}":                   "false",
		"{{.Names}}":                      "[localhost/busybox:latest]",
		"{{.CreatedAt}}|{{.CreatedTime}}": "",
	} {
		got := env.MustBerth(t, "images", "--format", tmpl)
		if tmpl == "{{.CreatedAt}}|{{.CreatedTime}}" {
			// podman: whole seconds, time.Time's String.
			if !regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+)\|(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+)$`).MatchString(got) {
				t.Errorf("images --format %q = %q, want two second-precision times", tmpl, got)
			}
			continue
		}
		if got != want {
			t.Errorf("images --format %q = %q, want %q", tmpl, got, want)
		}
	}
	var arr []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "images", "--format", "json")), &arr); err != nil || len(arr) != 1 {
		t.Fatalf("images --format json: %v, %d entries", err, len(arr))
	}
	var keys []string
	for k := range arr[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"Arch", "Containers", "Created", "CreatedAt", "Dangling", "Digest", "History", "Id", "Labels",
		"Names", "Os", "ParentId", "RepoDigests", "RepoTags", "SharedSize", "Size", "VirtualSize"}
	if !slices.Equal(keys, want) {
		t.Errorf("json keys = %v, want %v", keys, want)
	}
	if arr[0]["Containers"] != float64(2) {
		t.Errorf("json Containers = %v, want 2", arr[0]["Containers"])
	}
	if h, _ := arr[0]["History"].([]any); len(h) != 1 || h[0] != "localhost/busybox:latest" {
		t.Errorf("json History = %v, want [localhost/busybox:latest]", arr[0]["History"])
	}
	if at, _ := arr[0]["CreatedAt"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(at) {
		t.Errorf("json CreatedAt = %q, want RFC 3339 in whole seconds, UTC", at)
	}
}
