package build

import (
	"archive/tar"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

func TestParseFile(t *testing.T) {
	f, err := parseFile("Containerfile", []byte("ARG BASE=busybox\nFROM $BASE AS one\nRUN true\nFROM one\nCOPY --from=one /a /b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.stages) != 2 || f.stages[0].Name != "one" || f.stages[0].BaseName != "$BASE" || len(f.metaArgs) != 1 {
		t.Fatalf("stages %+v, meta args %+v", f.stages, f.metaArgs)
	}
	if got := commandText(f.stages[1].Commands[0]); got != "COPY --from=one /a /b" {
		t.Errorf("commandText = %q", got)
	}
	if l := line(f.stages[1].Commands[0].Location()); l != 5 {
		t.Errorf("line = %d, want 5", l)
	}

	for _, tc := range []struct{ in, want string }{
		{"FROM busybox\nBOGUS x\n", "parsing Containerfile:2: unknown instruction: BOGUS"},
		{"RUN true\n", "parsing Containerfile"},
		{"# only a comment\n", "no instructions"},
		{"FROM busybox\nCOPY\n", "Containerfile:2"},
	} {
		_, err := parseFile("Containerfile", []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFile(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// argCommand parses one ARG line.
func argCommand(t *testing.T, src string) *instructions.ArgCommand {
	t.Helper()
	f, err := parseFile("Containerfile", []byte(src+"\nFROM scratch\n"))
	if err != nil {
		t.Fatal(err)
	}
	return &f.metaArgs[0]
}

func TestDeclareArgs(t *testing.T) {
	lex := shell.NewLex('\\')
	used := map[string]bool{}
	global := newArgs()
	if err := declareArgs(global, argCommand(t, "ARG A=1 B=x${A}y C"), map[string]string{"C": "from-flag"}, nil, nil, lex, used); err != nil {
		t.Fatal(err)
	}
	if got := global.env(nil); !slices.Equal(got, []string{"A=1", "B=x1y", "C=from-flag"}) {
		t.Errorf("global args = %v", got)
	}

	stage := newArgs()
	// Declared again in a stage without a value: the global value;
	// --build-arg beats a default; no value anywhere: not in the env.
	if err := declareArgs(stage, argCommand(t, "ARG A B=default D"), map[string]string{"B": "flag"}, global, nil, lex, used); err != nil {
		t.Fatal(err)
	}
	if got := stage.env(nil); !slices.Equal(got, []string{"A=1", "B=flag"}) {
		t.Errorf("stage args = %v", got)
	}
	// ENV of the same name hides an argument from RUN's environment.
	if got := stage.env([]string{"A=env"}); !slices.Equal(got, []string{"B=flag"}) {
		t.Errorf("shadowed args = %v", got)
	}
	// The automatic platform arguments, declared without a value.
	plat := newArgs()
	if err := declareArgs(plat, argCommand(t, "ARG TARGETARCH TARGETPLATFORM"), nil, global, nil, lex, used); err != nil {
		t.Fatal(err)
	}
	if got := plat.env(nil); !slices.Equal(got, []string{"TARGETARCH=" + runtime.GOARCH, "TARGETPLATFORM=" + runtime.GOOS + "/" + runtime.GOARCH}) {
		t.Errorf("platform args = %v", got)
	}
	if got := unusedArgs(map[string]string{"A": "", "E": "", "HTTP_PROXY": "", "BUILDOS": ""}, used); !slices.Equal(got, []string{"E"}) {
		t.Errorf("unusedArgs = %v", got)
	}
}

func TestApplyConfig(t *testing.T) {
	src := `FROM scratch
ENV A=1 B="two words"
LABEL k=v "x y"=z
EXPOSE 80 53/udp 1000-1002/tcp
VOLUME ["/data", "/logs"]
USER app:app
CMD echo hi
ENTRYPOINT ["/bin/tini"]
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=3s CMD true
SHELL ["/bin/bash", "-c"]
ENTRYPOINT run me
ONBUILD RUN echo later
MAINTAINER me
`
	f, err := parseFile("Containerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := &stageState{args: newArgs()}
	var history []string
	lex := shell.NewLex(f.escape)
	for _, cmd := range f.stages[0].Commands {
		if err := expandCommand(lex, s, cmd); err != nil {
			t.Fatal(err)
		}
		h, err := applyConfig(s, cmd)
		if err != nil {
			t.Fatalf("%s: %v", commandText(cmd), err)
		}
		history = append(history, h)
	}
	c := s.cfg
	if !slices.Equal(c.Env, []string{"A=1", "B=two words"}) || c.Labels["x y"] != "z" || c.User != "app:app" || c.StopSignal != "SIGUSR1" {
		t.Errorf("config: %+v", c)
	}
	for _, p := range []string{"80/tcp", "53/udp", "1000-1002/tcp"} {
		if _, ok := c.ExposedPorts[p]; !ok {
			t.Errorf("ExposedPorts %v lacks %s", c.ExposedPorts, p)
		}
	}
	if _, ok := c.Volumes["/logs"]; !ok {
		t.Errorf("Volumes = %v", c.Volumes)
	}
	// CMD was set in this stage, so the ENTRYPOINTs keep it; the shell
	// form runs in SHELL.
	if !slices.Equal(c.Cmd, []string{"/bin/sh", "-c", "echo hi"}) || !slices.Equal(c.Entrypoint, []string{"/bin/bash", "-c", "run me"}) {
		t.Errorf("Cmd %q Entrypoint %q", c.Cmd, c.Entrypoint)
	}
	if c.Healthcheck == nil || c.Healthcheck.Interval != 3*time.Second || !slices.Equal(c.Healthcheck.Test, []string{"CMD-SHELL", "true"}) {
		t.Errorf("Healthcheck = %+v", c.Healthcheck)
	}
	if !slices.Equal(c.OnBuild, []string{"RUN echo later"}) || s.author != "me" || !slices.Equal(c.Shell, []string{"/bin/bash", "-c"}) {
		t.Errorf("OnBuild %v author %q shell %v", c.OnBuild, s.author, c.Shell)
	}
	if history[0] != "ENV A=1 B=two words" || !strings.Contains(history[2], "53/udp") {
		t.Errorf("history = %q", history)
	}

	// An ENTRYPOINT in a stage without CMD drops the base's CMD.
	s2 := &stageState{args: newArgs()}
	s2.cfg.Cmd = []string{"/bin/sh"}
	f2, _ := parseFile("Containerfile", []byte("FROM scratch\nENTRYPOINT [\"/x\"]\n"))
	if _, err := applyConfig(s2, f2.stages[0].Commands[0]); err != nil || s2.cfg.Cmd != nil {
		t.Errorf("Cmd after ENTRYPOINT = %v (%v)", s2.cfg.Cmd, err)
	}

	bad, _ := parseFile("Containerfile", []byte("FROM scratch\nSTOPSIGNAL SIGNOPE\nEXPOSE 99999\n"))
	for _, cmd := range bad.stages[0].Commands {
		if _, err := applyConfig(&stageState{args: newArgs()}, cmd); err == nil {
			t.Errorf("%s: no error", commandText(cmd))
		}
	}
}

func TestParseChmod(t *testing.T) {
	if m, err := parseChmod("0640"); err != nil || *m != 0o640 {
		t.Errorf("parseChmod(0640) = %v, %v", m, err)
	}
	for _, bad := range []string{"rwx", "9", "77777"} {
		if _, err := parseChmod(bad); err == nil {
			t.Errorf("parseChmod(%q): no error", bad)
		}
	}
}

// writeFiles creates files under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestContextSourcesAndIgnore(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.txt": "a", "b.txt": "b", "skip.txt": "s",
		"logs/x.log": "x", "logs/keep.log": "k", "sub/deep/f": "f",
		".dockerignore":    "skip.txt\nlogs/*.log\n!logs/keep.log\n",
		".containerignore": "",
	})
	// .containerignore wins: it is empty, so nothing is excluded.
	ign, err := readIgnore(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if b := (&builder{ignore: ign}); b.ignored("skip.txt") {
		t.Errorf(".containerignore did not win over .dockerignore")
	}
	os.Remove(filepath.Join(dir, ".containerignore"))
	// The Containerfile's own ignore file wins over the context's.
	writeFiles(t, dir, map[string]string{"Special.dockerignore": "a.txt\n"})
	if ign, err = readIgnore(dir, filepath.Join(dir, "Special")); err != nil {
		t.Fatal(err)
	}
	if b := (&builder{ignore: ign}); !b.ignored("a.txt") || b.ignored("skip.txt") {
		t.Errorf("Special.dockerignore was not used")
	}
	if ign, err = readIgnore(dir, filepath.Join(dir, "Containerfile")); err != nil {
		t.Fatal(err)
	}
	b := &builder{opts: &Options{ContextDir: dir}, ignore: ign}

	names := func(srcs []ctxSource) []string {
		var out []string
		for _, s := range srcs {
			for _, e := range s.entries {
				out = append(out, s.name+":"+e.rel)
			}
		}
		return out
	}
	srcs, err := b.contextSources(copyRequest{kind: "COPY", SourcesAndDest: instructions.SourcesAndDest{SourcePaths: []string{"*.txt"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(srcs); !slices.Equal(got, []string{"a.txt:", "b.txt:"}) {
		t.Errorf("*.txt = %v", got)
	}
	srcs, err = b.contextSources(copyRequest{kind: "COPY", SourcesAndDest: instructions.SourcesAndDest{SourcePaths: []string{"logs", "./sub/"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(srcs); !slices.Equal(got, []string{"logs:", "logs:keep.log", "sub:", "sub:deep", "sub:deep/f"}) {
		t.Errorf("dirs = %v", got)
	}
	// A symlink resolves inside the context: it cannot reach a host file.
	if err := os.Symlink("/etc", filepath.Join(dir, "etc-link")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, want string }{
		{"etc-link/passwd", "no such file or directory"},
		{"skip.txt", "excluded by the ignore file"},
		{"missing", "no such file or directory"},
		{"../x", "forbidden path outside the build context"},
		{"nomatch*", "no source files"},
		{"ftp://example.com/x", "only http:// and https:// URLs"},
	} {
		_, err := b.contextSources(copyRequest{kind: "COPY", SourcesAndDest: instructions.SourcesAndDest{SourcePaths: []string{tc.src}}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("COPY %s: %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestHashSources(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d/a": "one", "d/b": "two"})
	b := &builder{opts: &Options{ContextDir: dir}}
	hash := func() string {
		srcs, err := b.contextSources(copyRequest{kind: "COPY", SourcesAndDest: instructions.SourcesAndDest{SourcePaths: []string{"d"}}})
		if err != nil {
			t.Fatal(err)
		}
		h, err := hashSources(srcs)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h1 := hash()
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "d/a"), later, later)
	if h2 := hash(); h2 != h1 {
		t.Errorf("a new mtime changed the digest")
	}
	writeFiles(t, dir, map[string]string{"d/a": "ONE"})
	h3 := hash()
	if h3 == h1 {
		t.Errorf("changed content kept the digest")
	}
	os.Chmod(filepath.Join(dir, "d/a"), 0o600)
	if hash() == h3 {
		t.Errorf("a changed mode kept the digest")
	}
}

func TestOpenSource(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Containerfile": "FROM scratch\n"})
	s, err := OpenSource(dir, nil, "")
	if err != nil || s.Dir != dir || s.Extracted {
		t.Fatalf("directory: %+v, %v", s, err)
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "Containerfile", Mode: 0o644, Size: 13, Typeflag: tar.TypeReg})
	tw.Write([]byte("FROM scratch\n"))
	tw.Close()
	tarPath := filepath.Join(dir, "ctx.tar")
	os.WriteFile(tarPath, buf.Bytes(), 0o644)
	for name, open := range map[string]func() (*Source, error){
		"file":  func() (*Source, error) { return OpenSource(tarPath, nil, t.TempDir()) },
		"stdin": func() (*Source, error) { return OpenSource("-", bytes.NewReader(buf.Bytes()), t.TempDir()) },
	} {
		s, err := open()
		if err != nil || !s.Extracted {
			t.Fatalf("%s tarball: %+v, %v", name, s, err)
		}
		if b, err := os.ReadFile(filepath.Join(s.Dir, "Containerfile")); err != nil || string(b) != "FROM scratch\n" {
			t.Errorf("%s tarball: Containerfile %q, %v", name, b, err)
		}
		s.Remove()
		if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
			t.Errorf("%s: Remove left %s", name, s.Dir)
		}
	}

	s, err = OpenSource("-", strings.NewReader("FROM busybox\n"), "")
	if err != nil || s.Dir != "" || string(s.Containerfile) != "FROM busybox\n" {
		t.Errorf("stdin Containerfile: %+v, %v", s, err)
	}
	for _, bad := range []string{filepath.Join(dir, "Containerfile"), filepath.Join(dir, "missing"), "file:///nonexistent-berth-repo.git", "file:///x.git#-bad"} {
		if _, err := OpenSource(bad, nil, ""); err == nil {
			t.Errorf("OpenSource(%s): no error", bad)
		}
	}
}

func TestRunArgv(t *testing.T) {
	src := "FROM scratch\nRUN echo a && echo b\nRUN [\"/bin/true\", \"x\"]\nRUN <<EOT\necho script\nEOT\nRUN cat > /f <<EOT\nbody\nEOT\nRUN <<-EOT\n\techo tabbed\nEOT\nRUN <<EOT\n#!/bin/awk -f\nBEGIN{}\nEOT\n"
	f, err := parseFile("Containerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := &stageState{args: newArgs()}
	cmds := f.stages[0].Commands
	for i, want := range []struct {
		argv      []string
		createdBy string
	}{
		{[]string{"/bin/sh", "-c", "echo a && echo b"}, "/bin/sh -c echo a && echo b"},
		{[]string{"/bin/true", "x"}, `/bin/sh -c #(nop) RUN ["/bin/true","x"]`},
		{[]string{"/bin/sh", "-c", "echo script\n"}, "/bin/sh -c echo script\n"},
		{[]string{"/bin/sh", "-c", "cat > /f <<EOT\nbody\nEOT"}, "/bin/sh -c cat > /f <<EOT\nbody\nEOT"},
		{[]string{"/bin/sh", "-c", "echo tabbed\n"}, "/bin/sh -c echo tabbed\n"},
		{[]string{"/bin/sh", "-c", "/dev/pipes/EOT"}, "/bin/sh -c #!/bin/awk -f\nBEGIN{}\n"},
	} {
		argv, createdBy, script, err := runArgv(s, cmds[i].(*instructions.RunCommand))
		if (script != nil) != (i == 5) {
			t.Errorf("%s: script %v", commandText(cmds[i]), script)
		}
		if err != nil || !slices.Equal(argv, want.argv) || createdBy != want.createdBy {
			t.Errorf("%s: argv %q createdBy %q (%v), want %q %q", commandText(cmds[i]), argv, createdBy, err, want.argv, want.createdBy)
		}
	}
	s.cfg.Shell = []string{"/bin/bash", "-c"}
	if argv, _, _, _ := runArgv(s, cmds[0].(*instructions.RunCommand)); argv[0] != "/bin/bash" {
		t.Errorf("SHELL not used: %q", argv)
	}
	for in, want := range map[string]bool{"<<EOT": true, "<<-EOT": true, `<<"EOT"`: true, "cat <<EOT": false} {
		if got := isHeredocOnly(in, "EOT"); got != want {
			t.Errorf("isHeredocOnly(%q) = %v", in, got)
		}
	}
}

func TestHeredocSources(t *testing.T) {
	srcs, err := heredocSources(t.TempDir(), []instructions.SourceContent{{Path: "EOF", Data: "hello\n"}})
	if err != nil || len(srcs) != 1 || srcs[0].name != "EOF" || srcs[0].info.Size() != 6 {
		t.Fatalf("heredocSources = %+v, %v", srcs, err)
	}
}

func TestIsGitURL(t *testing.T) {
	for in, want := range map[string]bool{
		"git://h/r":                true,
		"git@github.com:a/b":       true,
		"https://h/r.git":          true,
		"https://h/r.git#main:sub": true,
		"file:///srv/r.git":        true,
		"https://h/ctx.tar.gz":     false,
		"/srv/r.git":               false,
		"file:///srv/ctx.tar":      false,
		"http://h/Containerfile":   false,
	} {
		if got := isGitURL(in); got != want {
			t.Errorf("isGitURL(%q) = %v", in, got)
		}
	}
	for in, want := range map[string]string{"x/a.txt": "x/a.txt", "p/./q/b": "q/b", "./x/a": "x/a"} {
		if got := parentsPath(in, path.Clean(in)); got != want {
			t.Errorf("parentsPath(%q) = %q, want %q", in, got, want)
		}
	}
}
