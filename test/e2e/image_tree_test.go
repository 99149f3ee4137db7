package e2e

import (
	"regexp"
	"strings"
	"testing"
)

// TestImageTree checks podman's `image tree` layout: the header, the
// image's layers bottom first with the tags of the images they top, and
// --whatrequires listing the image's top layer, then a branch for each
// layer built on it when there are several (podman's layout).
func TestImageTree(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "a", "busybox", "sh", "-c", "echo 1 > /x")
	env.MustBerth(t, "commit", "-q", "a", "child1")
	env.MustBerth(t, "tag", "child1", "child1:v2")
	env.MustBerth(t, "run", "--name", "b", "busybox", "sh", "-c", "echo 2 > /y")
	env.MustBerth(t, "commit", "-q", "b", "child2")
	env.MustBerth(t, "run", "--name", "c", "child1", "sh", "-c", "echo 3 > /z")
	gid := env.MustBerth(t, "commit", "-q", "c", "grandchild")
	env.MustBerth(t, "rm", "a", "b", "c")

	out := env.MustBerth(t, "image", "tree", "grandchild")
	line := `ID: [0-9a-f]{12} Size: +[0-9.]+[kMG]?B`
	want := regexp.MustCompile(`^Image ID: ` + gid[:12] + `
Tags:     \[localhost/grandchild:latest\]
Size:     [0-9.]+[kM]B
Image Layers
├── ` + line + ` Top Layer of: \[localhost/busybox:latest\]
├── ` + line + ` Top Layer of: \[localhost/child1:(latest|v2) localhost/child1:(latest|v2)\]
└── ` + line + ` Top Layer of: \[localhost/grandchild:latest\]$`)
	if !want.MatchString(out) {
		t.Errorf("image tree grandchild:\n%s", out)
	}

	out = env.MustBerth(t, "image", "tree", "--whatrequires", "busybox")
	want = regexp.MustCompile(`(?s)^Image ID: [0-9a-f]{12}
Tags:     \[localhost/busybox:latest\]
.*Image Layers
├── ` + line + ` Top Layer of: \[localhost/busybox:latest\]
├── ` + line + ` Top Layer of: \[localhost/child1:.*\]
│   └── ` + line + ` Top Layer of: \[localhost/grandchild:latest\]
└── ` + line + ` Top Layer of: \[localhost/child2:latest\]$`)
	if !want.MatchString(out) {
		t.Errorf("image tree --whatrequires busybox:\n%s", out)
	}
	if r := env.Berth("image", "tree", "nosuch"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuch: image not known") {
		t.Errorf("image tree of a missing image:\n%s", r)
	}
	if r := env.Berth("image", "tree"); r.ExitCode() != 125 {
		t.Errorf("image tree without an image:\n%s", r)
	}
}
