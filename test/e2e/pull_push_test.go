package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
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

// TestPushPullTransports pushes to every local transport and pulls back
// from each, with the manifest format and compression asked for.
func TestPushPullTransports(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	ids := rgImportFixtures(t, env)
	id := ids[rgTwoLayer]
	dir := env.TmpDir
	for _, tc := range []struct {
		dest, pull string
		flags      []string
	}{
		{"oci:" + dir + "/layout:two", "oci:" + dir + "/layout:two", nil},
		{"oci-archive:" + dir + "/two-oci.tar", "oci-archive:" + dir + "/two-oci.tar", nil},
		{"docker-archive:" + dir + "/two-docker.tar:localhost/fx-twolayer:latest", "docker-archive:" + dir + "/two-docker.tar", nil},
		{"dir:" + dir + "/two-dir", "dir:" + dir + "/two-dir", []string{"--format", "v2s2"}},
		{"dir:" + dir + "/two-zstd", "dir:" + dir + "/two-zstd", []string{"--format", "oci", "--compression-format", "zstd"}},
	} {
		r := env.Berth(append(append([]string{"push"}, tc.flags...), rgTwoLayer, tc.dest)...)
		if r.ExitCode() != 0 {
			t.Errorf("push to %s:\n%s", tc.dest, r)
			continue
		}
		fresh := NewEnv(t)
		if got := fresh.MustBerth(t, "pull", "-q", tc.pull); got != id {
			t.Errorf("pull %s = %q, want %s", tc.pull, got, id)
		}
		if got := fresh.MustBerth(t, "run", "--rm", id); got != "hello from layer two" {
			t.Errorf("run after pull %s = %q", tc.pull, got)
		}
	}
	// The dir: transport shows what --format and --compression-format did.
	var man struct {
		MediaType string
		Layers    []struct{ MediaType string }
	}
	b, _ := os.ReadFile(filepath.Join(dir, "two-dir", "manifest.json"))
	if json.Unmarshal(b, &man) != nil || man.MediaType != "application/vnd.docker.distribution.manifest.v2+json" {
		t.Errorf("--format v2s2 wrote %s", b)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "two-zstd", "manifest.json"))
	if json.Unmarshal(b, &man) != nil || man.MediaType != "application/vnd.oci.image.manifest.v1+json" || len(man.Layers) != 2 ||
		man.Layers[0].MediaType != "application/vnd.oci.image.layer.v1.tar+zstd" {
		t.Errorf("--format oci --compression-format zstd wrote %s", b)
	}
	// The archive names the image; the layout's ref.name becomes localhost/two.
	fresh := NewEnv(t)
	fresh.MustBerth(t, "pull", "-q", "docker-archive:"+dir+"/two-docker.tar")
	fresh.MustBerth(t, "image", "exists", rgTwoLayer)
	fresh.MustBerth(t, "pull", "-q", "oci:"+dir+"/layout:two")
	fresh.MustBerth(t, "image", "exists", "localhost/two:latest")
	if r := env.Berth("push", rgTwoLayer, "containers-storage:elsewhere"); r.ExitCode() != 125 {
		t.Errorf("push to containers-storage:\n%s", r)
	}

	// save several images as an OCI layout and as an OCI archive; load
	// them back.
	for _, format := range []string{"oci-dir", "oci-archive"} {
		out := filepath.Join(dir, "multi-"+format)
		env.MustBerth(t, "save", "-q", "--format", format, "-o", out, rgBusybox, rgTwoLayer, rgRich)
		fresh := NewEnv(t)
		loaded := fresh.MustBerth(t, "load", "-q", "-i", out)
		for name, id := range ids {
			if !strings.Contains(loaded, "Loaded image: "+name) {
				t.Errorf("load %s printed %q, want %s", format, loaded, name)
			}
			if got := pbImageID(t, fresh, name); got != id {
				t.Errorf("load %s: %s has ID %s, want %s", format, name, got, id)
			}
		}
	}
}

// TestPullAllTags pulls every tag of a repository.
func TestPullAllTags(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	ids := rgImportFixtures(t, env)
	env.MustBerth(t, "push", "-q", "--tls-verify=false", rgBusybox, reg.Ref("tags/img:a"))
	env.MustBerth(t, "push", "-q", "--tls-verify=false", rgTwoLayer, reg.Ref("tags/img:b"))
	dst := NewEnv(t)
	got := strings.Fields(dst.MustBerth(t, "pull", "-q", "--all-tags", "--tls-verify=false", reg.Ref("tags/img")))
	slices.Sort(got)
	want := []string{ids[rgBusybox], ids[rgTwoLayer]}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("pull --all-tags = %v, want %v", got, want)
	}
	dst.MustBerth(t, "image", "exists", reg.Ref("tags/img:a"))
	dst.MustBerth(t, "image", "exists", reg.Ref("tags/img:b"))
}

// TestRunPullPolicies runs containers from a registry image under each
// --pull policy.
func TestRunPullPolicies(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	src := NewEnv(t)
	ids := rgImportFixtures(t, src)
	ref := reg.Ref("pol/img:1")
	src.MustBerth(t, "push", "-q", "--tls-verify=false", rgBusybox, ref)

	env := NewEnv(t)
	// never: not there, not fetched.
	if r := env.Berth("run", "--rm", "--pull", "never", ref, "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "image not known") {
		t.Errorf("run --pull never of a missing image:\n%s", r)
	}
	// missing (default): fetched once, with progress on stderr; -q hides it.
	r := env.Berth("run", "--rm", "--tls-verify=false", ref, "echo", "one")
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "one" || !strings.Contains(r.Stderr(), "Trying to pull "+ref) {
		t.Errorf("run of a missing image:\n%s", r)
	}
	r = env.Berth("run", "--rm", "--tls-verify=false", ref, "echo", "two")
	if r.ExitCode() != 0 || r.Stderr() != "" {
		t.Errorf("run of a present image pulled again:\n%s", r)
	}
	// The registry image changes: newer and always fetch it, missing does not.
	src.MustBerth(t, "push", "-q", "--tls-verify=false", rgTwoLayer, ref)
	if r := env.Berth("create", "-q", "--tls-verify=false", ref); r.ExitCode() != 0 || pbImageID(t, env, ref) != ids[rgBusybox] {
		t.Errorf("create --pull missing replaced the local image:\n%s", r)
	}
	r = env.Berth("run", "--rm", "-q", "--pull", "newer", "--tls-verify=false", ref)
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "hello from layer two" || r.Stderr() != "" {
		t.Errorf("run --pull newer -q:\n%s", r)
	}
	src.MustBerth(t, "push", "-q", "--tls-verify=false", rgRich, ref)
	if got := env.MustBerth(t, "run", "--rm", "-q", "--pull", "always", "--tls-verify=false", ref); got != "rich 1000" {
		t.Errorf("run --pull always = %q", got)
	}
	if r := env.Berth("run", "--rm", "--pull", "sometimes", ref); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "pull policy") {
		t.Errorf("bad --pull:\n%s", r)
	}
	if r := env.Berth("run", "--rm", "--pull", "newer", "--tls-verify=false", "--platform", "linux/"+runtime.GOARCH, ref, "true"); r.ExitCode() != 0 {
		t.Errorf("run --pull newer --platform:\n%s", r)
	}
}
