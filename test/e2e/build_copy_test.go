package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
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
