package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildHeredocExpansion: COPY heredocs expand ARG and ENV unless
// their delimiter is quoted; RUN heredocs are the shell's to expand;
// <<- strips tabs; a #! heredoc runs with its interpreter.
func TestBuildHeredocExpansion(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"Containerfile": "FROM busybox\nARG name=world\nENV GREET=hello\n" +
			"COPY <<EOF /c1\n$GREET ${name}! '${name}'\nEOF\n" +
			"COPY <<'EOF' /c2\n$GREET ${name}!\nEOF\n" +
			"COPY <<\"EOF\" /c3\n${name}\nEOF\n" +
			"RUN <<EOF\ngreeting=Hi\necho \"$greeting $name $GREET\" > /r1\nEOF\n" +
			"RUN <<-EOF\n\techo tabbed > /r2\nEOF\n" +
			"RUN <<EOF\n#!/bin/awk -f\nBEGIN { print \"from awk\" > \"/r3\" }\nEOF\n" +
			"RUN cat /c1 /c2 /c3 /r1 /r2 /r3 > /all\n",
	})
	env.MustBerth(t, "build", "--build-arg", "name=you", "-t", "hd", ctx)
	want := "hello you! 'you'\n$GREET ${name}!\n${name}\nHi you hello\ntabbed\nfrom awk"
	if got := env.MustBerth(t, "run", "--rm", "hd", "cat", "/all"); got != want {
		t.Errorf("heredocs:\n%s\nwant:\n%s", got, want)
	}
	if got := env.MustBerth(t, "run", "--rm", "hd", "sh", "-c", "ls /dev/pipes 2>/dev/null | wc -l"); got != "0" {
		t.Errorf("the #! script was committed: %s", got)
	}
	// Another argument value is another COPY heredoc content: no cache.
	out := env.MustBerth(t, "build", "--build-arg", "name=them", "-t", "hd2", ctx)
	if got := env.MustBerth(t, "run", "--rm", "hd2", "cat", "/c1"); got != "hello them! 'them'" {
		t.Errorf("rebuild with another arg: %q\n%s", got, out)
	}
}

// TestBuildCopyParentsExclude: COPY --parents keeps the source's path
// (from a /./ pivot on); --exclude leaves files out, also of directories.
func TestBuildCopyParentsExclude(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"x/a.txt":     "xa\n",
		"y/a.txt":     "ya\n",
		"p/q/r/b.txt": "b\n",
		"d/keep.txt":  "keep\n",
		"d/drop.md":   "drop\n",
		"d/sub/n.md":  "n\n",
		"d/sub/m.txt": "m\n",
		"top.md":      "top\n",
		"top.txt":     "top\n",
		"Containerfile": `FROM busybox
COPY --parents x/a.txt y/a.txt /par/
COPY --parents p/./q/r/b.txt /piv/
COPY --parents */a.txt /glob/
COPY --exclude=*.md --exclude=sub/*.txt d /ex/
COPY --exclude=*.md --exclude=sub top* /ex2/
RUN find /par /piv /glob /ex /ex2 -type f | sort > /list
`,
	})
	env.MustBerth(t, "build", "-t", "pe", ctx)
	want := "/ex/keep.txt\n/ex/sub/n.md\n/ex2/top.txt\n/glob/x/a.txt\n/glob/y/a.txt\n/par/x/a.txt\n/par/y/a.txt\n/piv/q/r/b.txt"
	if got := env.MustBerth(t, "run", "--rm", "pe", "cat", "/list"); got != want {
		t.Errorf("files:\n%s\nwant:\n%s", got, want)
	}
	// Excluding everything: one line, 125, nothing committed.
	bad := writeContext(t, env, "bad", map[string]string{
		"a.md":          "a\n",
		"Containerfile": "FROM busybox\nCOPY --exclude=*.md a.md /\n",
	})
	r := env.Berth("build", "-t", "bad", bad)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "--exclude left nothing to copy") {
		t.Errorf("exclude all:\n%s", r)
	}
}

