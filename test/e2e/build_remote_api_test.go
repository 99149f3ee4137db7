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

// TestBuildAddGit: ADD of a git repository (buildkit's) copies its files
// (of #REF:DIR) into the destination, without .git unless
// --keep-git-dir=true; an unchanged repository is a cache hit, a new
// commit is not; bad uses fail clearly; no clone stays behind.
func TestBuildAddGit(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	srvURL, work := gitHTTPRepo(t, env, map[string]string{
		"msg.txt":       "from git main\n",
		"sub/inner.txt": "from the subdir\n",
	}, map[string]string{"sub/inner.txt": "from branch other\n"}, nil)
	repo := srvURL + "/git/repo.git"
	tmp := filepath.Join(env.Dir, "buildtmp")
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, "TMPDIR="+tmp)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"local.txt": "l\n",
		"Containerfile": "FROM busybox\nARG REPO\n" +
			"ADD $REPO /src\n" +
			"ADD ${REPO}#other:sub /sub/\n" +
			"ADD --keep-git-dir=true ${REPO}#main /withgit\n" +
			"RUN ls -A /src | tr '\\n' ' ' > /ls && cat /src/msg.txt /sub/inner.txt > /cat && test -d /withgit/.git && test ! -e /src/.git && echo ok > /ok\n",
	})
	build := func(tag string) string {
		t.Helper()
		return env.MustBerth(t, "build", "--build-arg", "REPO="+repo, "-t", tag, ctx)
	}
	build("ag1")
	if got := env.MustBerth(t, "run", "--rm", "ag1", "cat", "/ls", "/cat", "/ok"); got != "msg.txt sub from git main\nfrom branch other\nok" {
		t.Errorf("ADD git: %q", got)
	}
	id := env.MustBerth(t, "images", "-q", "--no-trunc", "ag1")
	if out := build("ag2"); strings.Count(out, "--> Using cache") != 4 || env.MustBerth(t, "images", "-q", "--no-trunc", "ag2") != id {
		t.Errorf("unchanged repository: not every step cached:\n%s", out)
	}
	// A new commit on main: the ADDs of main run again.
	if err := os.WriteFile(filepath.Join(work, "msg.txt"), []byte("second commit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"commit", "-qam", "three"}, {"push", "-q", filepath.Join(env.TmpDir, "gitroot", "repo.git"), "main"}} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = work
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	build("ag3")
	if got := env.MustBerth(t, "run", "--rm", "ag3", "cat", "/src/msg.txt"); got != "second commit" {
		t.Errorf("after a new commit: %q", got)
	}

	for _, tc := range []struct{ file, want string }{
		{"FROM busybox\nADD --keep-git-dir=true local.txt /x\n", "ADD --keep-git-dir needs a git repository source"},
		{"FROM busybox\nADD " + srvURL + "/git/nosuch.git /x\n", "git clone failed"},
		{"FROM busybox\nADD " + repo + "#main:nosuchdir /x\n", "directory nosuchdir in the repository"},
		{"FROM busybox\nCOPY " + repo + " /x\n", "COPY cannot copy from a URL"},
	} {
		dir := writeContext(t, env, "bad", map[string]string{"local.txt": "l\n", "Containerfile": tc.file})
		before := env.MustBerth(t, "images", "-aq")
		r := env.Berth("build", "-t", "bad", dir)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("%s: want %q:\n%s", tc.file, tc.want, r)
		}
		if after := env.MustBerth(t, "images", "-aq"); after != before {
			t.Errorf("%s: images changed", tc.file)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "berth-build-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestAPIBuildCacheFrom: docker's cachefrom names images whose history
// is the cache: an image built without its intermediate images (--layers
// =false) serves every step of the same build through the API, restored
// from its layers (the last step is the image itself); a missing image is
// skipped with a warning; a changed file runs from its COPY on.
func TestAPIBuildCacheFrom(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"f.txt":      "content\n",
		"Dockerfile": "FROM busybox\nENV A=1\nCOPY f.txt /f\nRUN echo ran-step && echo \"$A\" > /x\nCMD [\"cat\", \"/x\", \"/f\"]\n",
	})
	env.MustBerth(t, "build", "--format", "docker", "--layers=false", "-t", "cachesrc", ctx)
	src := env.MustBerth(t, "images", "-q", "--no-trunc", "cachesrc")
	if n := len(strings.Fields(env.MustBerth(t, "images", "-aq"))); n != 2 {
		t.Fatalf("--layers=false kept intermediate images: %d images", n)
	}
	var tarball bytes.Buffer
	tarCmd := exec.Command("tar", "-cf", "-", "-C", ctx, ".")
	tarCmd.Stdout = &tarball
	if err := tarCmd.Run(); err != nil {
		t.Fatal(err)
	}
	uri := apiService(t, env)
	build := func(tag, cacheFrom string) string {
		t.Helper()
		path := "/build?t=" + tag
		if cacheFrom != "" {
			path += "&cachefrom=" + url.QueryEscape(cacheFrom)
		}
		code, body, err := apiDo(uri, "POST", path, tarball.String())
		if err != nil || code != 200 || strings.Contains(body, `"error"`) {
			t.Fatalf("POST %s: %d %v\n%s", path, code, err, body)
		}
		return body
	}
	out := build("cached", `["nosuch:image", "cachesrc"]`)
	if strings.Count(out, "Using cache") != 4 || strings.Contains(out, `"ran-step\n"`) || !strings.Contains(out, "cache source nosuch:image") {
		t.Errorf("build with cachefrom:\n%s", out)
	}
	if id := env.MustBerth(t, "images", "-q", "--no-trunc", "cached"); id != src {
		t.Errorf("the last step is not the cache image itself: %s, want %s", id, src)
	}
	if got := env.MustBerth(t, "run", "--rm", "cached"); got != "1\ncontent" {
		t.Errorf("run: %q", got)
	}
	// The restored steps are the local cache now; a changed file runs
	// from its COPY on.
	if err := os.WriteFile(filepath.Join(ctx, "f.txt"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tarball.Reset()
	tarCmd = exec.Command("tar", "-cf", "-", "-C", ctx, ".")
	tarCmd.Stdout = &tarball
	if err := tarCmd.Run(); err != nil {
		t.Fatal(err)
	}
	out = build("changed", `["cachesrc"]`)
	if strings.Count(out, "Using cache") != 1 || !strings.Contains(out, `"ran-step\n"`) {
		t.Errorf("build with a changed file:\n%s", out)
	}
	if got := env.MustBerth(t, "run", "--rm", "changed"); got != "1\nchanged" {
		t.Errorf("run: %q", got)
	}
}
