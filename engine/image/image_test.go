//go:build !berth_lean

package image

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	bstorage "github.com/berth-dev/berth/engine/storage"
	"github.com/berth-dev/berth/internal/errdefs"
)

func TestMain(m *testing.M) {
	if bstorage.Reexec() {
		return
	}
	os.Exit(m.Run())
}

// newTestService opens a store in a fresh temp dir and returns a Service
// over it. Cleanup shuts the store down and checks that no mount is left.
func newTestService(t *testing.T) (*Service, *bstorage.Store) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := t.TempDir()
	st, err := bstorage.Open(bstorage.Options{GraphRoot: filepath.Join(dir, "root"), RunRoot: filepath.Join(dir, "run")})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Shutdown(true); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if m := mountsUnder(t, dir); len(m) > 0 {
			t.Errorf("mounts left under %s: %v", dir, m)
		}
	})
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	return New(st, Options{TmpDir: tmp}), st
}

func mountsUnder(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir) {
			out = append(out, fields[4])
		}
	}
	return out
}

// rootfsTar builds a tiny busybox rootfs: /bin/busybox, /bin/sh, /etc/passwd.
func rootfsTar(t *testing.T) []byte {
	t.Helper()
	bb, err := os.ReadFile("/usr/bin/busybox")
	if err != nil {
		t.Skipf("no busybox: %v", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	hdrs := []struct {
		h    tar.Header
		data []byte
	}{
		{tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755}, nil},
		{tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(bb))}, bb},
		{tar.Header{Name: "bin/sh", Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}, nil},
		{tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}, nil},
		{tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Size: 29}, []byte("root:x:0:0:root:/root:/bin/sh\n")[:29]},
	}
	for _, e := range hdrs {
		if err := tw.WriteHeader(&e.h); err != nil {
			t.Fatal(err)
		}
		if e.data != nil {
			if _, err := tw.Write(e.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func importBusybox(t *testing.T, svc *Service, ref string) *define.Image {
	t.Helper()
	img, err := svc.Import(context.Background(), bytes.NewReader(rootfsTar(t)), ImportOptions{
		Reference: ref,
		Message:   "imported for tests",
		Changes:   []string{`CMD ["/bin/sh"]`, "ENV PATH=/bin", "LABEL org.test=yes", "EXPOSE 8080", "WORKDIR /tmp", "STOPSIGNAL SIGINT"},
	})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return img
}

func TestImportLookup(t *testing.T) {
	svc, _ := newTestService(t)
	img := importBusybox(t, svc, "busybox")

	if !slices.Equal(img.Names, []string{"localhost/busybox:latest"}) || img.Dangling {
		t.Errorf("Names = %v, Dangling = %v", img.Names, img.Dangling)
	}
	c := img.Config
	if !slices.Equal(c.Cmd, []string{"/bin/sh"}) || !slices.Equal(c.Env, []string{"PATH=/bin"}) || c.Labels["org.test"] != "yes" ||
		c.WorkingDir != "/tmp" || c.StopSignal != "SIGINT" || len(c.ExposedPorts) != 1 {
		t.Errorf("Config = %+v", c)
	}
	if len(img.Layers) != 1 || img.Size <= 0 || img.Digest == "" || img.Created.IsZero() || img.Comment != "imported for tests" || img.Os != "linux" {
		t.Errorf("image = %+v", img)
	}

	for _, q := range []string{"busybox", "busybox:latest", "localhost/busybox", "localhost/busybox:latest", img.ID, img.ID[:12], "sha256:" + img.ID, img.Digest, "busybox@" + img.Digest} {
		got, err := svc.Lookup(q)
		if err != nil || got.ID != img.ID {
			t.Errorf("Lookup(%q) = %v, %v", q, got, err)
		}
	}
	for _, q := range []string{"alpine", "busybox:1", "docker.io/library/busybox", "0000000000aa"} {
		_, err := svc.Lookup(q)
		if !errors.Is(err, define.ErrNoSuchImage) || !errdefs.IsNotFound(err) || err.Error() != q+": image not known" {
			t.Errorf("Lookup(%q) error = %v, want %q wrapping ErrNoSuchImage", q, err, q+": image not known")
		}
	}

	// A registry name answers to its short name too.
	if err := svc.Tag("busybox", "docker.io/library/alpine:3"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"alpine:3", "library/alpine:3", "docker.io/library/alpine:3", "docker.io/alpine:3"} {
		if got, err := svc.Lookup(q); err != nil || got.ID != img.ID {
			t.Errorf("Lookup(%q) = %v, %v", q, got, err)
		}
	}

	// A second, dangling image from a gzipped tarball.
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	raw := append(rootfsTar(t), make([]byte, 1024)...) // a different layer digest
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	dangling, err := svc.Import(context.Background(), &gz, ImportOptions{})
	if err != nil {
		t.Fatalf("Import gz: %v", err)
	}
	if !dangling.Dangling || len(dangling.Names) != 0 || dangling.ID == img.ID {
		t.Errorf("dangling import = %+v", dangling)
	}
	// A name wins over an ID prefix spelling the same letters; the ID
	// prefix still finds the other image when no name matches.
	if err := svc.Tag("busybox", dangling.ID[:4]); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.Lookup(dangling.ID[:4]); err != nil || got.ID != img.ID {
		t.Errorf("Lookup(%q) by name = %v, %v; want %s", dangling.ID[:4], got, err, img.ID)
	}
	if got, err := svc.Lookup(dangling.ID[:5]); err != nil || got.ID != dangling.ID {
		t.Errorf("Lookup(%q) by ID prefix = %v, %v; want %s", dangling.ID[:5], got, err, dangling.ID)
	}
	if err := svc.Untag(img.ID, dangling.ID[:4]); err != nil {
		t.Fatal(err)
	}
	list, err := svc.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %v, %v", list, err)
	}

	if _, err := svc.Import(context.Background(), bytes.NewReader(nil), ImportOptions{Changes: []string{"FOO x"}}); err == nil ||
		!strings.Contains(err.Error(), `invalid change "FOO x"`) {
		t.Errorf("Import with bad change: %v", err)
	}
}

func TestTagUntagRemove(t *testing.T) {
	svc, _ := newTestService(t)
	img := importBusybox(t, svc, "busybox")
	if err := svc.Tag(img.ID[:8], "quay.io/test/bb:1"); err != nil {
		t.Fatalf("Tag: %v", err)
	}
	if err := svc.Tag(img.ID, "other"); err != nil {
		t.Fatalf("Tag: %v", err)
	}
	got, _ := svc.Lookup(img.ID)
	want := []string{"localhost/other:latest", "quay.io/test/bb:1", "localhost/busybox:latest"}
	slices.Sort(want)
	names := slices.Sorted(slices.Values(got.Names))
	if !slices.Equal(names, want) {
		t.Errorf("Names = %v, want %v", names, want)
	}
	if err := svc.Untag(img.ID, "other"); err != nil {
		t.Fatalf("Untag: %v", err)
	}
	if err := svc.Untag(img.ID, "other"); !errors.Is(err, define.ErrNoSuchImage) {
		t.Errorf("Untag of missing tag: %v", err)
	}

	// By name with several names: only untag.
	rep, err := svc.Remove("bb:1", false, nil)
	if err != nil || !slices.Equal(rep.Untagged, []string{"quay.io/test/bb:1"}) || rep.Deleted != "" {
		t.Errorf("Remove by name = %+v, %v", rep, err)
	}
	if err := svc.Tag(img.ID, "two"); err != nil {
		t.Fatal(err)
	}
	// By ID with several names: refused without force.
	if _, err := svc.Remove(img.ID, false, nil); !errdefs.IsConflict(err) {
		t.Errorf("Remove by ID with two names: %v, want conflict", err)
	}
	if _, err := svc.Remove("two", false, nil); err != nil {
		t.Fatal(err)
	}
	// In use by a container: refused without force, naming it.
	inUse := func(id string) ([]string, error) {
		if id != img.ID {
			t.Errorf("inUse(%s), want %s", id, img.ID)
		}
		return []string{"web"}, nil
	}
	if _, err := svc.Remove("busybox", false, inUse); !errors.Is(err, define.ErrImageInUse) || !strings.Contains(err.Error(), "web") {
		t.Errorf("Remove in use: %v", err)
	}
	// A storage container still on the image goes with force.
	if _, err := svc.store.CreateContainer(strings.Repeat("c", 64), "", img.ID, "", false); err != nil {
		t.Fatal(err)
	}
	rep, err = svc.Remove("busybox", true, inUse)
	if err != nil || rep.Deleted != img.ID || !slices.Equal(rep.Untagged, []string{"localhost/busybox:latest"}) {
		t.Errorf("forced Remove = %+v, %v", rep, err)
	}
	if _, err := svc.Lookup(img.ID); !errors.Is(err, define.ErrNoSuchImage) {
		t.Errorf("Lookup after Remove: %v", err)
	}
	if _, err := svc.Remove("busybox", false, nil); !errors.Is(err, define.ErrNoSuchImage) {
		t.Errorf("Remove twice: %v", err)
	}
}

func TestSaveLoad(t *testing.T) {
	for _, format := range []string{FormatDockerArchive, FormatOCIArchive} {
		for _, toWriter := range []bool{false, true} {
			name := format + "/file"
			if toWriter {
				name = format + "/stream"
			}
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				src, _ := newTestService(t)
				img := importBusybox(t, src, "busybox")
				if err := src.Tag(img.ID, "quay.io/x/bb:2"); err != nil {
					t.Fatal(err)
				}
				ref := "busybox"
				wantNames := []string{"localhost/busybox:latest"}
				if format == FormatDockerArchive {
					ref = img.ID // by ID: every name goes into the archive
					wantNames = []string{"localhost/busybox:latest", "quay.io/x/bb:2"}
				}
				var (
					buf  bytes.Buffer
					path = filepath.Join(t.TempDir(), "img.tar")
					opts = SaveOptions{Format: format, Output: path}
					lo   = LoadOptions{Input: path}
				)
				if toWriter {
					opts = SaveOptions{Format: format, Writer: &buf}
					lo = LoadOptions{Reader: &buf}
				}
				if err := src.Save(ctx, []string{ref}, opts); err != nil {
					t.Fatalf("Save: %v", err)
				}

				dst, _ := newTestService(t)
				loaded, err := dst.Load(ctx, lo)
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if !slices.Equal(slices.Sorted(slices.Values(loaded)), wantNames) {
					t.Errorf("Load = %v, want %v", loaded, wantNames)
				}
				got, err := dst.Lookup("busybox")
				if err != nil {
					t.Fatalf("Lookup after load: %v", err)
				}
				if got.ID != img.ID {
					t.Errorf("loaded ID = %s, want %s", got.ID, img.ID)
				}
				if !slices.Equal(got.Config.Cmd, img.Config.Cmd) || !slices.Equal(got.Layers, img.Layers) {
					t.Errorf("loaded image = %+v, want %+v", got, img)
				}
			})
		}
	}
}

