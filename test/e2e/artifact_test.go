package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArtifact checks podman 5's artifact commands: add (digest printed,
// titles, --type, --annotation, --append), ls, inspect, extract, rm, and a
// push to the test registry pulled back into a fresh store.
func TestArtifact(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	f1 := filepath.Join(env.TmpDir, "one.txt")
	f2 := filepath.Join(env.TmpDir, "two.json")
	if err := os.WriteFile(f1, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f2, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dg := env.MustBerth(t, "artifact", "add", "--type", "application/x-berth-test", "--annotation", "k=v", "quay.io/berth/art", f1)
	if len(dg) != 64 {
		t.Fatalf("artifact add printed %q, want the manifest digest's hex", dg)
	}
	var a struct {
		Name, Digest string
		Manifest     struct {
			ArtifactType string `json:"artifactType"`
			Config       struct{ MediaType string }
			Layers       []struct {
				MediaType   string
				Size        int64
				Annotations map[string]string
			}
		}
	}
	if err := json.Unmarshal([]byte(env.MustBerth(t, "artifact", "inspect", "quay.io/berth/art")), &a); err != nil {
		t.Fatal(err)
	}
	if a.Name != "quay.io/berth/art:latest" || a.Digest != "sha256:"+dg || a.Manifest.ArtifactType != "application/x-berth-test" ||
		a.Manifest.Config.MediaType != "application/vnd.oci.empty.v1+json" || len(a.Manifest.Layers) != 1 ||
		a.Manifest.Layers[0].Annotations["org.opencontainers.image.title"] != "one.txt" || a.Manifest.Layers[0].Annotations["k"] != "v" ||
		a.Manifest.Layers[0].MediaType != "text/plain; charset=utf-8" {
		t.Errorf("artifact inspect = %+v", a)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"artifact", "add", "quay.io/berth/art", f2}, "quay.io/berth/art:latest: artifact already exists"},
		{[]string{"artifact", "add", "-a", "quay.io/berth/art", f1}, "one.txt: file already exists in artifact"},
		{[]string{"artifact", "add", "-a", "--type", "x/y", "quay.io/berth/art", f2}, "append option is not compatible with type option"},
		{[]string{"artifact", "add", "--annotation", "org.opencontainers.image.title=x", "n", f2}, "cannot override filename with org.opencontainers.image.title annotation"},
		{[]string{"artifact", "inspect", "nosuch"}, "no artifact found with name or digest of nosuch"},
		{[]string{"artifact", "add", "bad", f1, "/nonexistent"}, "stat /nonexistent: no such file or directory"},
		{[]string{"artifact", "add", "bad", env.TmpDir}, "is not a regular file"},
		{[]string{"artifact", "rm"}, "a single artifact name or digest must be specified"},
		{[]string{"artifact", "rm", "-a", "x"}, "when using the --all switch, you may not pass any artifact names or digests"},
	} {
		if r := env.Berth(tc.args...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("%v: want 125 and %q\n%s", tc.args, tc.want, r)
		}
	}
	if r := env.Berth("artifact", "inspect", "bad"); r.ExitCode() != 125 {
		t.Errorf("a refused add stored an artifact:\n%s", r)
	}
	dg2 := env.MustBerth(t, "artifact", "add", "--append", "quay.io/berth/art", f2)
	ls := env.MustBerth(t, "artifact", "ls")
	if want := "quay.io/berth/art  latest      " + dg2[:12] + "  13B"; !strings.Contains(ls, want) || !strings.HasPrefix(ls, "REPOSITORY") {
		t.Errorf("artifact ls lacks %q:\n%s", want, ls)
	}
	if got := env.MustBerth(t, "artifact", "ls", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}", "--no-trunc"); got != "quay.io/berth/art latest "+dg2 {
		t.Errorf("artifact ls --format = %q", got)
	}

	out := filepath.Join(env.TmpDir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "artifact", "extract", dg2[:10], out)
	for name, want := range map[string]string{"one.txt": "hello\n", "two.json": `{"a":1}`} {
		if b, err := os.ReadFile(filepath.Join(out, name)); err != nil || string(b) != want {
			t.Errorf("extracted %s = %q, %v", name, b, err)
		}
	}
	single := filepath.Join(env.TmpDir, "single")
	if r := env.Berth("artifact", "extract", "quay.io/berth/art", single); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "consists of several blobs") {
		t.Errorf("extract of two files to a file:\n%s", r)
	}
	env.MustBerth(t, "artifact", "extract", "--title", "two.json", "quay.io/berth/art", single)
	if b, _ := os.ReadFile(single); string(b) != `{"a":1}` {
		t.Errorf("extract --title wrote %q", b)
	}

	reg := StartRegistry(t, RegistryOptions{})
	ref := reg.Ref("berth/art:v1")
	env.MustBerth(t, "artifact", "push", "-q", "--tls-verify=false", "quay.io/berth/art", ref)
	other := NewEnv(t)
	other.MustBerth(t, "artifact", "pull", "-q", "--tls-verify=false", ref)
	if got := other.MustBerth(t, "artifact", "inspect", "--format", "{{.Digest}}", ref); got != "sha256:"+dg2 {
		t.Errorf("pulled artifact digest %s, pushed sha256:%s", got, dg2)
	}
	other.MustBerth(t, "artifact", "extract", "--title", "one.txt", ref, filepath.Join(other.TmpDir, "x"))
	if b, _ := os.ReadFile(filepath.Join(other.TmpDir, "x")); string(b) != "hello\n" {
		t.Errorf("pulled artifact's one.txt = %q", b)
	}

	if got := env.MustBerth(t, "artifact", "rm", "quay.io/berth/art"); got != dg2 {
		t.Errorf("artifact rm printed %q, want %s", got, dg2)
	}
	if ls := env.MustBerth(t, "artifact", "ls", "--noheading"); ls != "" {
		t.Errorf("artifact ls after rm: %q", ls)
	}
	blobs, _ := os.ReadDir(filepath.Join(env.Root, "artifacts", "blobs", "sha256"))
	if len(blobs) != 0 {
		t.Errorf("artifact rm left %d blobs", len(blobs))
	}
}
