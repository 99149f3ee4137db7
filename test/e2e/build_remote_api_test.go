package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitHTTPRepo makes a bare repository of files (committed on branch
// main; other on branch "other") and serves it over git's smart HTTP
// (git http-backend as a CGI) on 127.0.0.1 under /git/repo.git, next to
// extra handlers. It returns the server's URL and the work tree.
func gitHTTPRepo(t *testing.T, env *Env, files, other map[string]string, extra map[string]http.HandlerFunc) (string, string) {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skip("git not installed")
	}
	backend := filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skip("git http-backend not installed")
	}
	work := writeContext(t, env, "gitwork", files)
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git(work, "init", "-q")
	git(work, "add", ".")
	git(work, "commit", "-qm", "one")
	if len(other) > 0 {
		git(work, "checkout", "-qb", "other")
		for p, c := range other {
			if err := os.WriteFile(filepath.Join(work, p), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		git(work, "add", ".")
		git(work, "commit", "-qm", "two")
		git(work, "checkout", "-q", "main")
	}
	root := filepath.Join(env.TmpDir, "gitroot")
	git(env.TmpDir, "clone", "-q", "--bare", work, filepath.Join(root, "repo.git"))
	mux := http.NewServeMux()
	mux.Handle("/git/", &cgi.Handler{Path: backend, Root: "/git",
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}, Stderr: io.Discard})
	for p, h := range extra {
		mux.Handle(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, work
}

// TestAPIBuildRemote: the docker API's /build and podman's /libpod/build
// take remote= instead of a context archive: a git repository (served
// over smart HTTP by the test; #REF:DIR), an http(s) tarball (with
// dockerfile= inside it) or a lone Dockerfile; other values are refused.
func TestAPIBuildRemote(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	var tgz bytes.Buffer
	srvURL, work := gitHTTPRepo(t, env, map[string]string{
		"Dockerfile":        "FROM busybox\nCOPY msg.txt /msg\nCMD [\"cat\", \"/msg\"]\n",
		"msg.txt":           "from git main\n",
		"sub/Containerfile": "FROM busybox\nCOPY inner.txt /msg\nCMD [\"cat\", \"/msg\"]\n",
		"sub/inner.txt":     "from the subdir\n",
		"Alt.dockerfile":    "FROM busybox\nCOPY sub/inner.txt /msg\nCMD [\"cat\", \"/msg\"]\n",
	}, map[string]string{"sub/inner.txt": "from branch other\n"}, map[string]http.HandlerFunc{
		"/ctx.tar.gz": func(w http.ResponseWriter, r *http.Request) { w.Write(tgz.Bytes()) },
		"/Dockerfile": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("FROM busybox\nRUN echo plain > /msg\nCMD [\"cat\", \"/msg\"]\n"))
		},
	})
	tarCmd := exec.Command("tar", "-czf", "-", "--exclude=.git", "-C", work, ".")
	tarCmd.Stdout = &tgz
	if err := tarCmd.Run(); err != nil {
		t.Fatal(err)
	}
	uri := apiService(t, env)
	repo := srvURL + "/git/repo.git"
	for _, tc := range []struct{ path, tag, want string }{
		{"/build?t=rg1&remote=" + url.QueryEscape(repo), "rg1", "from git main"},
		{"/libpod/build?t=rg2&remote=" + url.QueryEscape(repo+"#other:sub"), "rg2", "from branch other"},
		{"/build?t=rg3&dockerfile=Alt.dockerfile&remote=" + url.QueryEscape(srvURL+"/ctx.tar.gz"), "rg3", "from the subdir"},
		{"/build?t=rg4&remote=" + url.QueryEscape(srvURL+"/Dockerfile"), "rg4", "plain"},
	} {
		code, body, err := apiDo(uri, "POST", tc.path, "")
		if err != nil || code != 200 || strings.Contains(body, `"error"`) {
			t.Errorf("POST %s: %d %v\n%s", tc.path, code, err, body)
			continue
		}
		if got := env.MustBerth(t, "run", "--rm", tc.tag); got != tc.want {
			t.Errorf("POST %s: the image says %q, want %q", tc.path, got, tc.want)
		}
	}
	for _, tc := range []struct{ remote, want string }{
		{"/etc", "neither a git repository nor an http(s) URL"},
		{"file://" + filepath.Join(env.TmpDir, "gitroot", "repo.git"), "neither a git repository nor an http(s) URL"},
		{srvURL + "/git/nosuch.git", "git clone failed"},
		{repo + "#main:nosuchdir", "directory nosuchdir in the repository"},
		{srvURL + "/missing.tar", "404 Not Found"},
	} {
		code, body, err := apiDo(uri, "POST", "/build?t=bad&remote="+url.QueryEscape(tc.remote), "")
		if err != nil || code != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("remote=%s: %d %v\n%s", tc.remote, code, err, body)
		}
	}
	if r := env.Berth("image", "exists", "bad"); r.ExitCode() == 0 {
		t.Errorf("a refused remote build made an image")
	}
}
