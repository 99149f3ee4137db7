package e2e

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Helpers of the images/ps/inspect/logs/fs/info tests carry a "pb" prefix so
// they cannot collide with helpers of other e2e files.

var pbFullID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// pbInspect runs inspect with args and decodes its JSON array.
func pbInspect(t testing.TB, env *Env, args ...string) []map[string]any {
	t.Helper()
	out := env.MustBerth(t, append([]string{"inspect"}, args...)...)
	var v []map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("inspect %v: output is not a JSON array: %v\n%s", args, err, out)
	}
	return v
}

// pbField walks a decoded JSON object along path ("Config.Env").
func pbField(t testing.TB, obj map[string]any, path string) any {
	t.Helper()
	var cur any = obj
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("%s: %q is not an object (%T)", path, p, cur)
		}
		if cur, ok = m[p]; !ok {
			t.Fatalf("%s: no key %q (have %v)", path, p, pbKeys(m))
		}
	}
	return cur
}

func pbKeys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

// pbStrings converts a decoded JSON array of strings.
func pbStrings(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, e := range arr {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// pbTarNames lists the entry names of a tar stream, without a leading "./"
// or trailing "/".
func pbTarNames(t testing.TB, r io.Reader) []string {
	t.Helper()
	tr := tar.NewReader(r)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		n := strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")
		names = append(names, n)
	}
}

// pbTarFile returns the content of one entry of a tar file.
func pbTarFile(t testing.TB, path, name string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("%s has no entry %q", path, name)
		}
		if err != nil {
			t.Fatalf("read tar %s: %v", path, err)
		}
		if strings.TrimPrefix(h.Name, "./") == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

// pbImageID returns the full ID of an image.
func pbImageID(t testing.TB, env *Env, ref string) string {
	t.Helper()
	id := env.MustBerth(t, "image", "inspect", "--format", "{{.ID}}", ref)
	if !pbFullID.MatchString(id) {
		t.Fatalf("image inspect {{.ID}} of %s = %q, want 64 hex digits", ref, id)
	}
	return id
}

func TestImportChangesAndInspect(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	out := env.MustBerth(t, "import",
		"--change", "ENV=FOO=bar",
		"--change", `ENTRYPOINT ["/bin/echo"]`,
		"--change", `CMD ["from-cmd"]`,
		"--change", "WORKDIR=/tmp",
		"--change", "USER=daemon",
		"--change", "LABEL=a=b",
		"--change", "EXPOSE=8080",
		"--change", "STOPSIGNAL=SIGINT",
		BusyboxTar(), "changed")
	id := strings.TrimPrefix(out, "sha256:")
	if !pbFullID.MatchString(id) {
		t.Fatalf("import printed %q, want the image ID", out)
	}
	if got := pbImageID(t, env, "changed"); got != id {
		t.Errorf("import printed %s but the image ID is %s", id, got)
	}

	img := pbInspect(t, env, "--type", "image", "changed")
	if len(img) != 1 {
		t.Fatalf("inspect returned %d objects", len(img))
	}
	i := img[0]
	if got := pbStrings(pbField(t, i, "RepoTags")); !slices.Equal(got, []string{"localhost/changed:latest"}) {
		t.Errorf("RepoTags = %v", got)
	}
	if got := pbStrings(pbField(t, i, "Config.Env")); !slices.Contains(got, "FOO=bar") {
		t.Errorf("Config.Env = %v, want FOO=bar", got)
	}
	if got := pbStrings(pbField(t, i, "Config.Entrypoint")); !slices.Equal(got, []string{"/bin/echo"}) {
		t.Errorf("Config.Entrypoint = %v", got)
	}
	if got := pbStrings(pbField(t, i, "Config.Cmd")); !slices.Equal(got, []string{"from-cmd"}) {
		t.Errorf("Config.Cmd = %v", got)
	}
	if got := pbField(t, i, "Config.WorkingDir"); got != "/tmp" {
		t.Errorf("Config.WorkingDir = %v", got)
	}
	if got := pbField(t, i, "Config.User"); got != "daemon" {
		t.Errorf("Config.User = %v", got)
	}
	if got, _ := pbField(t, i, "Config.Labels").(map[string]any); got["a"] != "b" {
		t.Errorf("Config.Labels = %v", got)
	}
	if got, _ := pbField(t, i, "Config.ExposedPorts").(map[string]any); got == nil || got["8080/tcp"] == nil {
		t.Errorf("Config.ExposedPorts = %v, want 8080/tcp", got)
	}
	// podman stores the signal number ("2"), docker the name.
	if got := pbField(t, i, "Config.StopSignal"); got != "SIGINT" && got != "2" {
		t.Errorf("Config.StopSignal = %v, want SIGINT or 2", got)
	}
	if got := pbField(t, i, "Os"); got != "linux" {
		t.Errorf("Os = %v", got)
	}
	if got := pbField(t, i, "GraphDriver.Name"); got != "overlay" && os.Getenv("BERTH_E2E_STORAGE_DRIVER") == "" {
		t.Errorf("GraphDriver.Name = %v, want overlay", got)
	}

	// The same fields through templates, the way users script them.
	if got := env.MustBerth(t, "image", "inspect", "--format", "{{.Config.WorkingDir}} {{.Config.User}} {{index .Config.Labels \"a\"}}", "changed"); got != "/tmp daemon b" {
		t.Errorf("image inspect template = %q, want %q", got, "/tmp daemon b")
	}
	if r := env.Berth("image", "inspect", "--format", "{{.Id}}", "changed"); strings.TrimSpace(r.Stdout()) != id {
		t.Errorf("image inspect --format {{.Id}}: want %s\n%s", id, r)
	}

	// The config is what a container of the image runs with.
	if got := env.MustBerth(t, "run", "--rm", "changed"); got != "from-cmd" {
		t.Errorf("run changed printed %q, want from-cmd (ENTRYPOINT echo + CMD)", got)
	}
	got := env.MustBerth(t, "run", "--rm", "--entrypoint", "/bin/sh", "changed", "-c", "echo $FOO $(pwd) $(id -un)")
	if got != "bar /tmp daemon" {
		t.Errorf("env/workdir/user in the container = %q, want %q", got, "bar /tmp daemon")
	}
}

func TestImportStdinAndMessage(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	f, err := os.Open(BusyboxTar())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := env.BerthStdin(f, "import", "--message", "from stdin", "-", "fromstdin:v1")
	if r.Err != nil || r.ExitCode() != 0 {
		t.Fatalf("import from stdin failed:\n%s", r)
	}
	if got := env.MustBerth(t, "image", "inspect", "--format", "{{.Comment}}|{{.RepoTags}}", "fromstdin:v1"); got != "from stdin|[localhost/fromstdin:v1]" {
		t.Errorf("imported image: %q, want %q", got, "from stdin|[localhost/fromstdin:v1]")
	}
	if got := env.MustBerth(t, "run", "--rm", "fromstdin:v1", "grep", "berthuser", "/etc/passwd"); !strings.HasPrefix(got, "berthuser:x:1000:1000") {
		t.Errorf("container of the image imported from stdin: %q", got)
	}
}

func TestImportBadChange(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	for _, change := range []string{"BOGUS=1", "FROM busybox", "ENV"} {
		r := env.Berth("import", "--change", change, BusyboxTar(), "bad")
		if r.ExitCode() != 125 {
			t.Errorf("import --change %q: exit %d, want 125\n%s", change, r.ExitCode(), r)
		}
		if !strings.Contains(r.Stderr(), change) {
			t.Errorf("import --change %q: error does not name the change: %q", change, r.Stderr())
		}
	}
	if r := env.Berth("image", "exists", "bad"); r.ExitCode() != 1 {
		t.Errorf("image created despite a bad --change (image exists: %d)", r.ExitCode())
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	src := NewEnv(t)
	src.ImportBusybox(t)
	src.MustBerth(t, "tag", "busybox", "other:v2")
	id := pbImageID(t, src, "busybox")

	// docker-archive (the default) through -o and load -i.
	docker := filepath.Join(src.TmpDir, "docker.tar")
	src.MustBerth(t, "save", "-o", docker, "busybox", "other:v2")
	var manifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(pbTarFile(t, docker, "manifest.json"), &manifest); err != nil {
		t.Fatalf("docker-archive manifest.json: %v", err)
	}
	if len(manifest) != 1 || len(manifest[0].Layers) != 1 {
		t.Fatalf("docker-archive manifest.json = %+v, want one image with one layer", manifest)
	}
	tags := slices.Sorted(slices.Values(manifest[0].RepoTags))
	if !slices.Equal(tags, []string{"localhost/busybox:latest", "localhost/other:v2"}) {
		t.Errorf("docker-archive RepoTags = %v", manifest[0].RepoTags)
	}

	dst := NewEnv(t)
	out := dst.MustBerth(t, "load", "-i", docker)
	for _, want := range []string{"Loaded image: localhost/busybox:latest", "Loaded image: localhost/other:v2"} {
		if !strings.Contains(out, want) {
			t.Errorf("load -i printed %q, want a line %q", out, want)
		}
	}
	for _, ref := range []string{"busybox", "other:v2"} {
		if got := pbImageID(t, dst, ref); got != id {
			t.Errorf("after load, %s has ID %s, want %s", ref, got, id)
		}
	}
	if got := dst.MustBerth(t, "run", "--rm", "busybox", "echo", "loaded"); got != "loaded" {
		t.Errorf("run of a loaded image printed %q", got)
	}

	// oci-archive through stdout and load from stdin.
	ociRes := src.Berth("save", "--format", "oci-archive", "busybox")
	if ociRes.ExitCode() != 0 {
		t.Fatalf("save to stdout failed:\n%s", ociRes.String()[:min(len(ociRes.String()), 2000)])
	}
	names := pbTarNames(t, strings.NewReader(ociRes.Stdout()))
	for _, want := range []string{"oci-layout", "index.json"} {
		if !slices.Contains(names, want) {
			t.Errorf("oci-archive lacks %s: %v", want, names)
		}
	}
	dst2 := NewEnv(t)
	r := dst2.BerthStdin(strings.NewReader(ociRes.Stdout()), "load")
	if r.ExitCode() != 0 {
		t.Fatalf("load from stdin failed:\n%s", r)
	}
	if !strings.Contains(r.Stdout(), "localhost/busybox:latest") {
		t.Errorf("load printed %q, want the loaded name", r.Stdout())
	}
	if got := pbImageID(t, dst2, "busybox"); got != id {
		t.Errorf("after oci-archive load, ID %s, want %s", got, id)
	}

	// oci-archive to a file, loaded with -i, and docker-archive on stdout.
	oci := filepath.Join(src.TmpDir, "oci.tar")
	src.MustBerth(t, "save", "--format", "oci-archive", "-o", oci, "busybox")
	dst3 := NewEnv(t)
	dst3.MustBerth(t, "load", "-i", oci)
	if got := pbImageID(t, dst3, "busybox"); got != id {
		t.Errorf("after oci-archive load -i, ID %s, want %s", got, id)
	}
	dockerOut := src.Berth("save", "busybox")
	if dockerOut.ExitCode() != 0 {
		t.Fatalf("save busybox to stdout: exit %d: %s", dockerOut.ExitCode(), dockerOut.Stderr())
	}
	if names := pbTarNames(t, strings.NewReader(dockerOut.Stdout())); !slices.Contains(names, "manifest.json") {
		t.Errorf("save to stdout is not a docker-archive: %v", names)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	r := env.Berth("load", "-i", filepath.Join(env.TmpDir, "missing.tar"))
	if r.ExitCode() != 125 {
		t.Errorf("load of a missing file: exit %d, want 125\n%s", r.ExitCode(), r)
	}
	r = env.BerthStdin(strings.NewReader("not a tar"), "load")
	if r.ExitCode() != 125 {
		t.Errorf("load of garbage: exit %d, want 125\n%s", r.ExitCode(), r)
	}
	r = env.Berth("save", "-o", filepath.Join(env.TmpDir, "x.tar"), "nosuchimage")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuchimage") {
		t.Errorf("save of a missing image: exit %d, want 125 naming it\n%s", r.ExitCode(), r)
	}
}

func TestImagesListing(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "tag", "busybox", "second:v1")
	id := pbImageID(t, env, "busybox")

	// Default table.
	r := env.Berth("images")
	lines := r.Lines()
	if r.ExitCode() != 0 || len(lines) != 3 {
		t.Fatalf("images: want a header and two rows\n%s", r)
	}
	for _, h := range []string{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"} {
		if !strings.Contains(lines[0], h) {
			t.Errorf("images header %q lacks %s", lines[0], h)
		}
	}
	var sawBusybox, sawSecond bool
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 3 || f[2] != id[:12] {
			t.Errorf("images row %q: want the 12-digit ID %s in the third column", l, id[:12])
			continue
		}
		sawBusybox = sawBusybox || (f[0] == "localhost/busybox" && f[1] == "latest")
		sawSecond = sawSecond || (f[0] == "localhost/second" && f[1] == "v1")
	}
	if !sawBusybox || !sawSecond {
		t.Errorf("images does not list both names:\n%s", r.Stdout())
	}

	// -q: one short ID per image (not per name).
	q := env.Berth("images", "-q").Lines()
	if len(q) != 1 || q[0] != id[:12] {
		t.Errorf("images -q = %q, want [%s]", q, id[:12])
	}
	if got := env.MustBerth(t, "images", "-q", "--no-trunc"); got != "sha256:"+id {
		t.Errorf("images -q --no-trunc = %q, want sha256:%s", got, id)
	}
	if got := env.MustBerth(t, "images", "--no-trunc"); !strings.Contains(got, "sha256:"+id) {
		t.Errorf("images --no-trunc does not show the full ID:\n%s", got)
	}
	if got := env.Berth("images", "--noheading").Lines(); len(got) != 2 || strings.Contains(got[0], "REPOSITORY") {
		t.Errorf("images --noheading = %q", got)
	}
	// A name selects the image (podman 4.3 then lists all its names, docker
	// only the matching one).
	if got := env.Berth("images", "--format", "{{.Repository}}:{{.Tag}}", "second").Lines(); !slices.Contains(got, "localhost/second:v1") {
		t.Errorf("images second = %q, want localhost/second:v1 listed", got)
	}
	if got := env.Berth("images", "-q", "nosuch").Lines(); len(got) != 0 {
		t.Errorf("images nosuch = %q, want nothing", got)
	}
}