func TestSaveLoadMultipleAndDangling(t *testing.T) {
	ctx := context.Background()
	src, _ := newTestService(t)
	a := importBusybox(t, src, "a")
	b, err := src.Import(ctx, bytes.NewReader(append(rootfsTar(t), make([]byte, 1024)...)), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "two.tar")
	if err := src.Tag("a", "a2"); err != nil {
		t.Fatal(err)
	}
	if err := src.Save(ctx, []string{"a", b.ID[:12], "a2"}, SaveOptions{Output: path}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if err := src.Save(ctx, []string{"a", b.ID}, SaveOptions{Format: FormatDockerDir, Output: t.TempDir()}); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("Save two images as docker-dir: %v", err)
	}
	// Several images in one OCI archive and one OCI layout, the unnamed
	// one included.
	for _, format := range []string{FormatOCIArchive, FormatOCIDir} {
		out := filepath.Join(t.TempDir(), "multi")
		if err := src.Save(ctx, []string{"a", b.ID}, SaveOptions{Format: format, Output: out}); err != nil {
			t.Fatalf("Save two images as %s: %v", format, err)
		}
		dst, _ := newTestService(t)
		loaded, err := dst.Load(ctx, LoadOptions{Input: out})
		if err != nil {
			t.Fatalf("Load %s: %v", format, err)
		}
		if len(loaded) != 2 || !slices.Contains(loaded, "sha256:"+b.ID) || !slices.Contains(loaded, "localhost/a:latest") {
			t.Errorf("Load %s = %v, want localhost/a:latest and sha256:%s", format, loaded, b.ID)
		}
		for _, id := range []string{a.ID, b.ID} {
			if _, err := dst.Lookup(id); err != nil {
				t.Errorf("%s: Lookup(%s): %v", format, id, err)
			}
		}
	}
	dst, _ := newTestService(t)
	loaded, err := dst.Load(ctx, LoadOptions{Input: path})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []string{"localhost/a:latest", "localhost/a2:latest", "sha256:" + b.ID}
	if !slices.Equal(loaded, want) {
		t.Errorf("Load = %v, want %v", loaded, want)
	}
	for _, id := range []string{a.ID, b.ID} {
		if _, err := dst.Lookup(id); err != nil {
			t.Errorf("Lookup(%s): %v", id, err)
		}
	}
	if _, err := dst.Load(ctx, LoadOptions{Reader: strings.NewReader("not an archive")}); err == nil {
		t.Error("Load of garbage succeeded")
	}
}