// TestBuildAddURL: ADD fetches http(s) URLs (mode 0600, not extracted),
// verifies --checksum, and refuses --checksum for local files.
func TestBuildAddURL(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	body := "remote content\n"
	sum := sha256.Sum256([]byte(body))
	digest := "sha256:" + hex.EncodeToString(sum[:])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/files/remote.txt":
			w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
			w.Write([]byte(body))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := writeContext(t, env, "ctx", map[string]string{
		"local.txt": "local\n",
		"Containerfile": "FROM busybox\nARG URL\n" +
			"ADD $URL/files/remote.txt /dl/\n" +
			"ADD --checksum=" + digest + " $URL/files/remote.txt /sum.txt\n" +
			"RUN stat -c '%a %Y' /dl/remote.txt > /mode && cat /dl/remote.txt /sum.txt > /both\n",
	})
	env.MustBerth(t, "build", "--build-arg", "URL="+srv.URL, "-t", "url", ctx)
	if got := env.MustBerth(t, "run", "--rm", "url", "cat", "/mode", "/both"); got != "600 1136214245\n"+body+body[:len(body)-1] {
		t.Errorf("ADD URL: %q", got)
	}

	for _, tc := range []struct{ file, want string }{
		{"FROM busybox\nADD --checksum=sha256:" + strings.Repeat("0", 64) + " " + srv.URL + "/files/remote.txt /x\n", "does not match --checksum"},
		{"FROM busybox\nADD --checksum=" + digest + " local.txt /x\n", "--checksum can't be specified for non-HTTP(S) sources"},
		{"FROM busybox\nADD --checksum=md5:zz " + srv.URL + "/files/remote.txt /x\n", "invalid digest"},
		{"FROM busybox\nADD " + srv.URL + "/nosuch /x\n", "404 Not Found"},
		{"FROM busybox\nCOPY " + srv.URL + "/files/remote.txt /x\n", "COPY cannot copy from a URL"},
	} {
		dir := writeContext(t, env, "bad", map[string]string{"local.txt": "l\n", "Containerfile": tc.file})
		before := env.MustBerth(t, "images", "-aq")
		r := env.Berth("build", "-t", "bad", dir)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("%s:\n%s", tc.file, r)
		}
		if after := env.MustBerth(t, "images", "-aq"); after != before {
			t.Errorf("%s: images changed", tc.file)
		}
	}
}

// TestBuildRemoteContext: a git repository (cloned with --depth 1, of a
// #REF:DIR fragment) and an http(s) tarball or Containerfile are
// contexts.
func TestBuildRemoteContext(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	env := NewEnv(t)
	env.ImportBusybox(t)
	work := writeContext(t, env, "work", map[string]string{
		"Containerfile":     "FROM busybox\nCOPY msg.txt /msg\nCMD [\"cat\", \"/msg\"]\n",
		"msg.txt":           "from git main\n",
		"sub/Containerfile": "FROM busybox\nCOPY inner.txt /msg\nCMD [\"cat\", \"/msg\"]\n",
		"sub/inner.txt":     "from the subdir\n",
	})
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
	git(work, "checkout", "-qb", "other")
	os.WriteFile(filepath.Join(work, "sub", "inner.txt"), []byte("from branch other\n"), 0o644)
	git(work, "commit", "-qam", "two")
	bare := filepath.Join(env.TmpDir, "repo.git")
	git(env.TmpDir, "clone", "-q", "--bare", work, bare)

	env.MustBerth(t, "build", "-t", "g1", "file://"+bare+"#main")
	if got := env.MustBerth(t, "run", "--rm", "g1"); got != "from git main" {
		t.Errorf("git context: %q", got)
	}
	env.MustBerth(t, "build", "-t", "g2", "file://"+bare+"#other:sub")
	if got := env.MustBerth(t, "run", "--rm", "g2"); got != "from branch other" {
		t.Errorf("git context #other:sub: %q", got)
	}

	// http: a gzipped tarball of the work tree, and a Containerfile alone.
	var tgz bytes.Buffer
	tarCmd := exec.Command("tar", "-czf", "-", "--exclude=.git", "-C", work, ".")
	tarCmd.Stdout = &tgz
	if err := tarCmd.Run(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ctx.tar.gz":
			w.Write(tgz.Bytes())
		case "/Containerfile":
			w.Write([]byte("FROM busybox\nRUN echo plain > /msg\nCMD [\"cat\", \"/msg\"]\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	env.MustBerth(t, "build", "-t", "h1", srv.URL+"/ctx.tar.gz")
	if got := env.MustBerth(t, "run", "--rm", "h1"); got != "from git main" {
		t.Errorf("http tarball context: %q", got)
	}
	env.MustBerth(t, "build", "-t", "h2", srv.URL+"/Containerfile")
	if got := env.MustBerth(t, "run", "--rm", "h2"); got != "plain" {
		t.Errorf("http Containerfile: %q", got)
	}

	for _, tc := range []struct{ arg, want string }{
		{"file://" + env.TmpDir + "/nosuch.git", "git clone failed"},
		{"file://" + bare + "#nosuchbranch", "git clone failed"},
		{"file://" + bare + "#main:nosuchdir", "directory nosuchdir in the repository"},
		{srv.URL + "/missing.tar", "404 Not Found"},
	} {
		r := env.Berth("build", "-t", "bad", tc.arg)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("build %s:\n%s", tc.arg, r)
		}
	}
	if leftover, _ := filepath.Glob("/tmp/berth-build-git-*"); len(leftover) > 0 {
		t.Logf("note: clones in /tmp (maybe another test's): %v", leftover)
	}
}