func TestImagesFormat(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := pbImageID(t, env, "busybox")

	if got := env.MustBerth(t, "images", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"); got != id[:12]+" localhost/busybox:latest" {
		t.Errorf("images --format template = %q", got)
	}
	// A \t typed by the user is a real tab in a plain template (podman and
	// docker print it raw; scripts cut on it).
	if got := env.MustBerth(t, "images", "--format", `{{.Repository}}\t{{.Tag}}`); got != "localhost/busybox\tlatest" {
		t.Errorf(`images --format '{{.Repository}}\t{{.Tag}}' = %q, want %q`, got, "localhost/busybox\tlatest")
	}

	// json: an array of objects with the image's ID and names.
	out := env.MustBerth(t, "images", "--format", "json")
	var arr []map[string]any
	if err := json.Unmarshal([]byte(out), &arr); err != nil {
		t.Fatalf("images --format json: %v\n%s", err, out)
	}
	if len(arr) != 1 {
		t.Fatalf("images --format json: %d entries", len(arr))
	}
	if arr[0]["Id"] != id {
		t.Errorf("json Id = %v, want %s", arr[0]["Id"], id)
	}
	if got := pbStrings(arr[0]["Names"]); !slices.Contains(got, "localhost/busybox:latest") {
		t.Errorf("json Names = %v", got)
	}
	if size, _ := arr[0]["Size"].(float64); size < 1e6 {
		t.Errorf("json Size = %v, want the image size (> 1MB)", arr[0]["Size"])
	}

	// {{json .}} is the whole record, one line per image.
	line := env.MustBerth(t, "images", "--format", "{{json .}}")
	if !strings.Contains(line, id[:12]) || !strings.Contains(line, "localhost/busybox") {
		t.Errorf("images --format '{{json .}}' = %s, want the whole record (ID, repository...)", line)
	}

	// table with tabs: header per column and aligned rows.
	lines := env.Berth("images", "--format", `table {{.Repository}}\t{{.Tag}}\t{{.ID}}`).Lines()
	if len(lines) != 2 {
		t.Fatalf("table output: %q", lines)
	}
	if h := strings.Fields(lines[0]); !slices.Equal(h, []string{"REPOSITORY", "TAG", "IMAGE", "ID"}) {
		t.Errorf("table header = %q, want REPOSITORY TAG IMAGE ID", lines[0])
	}
	if f := strings.Fields(lines[1]); !slices.Equal(f, []string{"localhost/busybox", "latest", id[:12]}) {
		t.Errorf("table row = %q", lines[1])
	}
	// table with spaces: every field still gets its header.
	lines = env.Berth("images", "--format", "table {{.Repository}} {{.Tag}} {{.ID}}").Lines()
	if len(lines) != 2 {
		t.Fatalf("table output: %q", lines)
	}
	if h := strings.Fields(lines[0]); !slices.Equal(h, []string{"REPOSITORY", "TAG", "IMAGE", "ID"}) {
		t.Errorf("header of 'table {{.Repository}} {{.Tag}} {{.ID}}' = %q, want REPOSITORY TAG IMAGE ID", lines[0])
	}
	if f := strings.Fields(lines[1]); !slices.Equal(f, []string{"localhost/busybox", "latest", id[:12]}) {
		t.Errorf("table row = %q", lines[1])
	}

	r := env.Berth("images", "--format", "{{.NoSuchField}}")
	if r.ExitCode() != 125 {
		t.Errorf("images with a bad template: exit %d, want 125\n%s", r.ExitCode(), r)
	}
}

