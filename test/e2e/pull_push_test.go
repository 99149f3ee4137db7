package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rgInspectImage decodes `image inspect` of one image.
func rgInspectImage(t testing.TB, env *Env, ref string) map[string]any {
	t.Helper()
	out := env.MustBerth(t, "image", "inspect", ref)
	var v []map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil || len(v) != 1 {
		t.Fatalf("image inspect %s: %v\n%s", ref, err, out)
	}
	return v[0]
}

// TestRegistryPushPullRoundTrip pushes the fixture images to a plain-HTTP
// registry, pulls them into a fresh store, then saves and loads them into
// a third: IDs, configs and registry digests must survive every step.
func TestRegistryPushPullRoundTrip(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	src := NewEnv(t)
	ids := rgImportFixtures(t, src)

	digests := map[string]string{}
	for name := range ids {
		repo := strings.TrimPrefix(strings.TrimSuffix(name, ":latest"), "localhost/")
		dest := reg.Ref(repo + ":v1")
		df := filepath.Join(src.TmpDir, repo+".digest")
		r := src.Berth(append(append([]string{"push"}, reg.Flags()...), "--digestfile", df, name, dest)...)
		if r.ExitCode() != 0 {
			t.Fatalf("push failed:\n%s", r)
		}
		if !strings.Contains(r.Stderr(), "Copying blob") || !strings.Contains(r.Stderr(), "Writing manifest") {
			t.Errorf("push progress (not a terminal: one line per blob) missing:\n%s", r)
		}
		d, err := os.ReadFile(df)
		if err != nil || !strings.HasPrefix(string(d), "sha256:") {
			t.Fatalf("digest file: %q, %v", d, err)
		}
		digests[name] = string(d)
		// Pushing the same image again gives the same manifest.
		src.MustBerth(t, append(append([]string{"push", "-q"}, reg.Flags()...), "--digestfile", df, name, dest)...)
		if d2, _ := os.ReadFile(df); string(d2) != string(d) {
			t.Errorf("second push of %s: digest %s, first %s", name, d2, d)
		}
	}

	dst := NewEnv(t)
	for name, id := range ids {
		repo := strings.TrimPrefix(strings.TrimSuffix(name, ":latest"), "localhost/")
		ref := reg.Ref(repo + ":v1")
		r := dst.Berth(append(append([]string{"pull"}, reg.Flags()...), ref)...)
		if r.ExitCode() != 0 {
			t.Fatalf("pull failed:\n%s", r)
		}
		if got := strings.TrimSpace(r.Stdout()); got != id {
			t.Errorf("pull %s printed %q, want the ID %s", ref, got, id)
		}
		if !strings.Contains(r.Stderr(), "Trying to pull "+ref) {
			t.Errorf("pull did not say what it pulls:\n%s", r)
		}
		img := rgInspectImage(t, dst, ref)
		if img["Id"] != id {
			t.Errorf("pulled %s: Id %v, want %s", ref, img["Id"], id)
		}
		if rd := pbStrings(img["RepoDigests"]); !slices.Contains(rd, reg.Addr+"/"+repo+"@"+digests[name]) {
			t.Errorf("pulled %s: RepoDigests %v, want %s", ref, rd, digests[name])
		}
		// By digest too, and quietly.
		byDigest := reg.Addr + "/" + repo + "@" + digests[name]
		if r := dst.Berth(append(append([]string{"pull", "-q"}, reg.Flags()...), byDigest)...); r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != id || r.Stderr() != "" {
			t.Errorf("pull -q by digest: want only the ID\n%s", r)
		}
	}

	// The rich config survived: volume, port, user, entrypoint, healthcheck.
	rich := rgInspectImage(t, dst, reg.Ref("fx-rich:v1"))
	cfg, _ := rich["Config"].(map[string]any)
	if cfg["User"] != "1000:1000" || !slices.Equal(pbStrings(cfg["Entrypoint"]), []string{"/bin/sh", "-c"}) {
		t.Errorf("rich config: %v", cfg)
	}
	if v, _ := cfg["Volumes"].(map[string]any); v["/data"] == nil {
		t.Errorf("rich volumes: %v", cfg["Volumes"])
	}
	if p, _ := cfg["ExposedPorts"].(map[string]any); p["8080/tcp"] == nil {
		t.Errorf("rich ports: %v", cfg["ExposedPorts"])
	}
	if got := dst.MustBerth(t, "run", "--rm", reg.Ref("fx-rich:v1")); got != "rich 1000" {
		t.Errorf("run rich = %q, want %q", got, "rich 1000")
	}
	if got := dst.MustBerth(t, "run", "--rm", reg.Ref("fx-twolayer:v1")); got != "hello from layer two" {
		t.Errorf("run twolayer = %q", got)
	}
	if n := len(pbStrings(rgInspectImage(t, dst, reg.Ref("fx-twolayer:v1"))["RootFS"].(map[string]any)["Layers"])); n != 2 {
		t.Errorf("twolayer has %d layers, want 2", n)
	}

	// save -> load keeps the IDs.
	archive := filepath.Join(dst.TmpDir, "all.tar")
	var refs []string
	for name := range ids {
		refs = append(refs, reg.Ref(strings.TrimPrefix(strings.TrimSuffix(name, ":latest"), "localhost/")+":v1"))
	}
	dst.MustBerth(t, append([]string{"save", "-q", "-o", archive}, refs...)...)
	third := NewEnv(t)
	third.MustBerth(t, "load", "-q", "-i", archive)
	for name, id := range ids {
		ref := reg.Ref(strings.TrimPrefix(strings.TrimSuffix(name, ":latest"), "localhost/") + ":v1")
		if got := pbImageID(t, third, ref); got != id {
			t.Errorf("after save/load %s: ID %s, want %s", ref, got, id)
		}
	}
}

// TestPullErrors covers bad input: nothing is stored and the error is one
// clear line.
func TestPullErrors(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"pull", "--tls-verify=false", reg.Ref("nosuch:1")}, "manifest unknown"},
		{[]string{"pull", "--policy", "sometimes", "x"}, "unsupported pull policy"},
		{[]string{"pull", "--platform", "linux", "x"}, "invalid platform"},
		{[]string{"pull", "--platform", "linux/arm64", "--arch", "amd64", "x"}, "--platform"},
		{[]string{"pull", "--authfile", "/nonexistent/auth.json", reg.Ref("x")}, "credential file is not accessible"},
		{[]string{"pull", "oci:/nonexistent/layout"}, "/nonexistent/layout"},
		{[]string{"pull", "--all-tags", "--tls-verify=false", reg.Ref("x:1")}, "must not carry a tag"},
		{[]string{"push", "nosuchimage", "oci:" + env.TmpDir + "/x"}, "nosuchimage: image not known"},
		{[]string{"push", "--format", "v1", "nosuchimage"}, "unsupported manifest format"},
	} {
		r := env.Berth(tc.args...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) || strings.Count(r.Stderr(), "Error: ") != 1 {
			t.Errorf("want exit 125 and %q\n%s", tc.want, r)
		}
	}
	if out := env.MustBerth(t, "images", "-q"); out != "" {
		t.Errorf("images after failed pulls: %q", out)
	}
	// --policy never/missing.
	if r := env.Berth("pull", "--policy", "never", reg.Ref("fx:1")); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "image not known") {
		t.Errorf("pull --policy never of a missing image:\n%s", r)
	}
}
