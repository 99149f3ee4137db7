package rootcopy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadFile(t *testing.T) {
	dir, outside, _ := newRoot(t)
	etc := filepath.Join(dir, "etc")
	// A host-like file outside the root, and links to it that a plain
	// os.ReadFile(filepath.Join(dir, ...)) would follow.
	hostHosts := filepath.Join(outside, "hosts")
	if err := os.WriteFile(hostHosts, []byte("10.9.8.7 host-only-line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(etc, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, "big"), make([]byte, 101), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(etc, "hosts.real"), []byte("127.0.0.1 localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"hosts-abs":  hostHosts,                     // absolute link to a host file
		"hosts-up":   "../../outside/hosts",         // relative link climbing out
		"hosts-rel":  "hosts.real",                  // a link that stays inside
		"hosts-fifo": "/etc/fifo",                   // link to a FIFO
		"zero":       "/dev/zero",                   // link to an endless device
		"loop":       "loop",                        // itself
		"through":    "/etc/hosts.real/x",           // a path through a file
		"proc":       "/proc/self/root" + hostHosts, // a magic link on the host
		"dirlink":    "/etc",                        // a directory
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(etc, name)); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		path    string
		want    string
		wantErr error
	}{
		{path: "/etc/passwd", want: "root:x:0:0::/root:/bin/sh\n"},
		{path: "etc/hosts-rel", want: "127.0.0.1 localhost\n"},
		{path: "/etc/hosts-abs", wantErr: fs.ErrNotExist},
		{path: "/etc/hosts-up", wantErr: fs.ErrNotExist},
		{path: "/../../outside/hosts", wantErr: fs.ErrNotExist},
		{path: "/etc/fifo", wantErr: ErrNotRegular},
		{path: "/etc/hosts-fifo", wantErr: ErrNotRegular},
		{path: "/etc", wantErr: ErrNotRegular},
		{path: "/etc/dirlink", wantErr: ErrNotRegular},
		{path: "/etc/big", wantErr: ErrTooLarge},
		{path: "/etc/missing", wantErr: fs.ErrNotExist},
		{path: "/etc/through", wantErr: fs.ErrNotExist},
		{path: "/etc/passwd/x", wantErr: fs.ErrNotExist},
		{path: "/etc/loop", wantErr: unix.ELOOP},
		{path: "/etc/proc", wantErr: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := ReadFile(dir, tt.path, 100)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ReadFile(%s) = %q, %v; want error %v", tt.path, got, err, tt.wantErr)
				}
				if strings.Contains(string(got), "host-only-line") {
					t.Fatalf("ReadFile(%s) read the host file", tt.path)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("ReadFile(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
			}
		})
	}
}

// TestReadFileDevice puts real device nodes in the root: /dev/zero would
// never end and a reader must not even open one.
func TestReadFileDevice(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "dev"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(dir, "dev", "zero"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 5))); err != nil {
		t.Skipf("mknod needs CAP_MKNOD: %v", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "hosts")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dev/zero", "/hosts"} {
		if got, err := ReadFile(dir, p, 1<<20); !errors.Is(err, ErrNotRegular) {
			t.Errorf("ReadFile(%s) = %d bytes, %v; want ErrNotRegular", p, len(got), err)
		}
	}
}

// TestReadFileProcRoot reads through /proc/PID/root, the way the engine
// reads a running container's files.
func TestReadFileProcRoot(t *testing.T) {
	got, err := ReadFile("/proc/self/root", "/proc/self/root/etc/hostname", 1<<20)
	if err == nil {
		t.Fatalf("ReadFile through a magic link = %q, want an error", got)
	}
	want, werr := os.ReadFile("/etc/hostname")
	got, err = ReadFile("/proc/self/root", "/etc/hostname", 1<<20)
	if werr != nil {
		t.Skip(werr)
	}
	if err != nil || string(got) != string(want) {
		t.Fatalf("ReadFile(/proc/self/root, /etc/hostname) = %q, %v; want %q", got, err, want)
	}
}