func TestTagUntagAndExists(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := pbImageID(t, env, "busybox")

	env.MustBerth(t, "tag", "busybox", "mybb:1", "example.org/team/bb:2")
	for _, ref := range []string{"mybb:1", "localhost/mybb:1", "example.org/team/bb:2"} {
		if r := env.Berth("image", "exists", ref); r.ExitCode() != 0 {
			t.Errorf("image exists %s: exit %d, want 0", ref, r.ExitCode())
		}
		if got := pbImageID(t, env, ref); got != id {
			t.Errorf("%s has ID %s, want %s", ref, got, id)
		}
	}
	if r := env.Berth("tag", "nosuch", "x:1"); r.ExitCode() != 125 {
		t.Errorf("tag of a missing image: exit %d, want 125", r.ExitCode())
	}

	// With several names, rmi of one name only untags.
	out := env.MustBerth(t, "rmi", "mybb:1")
	if out != "Untagged: localhost/mybb:1" {
		t.Errorf("rmi mybb:1 printed %q, want only %q", out, "Untagged: localhost/mybb:1")
	}
	if r := env.Berth("image", "exists", "mybb:1"); r.ExitCode() != 1 {
		t.Errorf("image exists mybb:1 after rmi: exit %d, want 1", r.ExitCode())
	}
	if r := env.Berth("image", "exists", id); r.ExitCode() != 0 {
		t.Errorf("image removed although other names were left (exists by ID: %d)", r.ExitCode())
	}
	env.MustBerth(t, "rmi", "example.org/team/bb:2")

	// The last name: untag and delete.
	out = env.MustBerth(t, "rmi", "busybox")
	if !strings.Contains(out, "Untagged: localhost/busybox:latest") || !strings.Contains(out, "Deleted: "+id) {
		t.Errorf("rmi busybox printed %q, want Untagged and Deleted: %s", out, id)
	}
	if r := env.Berth("image", "exists", id); r.ExitCode() != 1 {
		t.Errorf("image exists after its removal: exit %d, want 1", r.ExitCode())
	}
	if got := env.Berth("images", "-q").Lines(); len(got) != 0 {
		t.Errorf("images -q after rmi = %q", got)
	}
}

