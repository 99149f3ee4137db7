package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

const (
	mtOCI    = "application/vnd.oci.image.manifest.v1+json"
	mtDocker = "application/vnd.docker.distribution.manifest.v2+json"
)

// registryManifestType returns the media type the registry serves for
// repo:tag.
func registryManifestType(t *testing.T, reg *Registry, repo, tag string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, reg.URL()+"/v2/"+repo+"/manifests/"+tag, nil)
	req.Header.Set("Accept", mtOCI+", "+mtDocker)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m struct{ MediaType string }
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("manifest %s:%s: status %d, %v", repo, tag, resp.StatusCode, err)
	}
	return m.MediaType
}

// TestBuildFormatDocker: --format docker writes every step as a docker
// schema2 image; the cache never hands a step of the other format to a
// build, and a stage that is its base alone is written again.
func TestBuildFormatDocker(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"a.txt": "a\n",
		"Containerfile": `FROM busybox
ENV X=1
COPY a.txt /a.txt
RUN cat /a.txt > /b.txt
HEALTHCHECK CMD ["true"]
`,
	})
	mt := func(img string) string {
		return env.MustBerth(t, "inspect", "--format", "{{.ManifestType}}", img)
	}
	first := env.MustBerth(t, "build", "--format", "docker", "-t", "dk", ctx)
	if got := mt("dk"); got != mtDocker {
		t.Fatalf("--format docker made a %s image:\n%s", got, first)
	}
	// The OCI build of the same file takes nothing from the docker cache.
	oci := env.MustBerth(t, "build", "-t", "oc", ctx)
	if strings.Contains(oci, "Using cache") {
		t.Errorf("an OCI build used docker-format steps:\n%s", oci)
	}
	if got := mt("oc"); got != mtOCI {
		t.Errorf("default build made a %s image", got)
	}
	// Building docker again is all cache, the same image.
	again := env.MustBerth(t, "build", "--format=docker", "-t", "dk2", ctx)
	if n := strings.Count(again, "--> Using cache"); n != 4 {
		t.Errorf("docker rebuild: %d cache hits, want 4:\n%s", n, again)
	}
	if lastLine(again) != lastLine(first) {
		t.Errorf("docker rebuild made %s, want %s", lastLine(again), lastLine(first))
	}
	if hc := env.MustBerth(t, "inspect", "--format", "{{.Healthcheck}}", "dk"); !strings.Contains(hc, "true") {
		t.Errorf("the docker image lost its healthcheck: %q", hc)
	}
	if got := env.MustBerth(t, "run", "--rm", "dk", "cat", "/b.txt"); got != "a" {
		t.Errorf("run dk = %q", got)
	}

	// A stage that is its (OCI) base alone is written again as docker.
	only := writeContext(t, env, "only", map[string]string{"Containerfile": "FROM busybox\n"})
	env.MustBerth(t, "build", "--format", "docker", "-t", "bare", only)
	if got := mt("bare"); got != mtDocker {
		t.Errorf("FROM-only --format docker made %s", got)
	}
	if got := mt("busybox"); got != mtOCI {
		t.Errorf("the base image changed format: %s", got)
	}

	// Pushed, the registry serves what was built.
	reg := StartRegistry(t, RegistryOptions{})
	env.MustBerth(t, "push", "-q", "--tls-verify=false", "dk", reg.Ref("fmt/dk:1"))
	env.MustBerth(t, "push", "-q", "--tls-verify=false", "oc", reg.Ref("fmt/oc:1"))
	if got := registryManifestType(t, reg, "fmt/dk", "1"); got != mtDocker {
		t.Errorf("registry has %s for the docker build", got)
	}
	if got := registryManifestType(t, reg, "fmt/oc", "1"); got != mtOCI {
		t.Errorf("registry has %s for the OCI build", got)
	}

	// A bad format: one line, 125, nothing built.
	before := env.MustBerth(t, "images", "-aq")
	r := env.Berth("build", "--format", "zip", "-t", "bad", ctx)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `unrecognized image type "zip"`) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
		t.Errorf("--format zip:\n%s", r)
	}
	if after := env.MustBerth(t, "images", "-aq"); after != before {
		t.Errorf("a refused build changed the images:\n%s\n%s", before, after)
	}
}

