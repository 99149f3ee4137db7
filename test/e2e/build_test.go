package e2e

import (
	"archive/tar"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeContext writes files (path -> content) into a new build context
// directory and returns it.
func writeContext(t *testing.T, env *Env, name string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(env.TmpDir, name)
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// storageContainers lists the storage library's containers of env: a
// build must leave none of its working containers behind.
func storageContainers(t *testing.T, env *Env) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(env.Root, "overlay-containers", "containers.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ID    string   `json:"id"`
		Names []string `json:"names"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatalf("containers.json: %v", err)
	}
	var out []string
	for _, c := range list {
		out = append(out, c.ID+" "+strings.Join(c.Names, ","))
	}
	return out
}

// imageConfigJSON returns the raw config document of an image (docker's
// fields included, which inspect's OCI view leaves out), read from an
// oci-dir save.
func imageConfigJSON(t *testing.T, env *Env, img string) map[string]any {
	t.Helper()
	dir := filepath.Join(env.TmpDir, "save-"+strings.ReplaceAll(img, "/", "_"))
	env.MustBerth(t, "save", "--format", "oci-dir", "-o", dir, img)
	readJSON := func(p string, v any) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	blob := func(d string) string { return filepath.Join(dir, "blobs", "sha256", strings.TrimPrefix(d, "sha256:")) }
	var idx struct{ Manifests []struct{ Digest string } }
	readJSON(filepath.Join(dir, "index.json"), &idx)
	var man struct{ Config struct{ Digest string } }
	readJSON(blob(idx.Manifests[0].Digest), &man)
	var cfg map[string]any
	readJSON(blob(man.Config.Digest), &cfg)
	return cfg["config"].(map[string]any)
}

func TestBuildInstructions(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	// A tarball for ADD to extract.
	ctx := writeContext(t, env, "ctx", map[string]string{
		"hello.txt": "hello from the context\n",
		"Containerfile": `FROM busybox
MAINTAINER someone@example.com
ARG WHO=world
ENV GREETING="hello" TARGET=$WHO
LABEL org.example.name="built" version=1
EXPOSE 8080 53/udp
RUN echo "$GREETING $TARGET" > /greeting
RUN ["/bin/sh", "-c", "echo exec-form > /exec"]
RUN echo "app:x:1234:1234::/home/app:/bin/sh" >> /etc/passwd && echo "app:x:1234:" >> /etc/group
COPY --chown=app:app --chmod=640 hello.txt /home/app/
ADD files.tar /opt/files/
WORKDIR /srv/data
VOLUME /srv/data/vol
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=5s --retries=2 CMD ["true"]
ONBUILD RUN echo onbuild
SHELL ["/bin/sh", "-e", "-c"]
RUN pwd > /workdir
USER app
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /greeting"]
`,
	})
	tf, err := os.Create(filepath.Join(ctx, "files.tar"))
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(tf)
	content := "inside the tarball\n"
	if err := tw.WriteHeader(&tar.Header{Name: "sub/inner.txt", Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(content))
	tw.Close()
	tf.Close()

	out := env.MustBerth(t, "build", "-t", "inst", "-t", "inst:v2", "--label", "from.flag=yes", ctx)
	for _, want := range []string{"STEP 1/21: FROM busybox", "STEP 7/21: RUN echo \"$GREETING $TARGET\" > /greeting", "COMMIT inst", "Successfully tagged localhost/inst:latest", "Successfully tagged localhost/inst:v2"} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, out)
		}
	}
	lines := strings.Split(out, "\n")
	id := lines[len(lines)-1]
	if len(id) != 64 || env.MustBerth(t, "image", "inspect", "--format", "{{.Id}}", "inst:v2") != id {
		t.Errorf("last line %q is not the image ID of inst:v2", id)
	}

	checks := map[string]string{
		"{{.Config.User}}":                            "app",
		"{{.Config.WorkingDir}}":                      "/srv/data",
		"{{json .Config.Entrypoint}}":                 `["/bin/sh","-c"]`,
		"{{json .Config.Cmd}}":                        `["cat /greeting"]`,
		"{{.Config.StopSignal}}":                      "SIGUSR1",
		"{{json .Config.Volumes}}":                    `{"/srv/data/vol":{}}`,
		"{{json .Config.ExposedPorts}}":               `{"53/udp":{},"8080/tcp":{}}`,
		`{{index .Config.Labels "org.example.name"}}`: "built",
		`{{index .Config.Labels "version"}}`:          "1",
		`{{index .Config.Labels "from.flag"}}`:        "yes",
		"{{.Author}}":                                 "someone@example.com",
	}
	for f, want := range checks {
		if got := env.MustBerth(t, "image", "inspect", "--format", f, "inst"); got != want {
			t.Errorf("inspect %s = %q, want %q", f, got, want)
		}
	}
	envs := env.MustBerth(t, "image", "inspect", "--format", "{{json .Config.Env}}", "inst")
	if !strings.Contains(envs, `"GREETING=hello"`) || !strings.Contains(envs, `"TARGET=world"`) || strings.Contains(envs, "WHO=") {
		t.Errorf("Env = %s: want GREETING and TARGET, and no build argument", envs)
	}
	cfg := imageConfigJSON(t, env, "inst")
	hc, _ := json.Marshal(cfg["Healthcheck"])
	if string(hc) != `{"Interval":5000000000,"Retries":2,"Test":["CMD","true"]}` {
		t.Errorf("Healthcheck = %s", hc)
	}
	if ob, _ := json.Marshal(cfg["OnBuild"]); string(ob) != `["RUN echo onbuild"]` {
		t.Errorf("OnBuild = %s", ob)
	}
	if sh, _ := json.Marshal(cfg["Shell"]); string(sh) != `["/bin/sh","-e","-c"]` {
		t.Errorf("Shell = %s", sh)
	}

	// The built image runs: its CMD, the RUN results, the copied and
	// extracted files with their owner and mode.
	if got := env.MustBerth(t, "run", "--rm", "inst"); got != "hello world" {
		t.Errorf("run inst = %q, want the greeting", got)
	}
	got := env.MustBerth(t, "run", "--rm", "inst", "cat /exec /workdir /opt/files/sub/inner.txt; id -u; stat -c '%U %G %a' /home/app/hello.txt; cat /home/app/hello.txt")
	want := "exec-form\n/srv/data\ninside the tarball\n1234\napp app 640\nhello from the context"
	if got != want {
		t.Errorf("inside inst:\n%s\nwant:\n%s", got, want)
	}
	if ps := env.MustBerth(t, "ps", "-aq"); ps != "" {
		t.Errorf("containers left after build and run --rm: %s", ps)
	}
	if sc := storageContainers(t, env); len(sc) != 0 {
		t.Errorf("storage containers left: %v", sc)
	}
}

func TestBuildMultiStage(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"Containerfile": `ARG BASE=busybox
FROM --platform=$BUILDPLATFORM $BASE AS builder
ARG VERSION=1
ARG TARGETARCH
RUN mkdir /out && echo "built v$VERSION" > /out/result && echo "$TARGETARCH" > /out/arch

FROM busybox AS other
RUN echo other > /other

FROM scratch
COPY --from=builder /out /data
COPY --from=1 /other /data/
COPY --from=builder /bin/busybox /bin/busybox
ENTRYPOINT ["/bin/busybox"]
CMD ["cat", "/data/result", "/data/other"]
`,
	})
	out := env.MustBerth(t, "build", "--build-arg", "VERSION=7", "-t", "ms", ctx)
	if !strings.Contains(out, "[1/3] STEP 1/4: FROM --platform=$BUILDPLATFORM $BASE AS builder") || !strings.Contains(out, "[3/3] STEP 6/6: CMD") {
		t.Errorf("multi-stage output:\n%s", out)
	}
	if got := env.MustBerth(t, "run", "--rm", "ms"); got != "built v7\nother" {
		t.Errorf("run ms = %q", got)
	}
	// Only the scratch stage's files: no busybox links such as /bin/sh.
	if got := env.MustBerth(t, "run", "--rm", "ms", "ls", "/bin"); got != "busybox" {
		t.Errorf("/bin of the final stage = %q, want busybox alone", got)
	}

	env.MustBerth(t, "build", "--target", "builder", "-t", "ms-builder", ctx)
	if got := env.MustBerth(t, "run", "--rm", "ms-builder", "cat", "/out/result", "/out/arch"); got != "built v1\n"+runtime.GOARCH {
		t.Errorf("--target builder: %q", got)
	}
	r := env.Berth("build", "--target", "nope", ctx)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `the target "nope" was not found`) {
		t.Errorf("unknown target: %s", r)
	}
}

func TestBuildCache(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"app.txt": "v1\n",
		"Containerfile": `FROM busybox
RUN echo step > /step
COPY app.txt /app.txt
RUN cat /app.txt > /copy
CMD ["cat", "/copy"]
`,
	})
	first := env.MustBerth(t, "build", "-t", "cached", ctx)
	if strings.Contains(first, "Using cache") {
		t.Fatalf("first build used a cache:\n%s", first)
	}
	id1 := lastLine(first)
	second := env.MustBerth(t, "build", "-t", "cached", ctx)
	if n := strings.Count(second, "--> Using cache"); n != 4 {
		t.Errorf("rebuild used the cache %d times, want 4:\n%s", n, second)
	}
	if id2 := lastLine(second); id2 != id1 {
		t.Errorf("rebuild made %s, want the same image %s", id2, id1)
	}

	// Touching the file keeps the cache; changing it rebuilds from its COPY.
	if err := os.Chtimes(filepath.Join(ctx, "app.txt"), timeNowPlus(), timeNowPlus()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(env.MustBerth(t, "build", "-t", "cached", ctx), "--> Using cache"); n != 4 {
		t.Errorf("a touched file broke the cache (%d hits)", n)
	}
	if err := os.WriteFile(filepath.Join(ctx, "app.txt"), []byte("v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third := env.MustBerth(t, "build", "-t", "cached", ctx)
	if n := strings.Count(third, "--> Using cache"); n != 1 {
		t.Errorf("after a change: %d cache hits, want 1 (the RUN before COPY):\n%s", n, third)
	}
	if got := env.MustBerth(t, "run", "--rm", "cached"); got != "v2" {
		t.Errorf("run after the change = %q, want v2", got)
	}
	if n := strings.Count(env.MustBerth(t, "build", "--no-cache", "-t", "cached", ctx), "Using cache"); n != 0 {
		t.Errorf("--no-cache used the cache %d times", n)
	}

	// Intermediate images: hidden by images, shown by images -a.
	plain := env.MustBerth(t, "images", "-q")
	all := env.MustBerth(t, "images", "-aq")
	// busybox, the final image, and the two earlier final images that
	// lost their tag (dangling, not intermediate).
	if len(strings.Fields(plain)) != 4 || len(strings.Fields(all)) <= 8 {
		t.Errorf("images -q:\n%s\nimages -aq:\n%s", plain, all)
	}
	// Without the final image, prune removes the steps.
	env.MustBerth(t, "rmi", "cached")
	env.MustBerth(t, "image", "prune", "-f")
	if left := env.MustBerth(t, "images", "-aq"); len(strings.Fields(left)) != 1 {
		t.Errorf("after rmi and prune: %s", left)
	}
}

func TestBuildIgnoreArgsAndFlags(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"keep.txt":      "keep\n",
		"secret.txt":    "secret\n",
		"logs/a.log":    "log\n",
		"logs/keep.log": "kept log\n",
		".dockerignore": "secret.txt\nlogs/*.log\n!logs/keep.log\n",
		"Containerfile": `FROM busybox
ARG FLAVOR=plain
ARG UNSET
COPY . /ctx/
RUN echo "$FLAVOR-${UNSET:-none}" > /flavor
`,
	})
	iid := filepath.Join(env.TmpDir, "iid")
	out := env.MustBerth(t, "build", "--build-arg", "FLAVOR=spicy", "--build-arg", "EXTRA=1", "--iidfile", iid, "-t", "ign", ctx)
	if !strings.Contains(out, "[Warning] one or more build args were not consumed: [EXTRA]") {
		t.Errorf("no warning for the unused build argument:\n%s", out)
	}
	b, err := os.ReadFile(iid)
	if err != nil || string(b) != "sha256:"+lastLine(out) {
		t.Errorf("--iidfile holds %q (%v), want sha256:%s", b, err, lastLine(out))
	}
	got := env.MustBerth(t, "run", "--rm", "ign", "sh", "-c", "cat /flavor; cd /ctx && find . -type f | sort")
	want := "spicy-none\n./.dockerignore\n./Containerfile\n./keep.txt\n./logs/keep.log"
	if got != want {
		t.Errorf("ignore file and args:\n%s\nwant:\n%s", got, want)
	}
	// .containerignore wins over .dockerignore.
	if err := os.WriteFile(filepath.Join(ctx, ".containerignore"), []byte("keep.txt\nlogs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "build", "-q", "-t", "ign2", ctx)
	if got := env.MustBerth(t, "run", "--rm", "ign2", "sh", "-c", "cd /ctx && find . -type f | sort"); got != "./.containerignore\n./.dockerignore\n./Containerfile\n./secret.txt" {
		t.Errorf(".containerignore: %q", got)
	}

	// -q prints the image ID alone; image build and buildx build are build.
	q := env.MustBerth(t, "image", "build", "-q", "-t", "ign3", ctx)
	if len(q) != 64 || strings.Contains(q, "\n") {
		t.Errorf("build -q printed %q", q)
	}
	if q2 := env.MustBerth(t, "buildx", "build", "-q", ctx); q2 != q {
		t.Errorf("buildx build -q = %q, want the cached %q", q2, q)
	}
}

func TestBuildStdinAndTarball(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	// A Containerfile alone on stdin: no context.
	r := env.BerthStdin(strings.NewReader("FROM busybox\nCMD [\"echo\", \"from stdin\"]\n"), "build", "-t", "stdin1", "-")
	if r.ExitCode() != 0 {
		t.Fatalf("build -: %s", r)
	}
	if got := env.MustBerth(t, "run", "--rm", "stdin1"); got != "from stdin" {
		t.Errorf("run stdin1 = %q", got)
	}

	ctx := writeContext(t, env, "ctx", map[string]string{
		"data.txt":      "from the tarball\n",
		"Containerfile": "FROM busybox\nCOPY data.txt /\nCMD [\"cat\", \"/data.txt\"]\n",
	})
	tarball := filepath.Join(env.TmpDir, "ctx.tar.gz")
	if b, err := exec.Command("tar", "-C", ctx, "-czf", tarball, ".").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, b)
	}
	env.MustBerth(t, "build", "-t", "tar1", tarball)
	if got := env.MustBerth(t, "run", "--rm", "tar1"); got != "from the tarball" {
		t.Errorf("run tar1 = %q", got)
	}
	f, err := os.Open(tarball)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if r := env.BerthStdin(f, "build", "-t", "tar2", "-"); r.ExitCode() != 0 {
		t.Fatalf("build - < tarball: %s", r)
	}
	if got := env.MustBerth(t, "run", "--rm", "tar2"); got != "from the tarball" {
		t.Errorf("run tar2 = %q", got)
	}
	// -f - with a directory context.
	r = env.BerthStdin(strings.NewReader("FROM busybox\nCOPY data.txt /x\nCMD [\"cat\", \"/x\"]\n"), "build", "-f", "-", "-t", "stdin2", ctx)
	if r.ExitCode() != 0 {
		t.Fatalf("build -f -: %s", r)
	}
	if got := env.MustBerth(t, "run", "--rm", "stdin2"); got != "from the tarball" {
		t.Errorf("run stdin2 = %q", got)
	}
	if sc := storageContainers(t, env); len(sc) != 0 {
		t.Errorf("storage containers left: %v", sc)
	}
}

func TestBuildFailures(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"Containerfile": "FROM busybox\nRUN echo first > /first\nRUN echo failing; exit 3\nRUN echo never\n",
		"Bad":           "FROM busybox\nFROBNICATE now\n",
		"Missing":       "FROM busybox\nCOPY nothere.txt /\n",
		"Outside":       "FROM busybox\nCOPY ../etc/passwd /\n",
		"NoBase":        "FROM nosuchimage\n",
		"NoFrom":        "RUN true\n",
	})
	before := env.MustBerth(t, "images", "-aq")

	r := env.Berth("build", "-t", "failing", ctx)
	if r.ExitCode() != 3 {
		t.Errorf("failing RUN: exit %d, want the command's 3: %s", r.ExitCode(), r)
	}
	if want := `Error: building at STEP "RUN echo failing; exit 3" (Containerfile:3): while running runtime: exit status 3`; !strings.Contains(r.Stderr(), want) {
		t.Errorf("failing RUN stderr:\n%s\nwant %q", r.Stderr(), want)
	}
	if !strings.Contains(r.Stdout(), "failing") || strings.Contains(r.Stdout(), "never") {
		t.Errorf("failing RUN stdout:\n%s", r.Stdout())
	}
	if ps := env.MustBerth(t, "ps", "-aq"); ps != "" {
		t.Errorf("containers left by a failed build: %s", ps)
	}
	if sc := storageContainers(t, env); len(sc) != 0 {
		t.Errorf("storage containers left by a failed build: %v", sc)
	}
	if m := env.unexpectedMounts(); len(m) != 0 {
		t.Errorf("mounts left by a failed build: %v", m[0].Mountpoint)
	}
	if r := env.Berth("image", "exists", "failing"); r.ExitCode() == 0 {
		t.Errorf("a failed build tagged its image")
	}

	for _, tc := range []struct{ file, want string }{
		{"Bad", "Bad:2: unknown instruction: FROBNICATE"},
		{"Missing", `building at STEP "COPY nothere.txt /" (Missing:2): COPY nothere.txt: no such file or directory in the build context`},
		{"Outside", "forbidden path outside the build context: ../etc/passwd"},
		{"NoFrom", "NoFrom"},
	} {
		r := env.Berth("build", "-f", filepath.Join(ctx, tc.file), ctx)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) {
			t.Errorf("%s: want exit 125 and %q: %s", tc.file, tc.want, r)
		}
	}
	r = env.Berth("build", "--pull=never", "-f", filepath.Join(ctx, "NoBase"), ctx)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuchimage") {
		t.Errorf("missing base image: %s", r)
	}
	for _, bad := range [][]string{{"--isolation", "chroot"}, {"--progress", "fancy"}, {"--platform", "linux/s390x"}, {"-t", "Bad:Name:x"}} {
		if r := env.Berth(append(append([]string{"build"}, bad...), ctx)...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "Error: ") {
			t.Errorf("build %v: %s", bad, r)
		}
	}
	r = env.Berth("build", filepath.Join(ctx, "nosuchdir"))
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "no such file or directory") {
		t.Errorf("missing context: %s", r)
	}
	// Failures before any RUN changed nothing; the failing build kept only
	// the image of its first, successful RUN (the next attempt's cache).
	after := env.MustBerth(t, "images", "-aq")
	if n := len(strings.Fields(after)) - len(strings.Fields(before)); n != 1 {
		t.Errorf("images before:\n%s\nafter:\n%s", before, after)
	}
	if sc := storageContainers(t, env); len(sc) != 0 {
		t.Errorf("storage containers left: %v", sc)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// timeNowPlus is a modification time that differs from the file's.
func timeNowPlus() time.Time { return time.Now().Add(time.Hour) }

func TestBuildHeredocMountsOnbuild(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"src/data.txt": "bound\n",
		"Containerfile": `FROM busybox
RUN <<EOT
echo script one > /h1
echo "script two" >> /h1
EOT
RUN cat > /h2 <<EOT
fed to cat
EOT
COPY <<EOF /etc/motd
welcome
EOF
RUN cat /v/host.txt > /fromvolume
RUN --mount=type=cache,target=/cache echo x >> /cache/log && wc -l < /cache/log | tr -d ' ' > /count
RUN --mount=type=bind,source=src,target=/mnt cat /mnt/data.txt > /bound
RUN --mount=type=bind,source=src,target=/mnt,rw echo scribble > /mnt/data.txt
RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch > /tmpls && test ! -e /scratch/y
RUN --network=none cat /proc/net/dev | grep -c ':' > /ifaces
ONBUILD RUN echo triggered > /trig
CMD ["cat", "/h1", "/h2", "/count", "/bound", "/tmpls", "/ifaces"]
`,
		"Child": "FROM heredoc\nRUN cat /trig\n",
	})
	vol := filepath.Join(env.TmpDir, "vol")
	os.MkdirAll(vol, 0o755)
	os.WriteFile(filepath.Join(vol, "host.txt"), []byte("from -v\n"), 0o644)
	env.MustBerth(t, "build", "-v", vol+":/v:ro", "-t", "heredoc", ctx)
	if got := env.MustBerth(t, "run", "--rm", "heredoc"); got != "script one\nscript two\nfed to cat\n1\nbound\nx\n1" {
		t.Errorf("run heredoc:\n%s", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "heredoc", "sh", "-c", "cat /etc/motd /fromvolume; ls /v 2>/dev/null | wc -l"); got != "welcome\nfrom -v\n0" {
		t.Errorf("COPY heredoc, -v and its absence from the image: %q", got)
	}
	// The bind mount was rw only in a scratch layer: the context is intact.
	if b, _ := os.ReadFile(filepath.Join(ctx, "src", "data.txt")); string(b) != "bound\n" {
		t.Errorf("a rw bind mount changed the context: %q", b)
	}
	// The cache mount persists across builds; the tmpfs was not committed.
	env.MustBerth(t, "build", "--no-cache", "-v", vol+":/v:ro", "-t", "heredoc", ctx)
	if got := env.MustBerth(t, "run", "--rm", "heredoc", "sh", "-c", "cat /count; ls /scratch | wc -l"); got != "2\n0" {
		t.Errorf("cache mount count, tmpfs contents = %q, want 2 and 0", got)
	}

	// builder prune empties the cache mounts (and prunes unused images).
	env.MustBerth(t, "builder", "prune", "-f")
	env.MustBerth(t, "build", "--no-cache", "-v", vol+":/v:ro", "-t", "heredoc", ctx)
	if got := env.MustBerth(t, "run", "--rm", "heredoc", "cat", "/count"); got != "1" {
		t.Errorf("cache mount count after builder prune = %q, want 1", got)
	}

	// ONBUILD triggers run in the child's build, and are not inherited.
	out := env.MustBerth(t, "build", "-f", filepath.Join(ctx, "Child"), "-t", "child", ctx)
	if !strings.Contains(out, "ONBUILD RUN echo triggered > /trig\n") || !strings.Contains(out, "\ntriggered\n") {
		t.Errorf("child build output:\n%s", out)
	}
	if ob, ok := imageConfigJSON(t, env, "child")["OnBuild"]; ok && ob != nil {
		t.Errorf("the child inherited OnBuild %v", ob)
	}
	if sc := storageContainers(t, env); len(sc) != 0 {
		t.Errorf("storage containers left: %v", sc)
	}
}

func TestBuildNoLayers(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"Containerfile": "FROM busybox\nENV A=1\nRUN echo a > /a\nCMD [\"cat\", \"/a\"]\n",
	})
	env.MustBerth(t, "build", "--layers=false", "-t", "nolayers", ctx)
	if got := env.MustBerth(t, "run", "--rm", "nolayers"); got != "a" {
		t.Errorf("run nolayers = %q", got)
	}
	if all := env.MustBerth(t, "images", "-aq"); len(strings.Fields(all)) != 2 {
		t.Errorf("--layers=false kept intermediate images:\n%s", all)
	}
	// Nothing to reuse next time either.
	if out := env.MustBerth(t, "build", "--layers=false", "-t", "nolayers", ctx); strings.Contains(out, "Using cache") {
		t.Errorf("--layers=false used the cache:\n%s", out)
	}

	// --squash-all: one layer, one history entry, the same root and config.
	env.MustBerth(t, "build", "--squash-all", "-t", "squashed", ctx)
	if got := env.MustBerth(t, "image", "inspect", "--format", "{{len .RootFS.Layers}} {{len .History}} {{.Config.Env}}", "squashed"); got != "1 1 [A=1]" {
		t.Errorf("--squash-all: layers, history, env = %q", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "squashed"); got != "a" {
		t.Errorf("run squashed = %q", got)
	}

	// --rm=false keeps the RUN containers, --force-rm=false a failed one.
	env.MustBerth(t, "build", "--no-cache", "--rm=false", "-t", "kept", ctx)
	if ps := env.MustBerth(t, "ps", "-aq"); len(strings.Fields(ps)) != 1 {
		t.Errorf("--rm=false: containers %q, want the RUN step's", ps)
	}
	env.MustBerth(t, "rm", "-a")
	os.WriteFile(filepath.Join(ctx, "Failing"), []byte("FROM busybox\nRUN exit 2\n"), 0o644)
	if r := env.Berth("build", "--force-rm=false", "-f", filepath.Join(ctx, "Failing"), ctx); r.ExitCode() != 2 {
		t.Errorf("failing build: %s", r)
	}
	if ps := env.MustBerth(t, "ps", "-aq"); len(strings.Fields(ps)) != 1 {
		t.Errorf("--force-rm=false: containers %q, want the failed step's", ps)
	}
}

func TestBuildSecrets(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	secret := filepath.Join(env.TmpDir, "token")
	if err := os.WriteFile(secret, []byte("s3cr3t"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := writeContext(t, env, "ctx", map[string]string{
		"Containerfile": `FROM busybox
RUN --mount=type=secret,id=tok wc -c < /run/secrets/tok | tr -d ' ' > /len
RUN --mount=type=secret,id=tok,env=TOKEN echo ${#TOKEN} > /envlen
`,
		"Required": "FROM busybox\nRUN --mount=type=secret,id=nope,required=true true\n",
	})
	env.MustBerth(t, "build", "--secret", "id=tok,src="+secret, "-t", "sec", ctx)
	if got := env.MustBerth(t, "run", "--rm", "sec", "sh", "-c", "cat /len /envlen; ls /run/secrets | wc -l"); got != "6\n6\n0" {
		t.Errorf("secret lengths and what the image keeps: %q", got)
	}
	if h := env.MustBerth(t, "history", "--no-trunc", "sec"); strings.Contains(h, "s3cr3t") {
		t.Errorf("the secret is in the history:\n%s", h)
	}
	r := env.Berth("build", "-f", filepath.Join(ctx, "Required"), ctx)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "secret nope is required") {
		t.Errorf("missing required secret: %s", r)
	}
	if r := env.Berth("build", "--secret", "id=x", ctx); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "invalid --secret") {
		t.Errorf("--secret without src: %s", r)
	}
}

func TestBuildNamedContexts(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "tag", "busybox", "other-base")
	extra := writeContext(t, env, "extra", map[string]string{"lib/x.txt": "from the named context\n"})
	ctx := writeContext(t, env, "ctx", map[string]string{
		"Containerfile": `FROM base
COPY --from=extra lib /lib-extra
RUN --mount=type=bind,from=extra,source=lib,target=/m cat /m/x.txt > /mounted
CMD ["cat", "/lib-extra/x.txt", "/mounted"]
`,
	})
	env.MustBerth(t, "build", "--build-context", "extra="+extra, "--build-context", "base=docker-image://other-base", "-t", "named", ctx)
	if got := env.MustBerth(t, "run", "--rm", "named"); got != "from the named context\nfrom the named context" {
		t.Errorf("run named = %q", got)
	}
	if r := env.Berth("build", "--build-context", "extra=/nonexistent", ctx); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "not a directory") {
		t.Errorf("missing named context: %s", r)
	}

	// --manifest adds the image to a list, created on first use.
	env.MustBerth(t, "build", "-q", "--build-context", "extra="+extra, "--build-context", "base=docker-image://other-base", "--manifest", "mylist", ctx)
	if got := env.MustBerth(t, "manifest", "inspect", "mylist"); strings.Count(got, `"digest"`) != 1 {
		t.Errorf("manifest inspect mylist:\n%s", got)
	}
}

// rmi of a built image removes the unnamed step images it was built on
// (docker's untagged parents) up to the named base, printing a Deleted
// line for each; a step image another image still builds on stays.
func TestBuildRmiRemovesSteps(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctx := writeContext(t, env, "ctx", map[string]string{
		"Containerfile": "FROM busybox\nRUN echo one > /one\nRUN echo two > /two\nCMD [\"cat\", \"/two\"]\n",
	})
	env.MustBerth(t, "build", "-t", "stepped", ctx)
	steps := len(strings.Fields(env.MustBerth(t, "images", "-aq"))) - 1
	if steps < 2 {
		t.Fatalf("want intermediate images: %d", steps)
	}
	// A second image on the first RUN step: that step must stay.
	ctx2 := writeContext(t, env, "ctx2", map[string]string{
		"Containerfile": "FROM busybox\nRUN echo one > /one\nRUN echo other > /other\n",
	})
	env.MustBerth(t, "build", "-t", "sibling", ctx2)
	out := env.MustBerth(t, "rmi", "stepped")
	if !strings.HasPrefix(out, "Untagged: localhost/stepped:latest\n") || strings.Count(out, "Deleted: ") < 2 {
		t.Errorf("rmi stepped: %q, want the untag and the image with its own step images deleted", out)
	}
	if got := env.MustBerth(t, "run", "--rm", "sibling", "cat", "/one", "/other"); got != "one\nother" {
		t.Errorf("the sibling after rmi: %q", got)
	}
	out = env.MustBerth(t, "rmi", "sibling")
	if n := strings.Count(out, "Deleted: "); n < 2 {
		t.Errorf("rmi sibling: %q, want it and its step images (the shared one now too) deleted", out)
	}
	if left := strings.Fields(env.MustBerth(t, "images", "-aq")); len(left) != 1 {
		t.Errorf("after both rmis: %v, want busybox alone", left)
	}
}