func TestRmiInUse(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctr := env.MustBerth(t, "create", "--name", "user", "busybox", "true")

	// podman: exit 2 "image used by <ctr ID>: image is in use by a container".
	r := env.Berth("rmi", "busybox")
	if r.ExitCode() != 2 {
		t.Errorf("rmi of an image in use: exit %d, want 2\n%s", r.ExitCode(), r)
	}
	if !strings.Contains(r.Stderr(), ctr) && !strings.Contains(r.Stderr(), "user") {
		t.Errorf("rmi error does not name the container %s: %q", ctr, r.Stderr())
	}
	if !strings.Contains(r.Stderr(), "in use") {
		t.Errorf("rmi error does not say the image is in use: %q", r.Stderr())
	}
	if r := env.Berth("image", "exists", "busybox"); r.ExitCode() != 0 {
		t.Fatalf("image gone after a refused rmi")
	}
	if r := env.Berth("container", "exists", ctr); r.ExitCode() != 0 {
		t.Fatalf("container gone after a refused rmi")
	}

	// rmi -f removes the container too.
	env.MustBerth(t, "rmi", "-f", "busybox")
	if r := env.Berth("container", "exists", ctr); r.ExitCode() != 1 {
		t.Errorf("container exists after rmi -f of its image: exit %d, want 1", r.ExitCode())
	}
	if r := env.Berth("image", "exists", "busybox"); r.ExitCode() != 1 {
		t.Errorf("image exists after rmi -f: exit %d, want 1", r.ExitCode())
	}
	if got := env.Berth("ps", "-aq").Lines(); len(got) != 0 {
		t.Errorf("ps -aq after rmi -f = %q", got)
	}
}

func TestRmiMissing(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	// podman: exit 1 "nosuch: image not known".
	r := env.Berth("rmi", "nosuch")
	if r.ExitCode() != 1 {
		t.Errorf("rmi of a missing image: exit %d, want 1\n%s", r.ExitCode(), r)
	}
	if !strings.Contains(r.Stderr(), "nosuch") || !strings.Contains(r.Stderr(), "image not known") {
		t.Errorf("rmi error = %q, want 'nosuch: image not known'", r.Stderr())
	}
	if r := env.Berth("rmi", "-i", "nosuch"); r.ExitCode() != 0 {
		t.Errorf("rmi -i of a missing image: exit %d, want 0\n%s", r.ExitCode(), r)
	}
}
