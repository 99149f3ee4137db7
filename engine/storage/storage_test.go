package storage

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	cstorage "go.podman.io/storage"
)

func TestMain(m *testing.M) {
	if Reexec() {
		return
	}
	os.Exit(m.Run())
}

// openTestStore opens a store under a fresh temp dir and registers its
// forced shutdown plus a check that no mount is left under the dir.
func openTestStore(t *testing.T, driver string) *Store {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	dir := t.TempDir()
	s, err := Open(Options{GraphRoot: filepath.Join(dir, "root"), RunRoot: filepath.Join(dir, "run"), GraphDriver: driver})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(true); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if m := mountsUnder(t, dir); len(m) > 0 {
			t.Errorf("mounts left under %s: %v", dir, m)
		}
	})
	return s
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

// putTestImage creates a one-layer image straight through the storage API.
func putTestImage(t *testing.T, s *Store, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	l, _, err := s.Storage().PutLayer("", "", nil, "", false, nil, &buf)
	if err != nil {
		t.Fatalf("PutLayer: %v", err)
	}
	img, err := s.Storage().CreateImage("", []string{"localhost/test:latest"}, l.ID, "", nil)
	if err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	return img.ID
}

func TestOpenDriver(t *testing.T) {
	for _, driver := range []string{"", "vfs"} {
		t.Run("driver="+driver, func(t *testing.T) {
			s := openTestStore(t, driver)
			got := s.GraphDriverName()
			if driver != "" && got != driver {
				t.Errorf("GraphDriverName() = %q, want %q", got, driver)
			}
			if driver == "" && got != "overlay" && got != "vfs" {
				t.Errorf("default GraphDriverName() = %q, want overlay or vfs", got)
			}
			if !strings.HasSuffix(s.GraphRoot(), "/root") || !strings.HasSuffix(s.RunRoot(), "/run") {
				t.Errorf("roots = %q, %q", s.GraphRoot(), s.RunRoot())
			}
		})
	}
}

func TestContainerLifecycle(t *testing.T) {
	for _, driver := range []string{"", "vfs"} {
		t.Run("driver="+driver, func(t *testing.T) {
			s := openTestStore(t, driver)
			imgID := putTestImage(t, s, map[string]string{"etc/hello": "hello\n", "etc/gone": "x"})
			const id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

			c, err := s.CreateContainer(id, "web", imgID, `{"berth":true}`, false)
			if err != nil {
				t.Fatalf("CreateContainer: %v", err)
			}
			if c.ID != id || c.ImageID != imgID {
				t.Errorf("container = %+v", c)
			}
			if _, err := s.CreateContainer("1"+id[1:], "web", imgID, "", false); !errors.Is(err, define.ErrNameInUse) {
				t.Errorf("duplicate name: err = %v, want ErrNameInUse", err)
			}
			if _, err := s.CreateContainer(id, "other", imgID, "", false); !errors.Is(err, define.ErrCtrExists) {
				t.Errorf("duplicate id: err = %v, want ErrCtrExists", err)
			}
			if _, err := s.CreateContainer("2"+id[1:], "x", "nosuchimage", "", false); !errors.Is(err, define.ErrNoSuchImage) {
				t.Errorf("unknown image: err = %v, want ErrNoSuchImage", err)
			}

			runDir, staticDir, err := s.ContainerDirs(id)
			if err != nil || !strings.HasPrefix(runDir, s.RunRoot()) || !strings.HasPrefix(staticDir, s.GraphRoot()) {
				t.Errorf("ContainerDirs = %q, %q, %v", runDir, staticDir, err)
			}

			mp, err := s.Mount(id)
			if err != nil {
				t.Fatalf("Mount: %v", err)
			}
			if b, err := os.ReadFile(filepath.Join(mp, "etc/hello")); err != nil || string(b) != "hello\n" {
				t.Errorf("read through mount = %q, %v", b, err)
			}
			mp2, err := s.Mount(id)
			if err != nil || mp2 != mp {
				t.Fatalf("second Mount = %q, %v", mp2, err)
			}
			if n, err := s.Mounted(id); err != nil || n != 2 {
				t.Errorf("Mounted = %d, %v, want 2", n, err)
			}
			if err := os.WriteFile(filepath.Join(mp, "new.txt"), []byte("new"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(mp, "etc/gone")); err != nil {
				t.Fatal(err)
			}

			changes, err := s.Changes(id)
			if err != nil {
				t.Fatalf("Changes: %v", err)
			}
			got := map[string]string{}
			for _, ch := range changes {
				got[ch.Path] = ch.Kind.String()
			}
			for path, kind := range map[string]string{"/new.txt": "A", "/etc/gone": "D", "/etc": "C"} {
				if got[path] != kind {
					t.Errorf("change %s = %q, want %q (all: %v)", path, got[path], kind, got)
				}
			}

			rw, rootfs, err := s.ContainerSize(id)
			if err != nil || rw <= 0 || rootfs <= rw {
				t.Errorf("ContainerSize = %d, %d, %v", rw, rootfs, err)
			}

			var tarBuf bytes.Buffer
			if err := s.ExportRootfs(context.Background(), id, &tarBuf); err != nil {
				t.Fatalf("ExportRootfs: %v", err)
			}
			names := tarNames(t, &tarBuf)
			if !names["new.txt"] || !names["etc/hello"] || names["etc/gone"] {
				t.Errorf("export entries = %v", names)
			}

			if err := s.Unmount(id, false); err != nil {
				t.Fatal(err)
			}
			if n, _ := s.Mounted(id); n != 1 {
				t.Errorf("Mounted after one Unmount = %d, want 1", n)
			}
			if err := s.Unmount(id, false); err != nil {
				t.Fatal(err)
			}
			if n, _ := s.Mounted(id); n != 0 {
				t.Errorf("Mounted after two Unmounts = %d, want 0", n)
			}
			for _, m := range mountsUnder(t, filepath.Dir(s.GraphRoot())) {
				if m == mp {
					t.Errorf("rootfs %s still mounted after count reached 0", mp)
				}
			}
			if err := s.Unmount(id, false); err != nil {
				t.Errorf("Unmount of unmounted rootfs: %v", err)
			}

			if _, err := s.Mount(id); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteContainer(id); err != nil {
				t.Fatalf("DeleteContainer of mounted container: %v", err)
			}
			if err := s.DeleteContainer(id); err != nil {
				t.Errorf("DeleteContainer twice: %v", err)
			}
			if _, err := s.Container(id); !errors.Is(err, define.ErrNoSuchCtr) {
				t.Errorf("Container after delete: err = %v, want ErrNoSuchCtr", err)
			}
			if _, err := s.Mount(id); !errors.Is(err, define.ErrNoSuchCtr) {
				t.Errorf("Mount after delete: err = %v, want ErrNoSuchCtr", err)
			}
		})
	}
}

func TestShutdownKeepsMountsWithoutForce(t *testing.T) {
	s := openTestStore(t, "")
	imgID := putTestImage(t, s, map[string]string{"a": "a"})
	const id = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	if _, err := s.CreateContainer(id, "", imgID, "", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mount(id); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(false); err != nil {
		t.Errorf("Shutdown(false) with a mounted container: %v", err)
	}
	if n, err := s.Mounted(id); err != nil || n != 1 {
		t.Errorf("Mounted after Shutdown(false) = %d, %v", n, err)
	}
	var _ cstorage.Store = s.Storage()
}

func tarNames(t *testing.T, r io.Reader) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		names[strings.TrimPrefix(h.Name, "./")] = true
	}
}
