package e2e

import (
	"encoding/json"
	"net/http"
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
