package e2e

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestSearchAndPushAllTags pushes every tag of a repository with docker's
// push -a, then finds it with search (the registry's /v2/_catalog) and
// lists its tags.
func TestSearchAndPushAllTags(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	env.ImportBusybox(t)
	repo := reg.Addr + "/team/findme"
	env.MustBerth(t, "tag", "busybox", repo+":v1", repo+":v2", reg.Addr+"/other:1")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"push", "-a", repo + ":v1"}, "tag can't be used with --all-tags/-a"},
		{[]string{"push", "-a", reg.Addr + "/nosuch"}, "an image does not exist locally with the tag: " + reg.Addr + "/nosuch"},
		{[]string{"push", "-a", repo, "elsewhere"}, "--all-tags takes a repository and no destination"},
	} {
		if r := env.Berth(c.args...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) {
			t.Errorf("%v: want %q, got %s", c.args, c.want, r)
		}
	}
	env.MustBerth(t, "push", "-q", "--tls-verify=false", "--all-tags", repo)

	tags := env.MustBerth(t, "search", "--tls-verify=false", "--list-tags", repo)
	if tags != "NAME"+strings.Repeat(" ", len(repo)-2)+"TAG\n"+repo+"  v1\n"+repo+"  v2" {
		t.Errorf("search --list-tags =\n%s", tags)
	}
	if got := env.MustBerth(t, "search", "--tls-verify=false", "--list-tags", "--limit", "1", "--format", "{{.Name}}:{{.Tag}}", repo); got != repo+":v1" {
		t.Errorf("search --list-tags --limit 1 = %q", got)
	}
	// other:1 was not pushed by push -a team/findme.
	out := env.MustBerth(t, "search", "--tls-verify=false", reg.Addr+"/find")
	if lines := strings.Split(out, "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "DESCRIPTION") ||
		strings.TrimSpace(lines[1]) != repo {
		t.Errorf("search find =\n%s", out)
	}
	if got := env.MustBerth(t, "search", "--tls-verify=false", "--format", "{{.Index}} {{.Name}}", reg.Addr+"/"); got != reg.Addr+" "+repo {
		t.Errorf("search --format = %q", got)
	}
	var res []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "search", "--tls-verify=false", "--format", "json", reg.Addr+"/findme")), &res); err != nil ||
		len(res) != 1 || res[0]["Name"] != repo || res[0]["Index"] != reg.Addr {
		t.Errorf("search --format json = %v (%v)", res, err)
	}
	if got := env.MustBerth(t, "search", "--tls-verify=false", "--filter", "stars=1", reg.Addr+"/findme"); got != "NAME        DESCRIPTION" {
		t.Errorf("search --filter stars=1 = %q", got)
	}
	if got := env.MustBerth(t, "search", "--tls-verify=false", "--filter", "is-official=false", "--format", "{{.Name}}", reg.Addr+"/findme"); got != repo {
		t.Errorf("search --filter is-official=false = %q", got)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--filter", "stars=x", "a/b"}, `non-integer value for stars filter: "x"`},
		{[]string{"--filter", "bogus=1", "a/b"}, `invalid filter type "bogus"`},
		{[]string{"--filter", "is-official=maybe", "a/b"}, "non-boolean value for is-official filter"},
		{[]string{"--list-tags", repo + ":v1"}, "tags can only be listed for a repository without a tag"},
		{[]string{"127.0.0.1:1/x"}, "connection refused"},
		{[]string{}, "accepts 1 arg(s), received 0"},
	} {
		r := env.Berth(append([]string{"search", "--tls-verify=false"}, c.args...)...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) {
			t.Errorf("search %v: want %q, got %s", c.args, c.want, r)
		}
	}
	// Without --tls-verify=false, the plain-HTTP test registry is refused.
	if r := env.Berth("search", reg.Addr+"/findme"); r.ExitCode() != 125 {
		t.Errorf("search over TLS of a plain registry: %s", r)
	}
}

// docker search and podman's remote search reach the registry through the
// service's /images/search routes (the same service.Search as the CLI).
func TestAPISearch(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	env.ImportBusybox(t)
	repo := reg.Addr + "/apisearch/found"
	env.MustBerth(t, "tag", "busybox", repo+":v1")
	env.MustBerth(t, "push", "-q", "--tls-verify=false", repo+":v1")
	uri := apiService(t, env)

	d := newDockerCLI(t, uri)
	if got := d.must("search", "--format", "{{.Name}} {{.StarCount}}", reg.Addr+"/apisearch"); got != repo+" 0" {
		t.Errorf("docker search = %q", got)
	}
	if got := d.must("search", "--filter", "stars=1", "--format", "{{.Name}}", reg.Addr+"/apisearch"); got != "" {
		t.Errorf("docker search --filter stars=1 = %q", got)
	}
	if _, errOut, code := d.run("search", "--filter", "bogus=1", reg.Addr+"/apisearch"); code == 0 || !strings.Contains(errOut, "bogus") {
		t.Errorf("docker search with a bad filter: %d %s", code, errOut)
	}

	resp, body := libpodRequest(t, uri, "GET", "/v5.0.0/libpod/images/search?tlsVerify=false&listTags=true&term="+url.QueryEscape(repo))
	var res []map[string]any
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &res) != nil || len(res) != 1 || res[0]["Name"] != repo || res[0]["Tag"] != "v1" {
		t.Errorf("libpod search listTags: %d %s", resp.StatusCode, body)
	}
	if st, body, _ := apiDo(uri, "GET", "/images/search", ""); st != 400 || !strings.Contains(body, "term") {
		t.Errorf("search without a term: %d %s", st, body)
	}
}