func TestCommit(t *testing.T) {
	ctx := context.Background()
	svc, st := newTestService(t)
	base := importBusybox(t, svc, "busybox")
	const ctrID = "1111111111111111111111111111111111111111111111111111111111111111"
	if _, err := st.CreateContainer(ctrID, "c1", base.ID, "", false); err != nil {
		t.Fatal(err)
	}
	mp, err := st.Mount(ctrID)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(mp, "etc/passwd")); err != nil || !strings.HasPrefix(string(b), "root:") {
		t.Errorf("passwd through mount = %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(mp, "etc/motd"), []byte("committed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := st.Unmount(ctrID, false); err != nil {
		t.Fatal(err)
	}
	changes, err := st.Changes(ctrID)
	found := false
	for _, c := range changes {
		found = found || (c.Path == "/etc/motd" && c.Kind.String() == "A")
	}
	if err != nil || !found {
		t.Errorf("Changes = %v, %v, want /etc/motd added", changes, err)
	}

	img, err := svc.Commit(ctx, ctrID, CommitOptions{
		Reference: "committed:v1",
		Author:    "tester",
		Message:   "add motd",
		Changes:   []string{"ENV FOO=bar", `ENTRYPOINT ["/bin/sh","-c"]`},
	})
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if !slices.Equal(img.Names, []string{"localhost/committed:v1"}) || img.Author != "tester" || img.Comment != "add motd" {
		t.Errorf("committed image = %+v", img)
	}
	if len(img.Layers) != 2 || img.Layers[0] != base.Layers[0] || len(img.History) != 2 {
		t.Errorf("Layers = %v, History = %v", img.Layers, img.History)
	}
	if !slices.Equal(img.Config.Env, []string{"PATH=/bin", "FOO=bar"}) || !slices.Equal(img.Config.Cmd, []string{"/bin/sh"}) ||
		!slices.Equal(img.Config.Entrypoint, []string{"/bin/sh", "-c"}) || img.Config.Labels["org.test"] != "yes" {
		t.Errorf("Config = %+v", img.Config)
	}

	// The new image runs: a container from it sees both layers.
	const ctr2 = "2222222222222222222222222222222222222222222222222222222222222222"
	if _, err := st.CreateContainer(ctr2, "c2", img.ID, "", false); err != nil {
		t.Fatalf("CreateContainer from committed image: %v", err)
	}
	var exp bytes.Buffer
	if err := st.ExportRootfs(ctx, ctr2, &exp); err != nil {
		t.Fatalf("ExportRootfs: %v", err)
	}
	files := tarFiles(t, &exp)
	if files["etc/motd"] != "committed\n" || !strings.HasPrefix(files["etc/passwd"], "root:") {
		t.Errorf("exported rootfs files = %v", keys(files))
	}

	// And it can be saved and loaded elsewhere with the same ID.
	var buf bytes.Buffer
	if err := svc.Save(ctx, []string{"committed:v1"}, SaveOptions{Writer: &buf}); err != nil {
		t.Fatalf("Save committed: %v", err)
	}
	dst, _ := newTestService(t)
	if _, err := dst.Load(ctx, LoadOptions{Reader: &buf}); err != nil {
		t.Fatalf("Load committed: %v", err)
	}
	if got, err := dst.Lookup("committed:v1"); err != nil || got.ID != img.ID {
		t.Errorf("Lookup loaded commit = %v, %v", got, err)
	}
	for _, id := range []string{ctrID, ctr2} {
		if err := st.DeleteContainer(id); err != nil {
			t.Error(err)
		}
	}
}

func tarFiles(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	files := map[string]string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		files[strings.TrimPrefix(h.Name, "./")] = string(b)
	}
}

func keys(m map[string]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}
