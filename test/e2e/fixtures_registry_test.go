package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Fixture images of the registry tests, built offline by the tests
// themselves: rgBusybox by `import` of the suite's busybox rootfs, the
// others as OCI layouts written here in Go and pulled with the oci:
// transport (which they exercise too).
const (
	rgBusybox  = "localhost/fx-busybox:latest"
	rgTwoLayer = "localhost/fx-twolayer:latest"
	rgRich     = "localhost/fx-rich:latest"
)

// rgLayout describes one OCI layout image to write.
type rgLayout struct {
	arch   string
	layers [][]byte // uncompressed tars, base first
	config map[string]any
}

// rgImportFixtures puts the three fixture images into env and returns
// their IDs by name.
func rgImportFixtures(t testing.TB, env *Env) map[string]string {
	t.Helper()
	ids := map[string]string{}
	ids[rgBusybox] = env.MustBerth(t, "import", "--change", "CMD=/bin/sh", busyboxTar, "fx-busybox")

	bb, err := os.ReadFile(busyboxTar)
	if err != nil {
		t.Fatal(err)
	}
	two := rgWriteLayout(t, filepath.Join(env.TmpDir, "twolayer"), "fx-twolayer", rgLayout{
		layers: [][]byte{bb, rgTar(t, map[string]string{"srv/hello.txt": "hello from layer two\n"})},
		config: map[string]any{"Cmd": []string{"/bin/cat", "/srv/hello.txt"}, "Env": []string{"PATH=/bin"}},
	})
	ids[rgTwoLayer] = env.MustBerth(t, "pull", "-q", "oci:"+two)

	rich := rgWriteLayout(t, filepath.Join(env.TmpDir, "rich"), "fx-rich", rgLayout{
		layers: [][]byte{bb},
		config: map[string]any{
			"User":         "1000:1000",
			"Entrypoint":   []string{"/bin/sh", "-c"},
			"Cmd":          []string{"echo rich $(id -u)"},
			"Env":          []string{"PATH=/bin"},
			"ExposedPorts": map[string]any{"8080/tcp": map[string]any{}},
			"Volumes":      map[string]any{"/data": map[string]any{}},
			"Labels":       map[string]string{"fixture": "rich"},
			"Healthcheck":  map[string]any{"Test": []string{"CMD-SHELL", "true"}, "Interval": int64(30 * time.Second)},
		},
	})
	ids[rgRich] = env.MustBerth(t, "pull", "-q", "oci:"+rich)
	return ids
}

// rgTar builds an uncompressed tar of files (parent directories added).
func rgTar(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for name, content := range files {
		for d := filepath.Dir(name); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(content)), ModTime: time.Unix(0, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rgWriteLayout writes img as an OCI image layout at dir, its manifest
// annotated with refName, and returns "dir:refName" for the oci:
// transport.
func rgWriteLayout(t testing.TB, dir, refName string, img rgLayout) string {
	t.Helper()
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(b []byte) (string, int64) {
		sum := sha256.Sum256(b)
		d := hex.EncodeToString(sum[:])
		if err := os.WriteFile(filepath.Join(blobs, d), b, 0o644); err != nil {
			t.Fatal(err)
		}
		return "sha256:" + d, int64(len(b))
	}
	var diffIDs []string
	var layers []map[string]any
	var history []map[string]any
	for i, l := range img.layers {
		sum := sha256.Sum256(l)
		diffIDs = append(diffIDs, "sha256:"+hex.EncodeToString(sum[:]))
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		if _, err := zw.Write(l); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		d, size := put(gz.Bytes())
		layers = append(layers, map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": size})
		history = append(history, map[string]any{"created": "2024-01-01T00:00:00Z", "created_by": "berth e2e fixture layer " + string(rune('A'+i))})
	}
	arch := img.arch
	if arch == "" {
		arch = runtime.GOARCH
	}
	cfg := map[string]any{
		"created":      "2024-01-01T00:00:00Z",
		"architecture": arch,
		"os":           "linux",
		"config":       img.config,
		"rootfs":       map[string]any{"type": "layers", "diff_ids": diffIDs},
		"history":      history,
	}
	cb, _ := json.Marshal(cfg)
	cd, cs := put(cb)
	man := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
		"layers":        layers,
	}
	mb, _ := json.Marshal(man)
	md, ms := put(mb)
	index := map[string]any{
		"schemaVersion": 2,
		"manifests": []any{map[string]any{
			"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
			"annotations": map[string]string{"org.opencontainers.image.ref.name": refName},
		}},
	}
	ib, _ := json.Marshal(index)
	if err := os.WriteFile(filepath.Join(dir, "index.json"), ib, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir + ":" + refName
}
