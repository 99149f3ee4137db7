package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// rgOtherArch is an architecture that is not the host's, for the second
// instance of a multi-arch list.
func rgOtherArch() string {
	if runtime.GOARCH == "arm64" {
		return "amd64"
	}
	return "arm64"
}

// TestManifestListMultiArch builds a two-architecture list from local
// images, pushes it with its images, and pulls it back: a plain pull
// picks the host's platform, --arch the other one.
func TestManifestListMultiArch(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	hostID := env.MustBerth(t, "import", "--change", "CMD=/bin/sh", busyboxTar, "fx-host")
	other := rgOtherArch()
	// The other architecture's image: same files, its own config. It only
	// needs to be stored and pushed, never run.
	otherID := env.MustBerth(t, "import", "--arch", other, "--change", "LABEL arch="+other, busyboxTar, "fx-other")

	listID := env.MustBerth(t, "manifest", "create", "multi")
	if got := env.MustBerth(t, "manifest", "add", "multi", "fx-host"); got != listID {
		t.Errorf("manifest add printed %q, want the list ID %s", got, listID)
	}
	env.MustBerth(t, "manifest", "add", "--annotation", "org.test=yes", "multi", "containers-storage:localhost/fx-other:latest")
	var index struct {
		MediaType string `json:"mediaType"`
		Manifests []struct {
			Digest      string
			Platform    struct{ Architecture, OS string }
			Annotations map[string]string
		}
	}
	out := env.MustBerth(t, "manifest", "inspect", "multi")
	if err := json.Unmarshal([]byte(out), &index); err != nil || len(index.Manifests) != 2 {
		t.Fatalf("manifest inspect: %v\n%s", err, out)
	}
	if index.Manifests[0].Platform.Architecture != runtime.GOARCH || index.Manifests[1].Platform.Architecture != other ||
		index.Manifests[1].Annotations["org.test"] != "yes" || index.Manifests[1].Platform.OS != "linux" {
		t.Errorf("list instances: %+v", index.Manifests)
	}
	// A list is not a container image, and bad input leaves it unchanged.
	if r := env.Berth("run", "--rm", "multi", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "manifest list") {
		t.Errorf("run of a list:\n%s", r)
	}
	if r := env.Berth("manifest", "create", "multi"); r.ExitCode() != 125 {
		t.Errorf("manifest create of an existing name:\n%s", r)
	}
	if r := env.Berth("manifest", "add", "fx-host", "fx-other"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "not a manifest list") {
		t.Errorf("manifest add to an image:\n%s", r)
	}
	if out := env.MustBerth(t, "images", "--format", "{{.Repository}}"); !strings.Contains(out, "localhost/multi") {
		t.Errorf("images does not list the manifest list:\n%s", out)
	}
	if got := env.MustBerth(t, "manifest", "create", "--amend", "multi"); got != listID {
		t.Errorf("manifest create --amend = %q, want %s", got, listID)
	}

	df := filepath.Join(env.TmpDir, "list.digest")
	r := env.Berth("manifest", "push", "--tls-verify=false", "--digestfile", df, "multi", reg.Ref("multi:1"))
	if r.ExitCode() != 0 {
		t.Fatalf("manifest push:\n%s", r)
	}
	listDigest, _ := os.ReadFile(df)
	// The registry serves the list.
	remote := env.MustBerth(t, "manifest", "inspect", "--tls-verify=false", reg.Ref("multi:1"))
	if !strings.Contains(remote, `"manifests"`) || !strings.Contains(remote, other) {
		t.Errorf("remote list:\n%s", remote)
	}

	host := NewEnv(t)
	if got := host.MustBerth(t, "pull", "-q", "--tls-verify=false", reg.Ref("multi:1")); got != hostID {
		t.Errorf("pull of the list picked %s, want the host's image %s", got, hostID)
	}
	host.MustBerth(t, "run", "--rm", reg.Ref("multi:1"), "true")
	if rd := pbStrings(rgInspectImage(t, host, reg.Ref("multi:1"))["RepoDigests"]); !strings.Contains(strings.Join(rd, " "), string(listDigest)) {
		t.Errorf("RepoDigests %v do not name the list digest %s", rd, listDigest)
	}
	arm := NewEnv(t)
	if got := arm.MustBerth(t, "pull", "-q", "--tls-verify=false", "--arch", other, reg.Ref("multi:1")); got != otherID {
		t.Errorf("pull --arch %s picked %s, want %s", other, got, otherID)
	}
	if got := arm.MustBerth(t, "image", "inspect", "--format", "{{.Architecture}}", reg.Ref("multi:1")); got != other {
		t.Errorf("pulled architecture %q, want %s", got, other)
	}

	// v2s2 lists too, and remove/rm.
	env.MustBerth(t, "manifest", "push", "-q", "--tls-verify=false", "--format", "v2s2", "multi", reg.Ref("multi:docker"))
	if remote := env.MustBerth(t, "manifest", "inspect", "--tls-verify=false", reg.Ref("multi:docker")); !strings.Contains(remote, "application/vnd.docker.distribution.manifest.list.v2+json") {
		t.Errorf("v2s2 list:\n%s", remote)
	}
	env.MustBerth(t, "manifest", "remove", "multi", index.Manifests[1].Digest)
	if out := env.MustBerth(t, "manifest", "inspect", "multi"); strings.Contains(out, other) {
		t.Errorf("instance still listed after manifest remove:\n%s", out)
	}
	if out := env.MustBerth(t, "manifest", "rm", "multi"); !strings.Contains(out, "Deleted: "+listID) {
		t.Errorf("manifest rm printed %q", out)
	}
	if r := env.Berth("manifest", "rm", "fx-host"); r.ExitCode() == 0 {
		t.Errorf("manifest rm of an image succeeded:\n%s", r)
	}
	env.MustBerth(t, "image", "exists", "fx-host")
}