// TestBuildSquashAnnotationProgress: --squash makes the build's layers
// one on top of the base's; --annotation lands on the manifest;
// --progress rawjson is refused, not ignored.
func TestBuildSquashAnnotationProgress(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"a.txt": "a\n",
		"Containerfile": `FROM busybox
RUN echo one > /one
COPY a.txt /a.txt
RUN rm /one && echo two > /two
`,
	})
	layers := func(img string) string {
		return env.MustBerth(t, "inspect", "--format", "{{len .RootFS.Layers}}", img)
	}
	env.MustBerth(t, "build", "-t", "layered", ctx)
	if got := layers("layered"); got != "4" {
		t.Errorf("plain build: %s layers, want 4", got)
	}
	env.MustBerth(t, "build", "--squash", "-t", "squashed", ctx)
	if got := layers("squashed"); got != "2" {
		t.Errorf("--squash: %s layers, want 2 (busybox's and one)", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "squashed", "sh", "-c", "cat /a.txt /two; test -e /one || echo gone"); got != "a\ntwo\ngone" {
		t.Errorf("squashed image root: %q", got)
	}
	env.MustBerth(t, "build", "--squash-all", "-t", "all", ctx)
	if got := layers("all"); got != "1" {
		t.Errorf("--squash-all: %s layers, want 1", got)
	}

	env.MustBerth(t, "build", "--annotation", "org.example.a=1", "--annotation", "b=two=2", "-t", "annotated", ctx)
	dir := env.TmpDir + "/annotated"
	env.MustBerth(t, "save", "--format", "oci-dir", "-o", dir, "annotated")
	var idx struct{ Manifests []struct{ Digest string } }
	readJSONFile(t, dir+"/index.json", &idx)
	var man struct{ Annotations map[string]string }
	readJSONFile(t, dir+"/blobs/sha256/"+strings.TrimPrefix(idx.Manifests[0].Digest, "sha256:"), &man)
	if man.Annotations["org.example.a"] != "1" || man.Annotations["b"] != "two=2" {
		t.Errorf("manifest annotations: %v", man.Annotations)
	}
	// image inspect shows them, as podman's.
	if got := env.MustBerth(t, "image", "inspect", "--format", `{{index .Annotations "org.example.a"}} {{index .Annotations "b"}}`, "annotated"); got != "1 two=2" {
		t.Errorf("image inspect annotations: %q", got)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--progress", "rawjson"}, "--progress rawjson is not supported"},
		{[]string{"--progress", "fancy"}, `invalid --progress "fancy"`},
		{[]string{"--annotation", "novalue"}, `invalid --annotation "novalue"`},
		{[]string{"--annotation", "a=1", "--format", "docker"}, "--annotation needs --format oci"},
	} {
		before := env.MustBerth(t, "images", "-aq")
		r := env.Berth(append(append([]string{"build"}, tc.args...), "-t", "bad", ctx)...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("build %v:\n%s", tc.args, r)
		}
		if after := env.MustBerth(t, "images", "-aq"); after != before {
			t.Errorf("build %v changed the images", tc.args)
		}
	}
}

func readJSONFile(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

// TestBuildCacheFromTo: --cache-to pushes every step's image to a
// repository, tagged with its cache key; another store building with
// --cache-from pulls them instead of running the steps.
func TestBuildCacheFromTo(t *testing.T) {
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"a.txt": "a\n",
		"Containerfile": `FROM busybox
RUN echo ran > /ran
COPY a.txt /a.txt
ENV X=1
`,
	})
	repo := reg.Ref("berth/cache")
	first := env.MustBerth(t, "build", "--tls-verify=false", "--cache-to", repo, "-t", "one", ctx)
	id := lastLine(first)

	// A fresh store with the same base image: every step from the cache.
	other := NewEnv(t)
	bb := env.TmpDir + "/busybox.tar"
	env.MustBerth(t, "save", "-o", bb, "busybox")
	other.MustBerth(t, "load", "-q", "-i", bb)
	ctx2 := writeContext(t, other, "ctx", map[string]string{
		"a.txt":         "a\n",
		"Containerfile": "FROM busybox\nRUN echo ran > /ran\nCOPY a.txt /a.txt\nENV X=1\n",
	})
	out := other.MustBerth(t, "build", "--tls-verify=false", "--cache-from", repo, "-t", "two", ctx2)
	if n := strings.Count(out, "--> Using cache"); n != 3 || strings.Contains(out, "\nran\n") {
		t.Errorf("--cache-from: %d cache hits, want 3:\n%s", n, out)
	}
	if got := lastLine(out); got != id {
		t.Errorf("--cache-from built %s, want %s", got, id)
	}
	if names := other.MustBerth(t, "images", "--format", "{{.Repository}}"); strings.Contains(names, "berth/cache") {
		t.Errorf("cache images stayed tagged:\n%s", names)
	}
	// A changed file misses from its step on.
	os.WriteFile(ctx2+"/a.txt", []byte("b\n"), 0o644)
	out = other.MustBerth(t, "build", "--tls-verify=false", "--cache-from", repo, "-t", "three", ctx2)
	if n := strings.Count(out, "--> Using cache"); n != 1 {
		t.Errorf("after a change: %d cache hits, want 1:\n%s", n, out)
	}

	r := env.Berth("build", "--cache-to", repo+":tag", ctx)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "a repository without a tag is expected") {
		t.Errorf("--cache-to with a tag:\n%s", r)
	}
}
