package lookup

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
)

const testPasswd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# a comment
alice:x:1000:1000:Alice:/home/alice:/bin/sh
bob:x:1001:1001::/home/bob:/bin/sh
nohome:x:1002:1002:::/bin/sh
`

const testGroup = `root:x:0:
daemon:x:1:
wheel:x:10:alice
audio:x:29:alice,bob
alice:x:1000:
bob:x:1001:
staff:x:50:
`

func writeRootfs(t *testing.T, passwd, group string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if passwd != "" {
		if err := os.WriteFile(filepath.Join(root, "etc/passwd"), []byte(passwd), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if group != "" {
		if err := os.WriteFile(filepath.Join(root, "etc/group"), []byte(group), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestUser(t *testing.T) {
	root := writeRootfs(t, testPasswd, testGroup)
	tests := []struct {
		spec    string
		want    *Exec
		wantErr string
	}{
		{spec: "", want: &Exec{UID: 0, GID: 0, Home: "/root"}},
		{spec: "root", want: &Exec{UID: 0, GID: 0, Home: "/root"}},
		{spec: "0", want: &Exec{UID: 0, GID: 0, Home: "/root"}},
		{spec: "alice", want: &Exec{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 29}, Home: "/home/alice"}},
		{spec: "1000", want: &Exec{UID: 1000, GID: 1000, AdditionalGids: []uint32{10, 29}, Home: "/home/alice"}},
		{spec: "bob", want: &Exec{UID: 1001, GID: 1001, AdditionalGids: []uint32{29}, Home: "/home/bob"}},
		{spec: "alice:staff", want: &Exec{UID: 1000, GID: 50, Home: "/home/alice"}},
		{spec: "alice:77", want: &Exec{UID: 1000, GID: 77, Home: "/home/alice"}},
		{spec: "1000:wheel", want: &Exec{UID: 1000, GID: 10, Home: "/home/alice"}},
		{spec: "1000:1001", want: &Exec{UID: 1000, GID: 1001, Home: "/home/alice"}},
		{spec: "4242", want: &Exec{UID: 4242, GID: 0, Home: "/"}},
		{spec: "4242:4343", want: &Exec{UID: 4242, GID: 4343, Home: "/"}},
		{spec: "nohome", want: &Exec{UID: 1002, GID: 1002, Home: "/"}},
		{spec: "mallory", wantErr: "unable to find user mallory: no matching entries in passwd file"},
		{spec: "mallory:staff", wantErr: "unable to find user mallory: no matching entries in passwd file"},
		{spec: "alice:nogroup", wantErr: "unable to find group nogroup: no matching entries in group file"},
		{spec: "4242:nogroup", wantErr: "unable to find group nogroup: no matching entries in group file"},
		{spec: "99999999999", wantErr: "ids must be between"},
		{spec: "a:b:c", wantErr: "invalid user"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := User(root, tt.spec)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("User(%q) = %+v, want error %q", tt.spec, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("User(%q) error = %q, want %q", tt.spec, err, tt.wantErr)
				}
				if !errdefs.IsInvalidArgument(err) {
					t.Errorf("User(%q) error %v is not an invalid-argument error", tt.spec, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("User(%q): %v", tt.spec, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("User(%q) = %+v, want %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestUserErrorsWrapNoSuchUser(t *testing.T) {
	root := writeRootfs(t, testPasswd, testGroup)
	for _, spec := range []string{"nobody", "alice:nogroup"} {
		_, err := User(root, spec)
		if !errors.Is(err, define.ErrNoSuchUser) {
			t.Errorf("User(%q) error = %v, want it to wrap define.ErrNoSuchUser", spec, err)
		}
	}
}

func TestUserMissingFiles(t *testing.T) {
	root := writeRootfs(t, "", "")
	got, err := User(root, "")
	if err != nil {
		t.Fatal(err)
	}
	if want := (&Exec{Home: "/"}); !reflect.DeepEqual(got, want) {
		t.Errorf("User(\"\") without passwd = %+v, want %+v", got, want)
	}
	got, err = User(root, "123:456")
	if err != nil {
		t.Fatal(err)
	}
	if want := (&Exec{UID: 123, GID: 456, Home: "/"}); !reflect.DeepEqual(got, want) {
		t.Errorf("User(123:456) without passwd = %+v, want %+v", got, want)
	}
	if _, err := User(root, "alice"); err == nil {
		t.Error("User(alice) without passwd succeeded, want error")
	}
}

// TestUserSymlinkEscape checks that a malicious /etc/passwd symlink that
// points outside the rootfs (absolute or via ..) is resolved inside it.
func TestUserSymlinkEscape(t *testing.T) {
	outside := t.TempDir()
	// A host file with a "secret" user that must never be seen.
	secret := filepath.Join(outside, "shadow")
	if err := os.WriteFile(secret, []byte("secret:x:4321:4321::/secret:/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		target string
	}{
		{"absolute", secret},
		{"dotdot", "../../../../../../../../" + secret},
		{"relative", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			root := filepath.Join(parent, "rootfs")
			if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
				t.Fatal(err)
			}
			target := tt.target
			if target == "" {
				rel, err := filepath.Rel(filepath.Join(root, "etc"), secret)
				if err != nil {
					t.Fatal(err)
				}
				target = rel
			}
			if err := os.Symlink(target, filepath.Join(root, "etc/passwd")); err != nil {
				t.Fatal(err)
			}
			// Sanity: a naive open would reach the host file.
			if _, err := os.Stat(filepath.Join(root, "etc/passwd")); err != nil {
				t.Fatalf("naive stat of the symlink: %v", err)
			}
			if _, err := User(root, "secret"); err == nil {
				t.Fatalf("User(secret) through %s symlink %s resolved a host file", tt.name, target)
			}
		})
	}
	t.Run("in-root absolute", func(t *testing.T) {
		// An absolute symlink that stays inside the rootfs must work.
		root := writeRootfs(t, "", testGroup)
		if err := os.MkdirAll(filepath.Join(root, "usr/lib"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "usr/lib/passwd"), []byte(testPasswd), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/usr/lib/passwd", filepath.Join(root, "etc/passwd")); err != nil {
			t.Fatal(err)
		}
		got, err := User(root, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if got.UID != 1001 {
			t.Errorf("User(bob) UID = %d, want 1001", got.UID)
		}
	})
	t.Run("directory", func(t *testing.T) {
		root := writeRootfs(t, "", "")
		if err := os.Symlink("/", filepath.Join(root, "etc/passwd")); err != nil {
			t.Fatal(err)
		}
		if _, err := User(root, "root"); err == nil {
			t.Error("User with /etc/passwd -> / succeeded, want error")
		}
	})
}

func TestUserGroupAdd(t *testing.T) {
	root := writeRootfs(t, testPasswd, testGroup)
	tests := []struct {
		user    string
		add     []string
		want    []uint32
		wantErr string
	}{
		{user: "", add: []string{"wheel", "123", "audio"}, want: []uint32{10, 123, 29}},
		// After the user's own groups, without duplicates.
		{user: "alice", add: []string{"staff", "wheel", "29", "4000"}, want: []uint32{10, 29, 50, 4000}},
		// Kept when the user spec names a group (podman), and the primary
		// group is not repeated.
		{user: "alice:staff", add: []string{"audio", "staff", "audio"}, want: []uint32{29}},
		{user: "4242", add: []string{"1000"}, want: []uint32{1000}},
		{user: "", add: []string{"nosuch"}, wantErr: "unable to find group nosuch"},
	}
	for _, tt := range tests {
		got, err := User(root, tt.user, tt.add...)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, define.ErrNoSuchUser) {
				t.Errorf("User(%q, %v) error = %v, want %q wrapping ErrNoSuchUser", tt.user, tt.add, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("User(%q, %v): %v", tt.user, tt.add, err)
		}
		if !reflect.DeepEqual(got.AdditionalGids, tt.want) {
			t.Errorf("User(%q, %v) AdditionalGids = %v, want %v", tt.user, tt.add, got.AdditionalGids, tt.want)
		}
	}
	// Without /etc/group, numeric gids still work and names do not.
	bare := writeRootfs(t, testPasswd, "")
	if got, err := User(bare, "", "77"); err != nil || !reflect.DeepEqual(got.AdditionalGids, []uint32{77}) {
		t.Errorf("User without /etc/group, --group-add 77 = %+v, %v", got, err)
	}
	if _, err := User(bare, "", "wheel"); !errors.Is(err, define.ErrNoSuchUser) {
		t.Errorf("User without /etc/group, --group-add wheel: error = %v, want ErrNoSuchUser", err)
	}
}

// TestUserUnusableFiles checks that a passwd or group file that is a FIFO,
// a device or huge fails at once with a clear error instead of blocking or
// reading without end.
func TestUserUnusableFiles(t *testing.T) {
	for _, file := range []string{"passwd", "group"} {
		t.Run(file+" fifo", func(t *testing.T) {
			root := writeRootfs(t, "", "")
			if err := unix.Mkfifo(filepath.Join(root, "etc", file), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := User(root, "")
			if !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "/etc/"+file) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("User with a FIFO /etc/%s: error = %v, want an invalid-argument error naming it", file, err)
			}
		})
		t.Run(file+" too large", func(t *testing.T) {
			root := writeRootfs(t, "", "")
			if err := os.WriteFile(filepath.Join(root, "etc", file), make([]byte, maxFileSize+1), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := User(root, ""); !errdefs.IsInvalidArgument(err) || !strings.Contains(err.Error(), "too large") {
				t.Errorf("User with a huge /etc/%s: error = %v, want an invalid-argument error", file, err)
			}
		})
	}
	t.Run("passwd to /dev/zero", func(t *testing.T) {
		// The rootfs has no /dev/zero: in-root resolution finds nothing,
		// as if there were no passwd.
		root := writeRootfs(t, "", testGroup)
		if err := os.Symlink("/dev/zero", filepath.Join(root, "etc/passwd")); err != nil {
			t.Fatal(err)
		}
		if got, err := User(root, ""); err != nil || got.Home != "/" {
			t.Errorf("User with /etc/passwd -> /dev/zero = %+v, %v; want root with HOME /", got, err)
		}
	})
}

// MaxID sizes a namespace for the image's users and groups, nobody aside.
func TestMaxID(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if n, err := MaxID(dir); err != nil || n != 0 {
		t.Errorf("no files: %d %v", n, err)
	}
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, "etc", name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("passwd", "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\napp:x:1500:1400::/app:/bin/sh\n")
	write("group", "root:x:0:\nnogroup:x:65534:\nstaff:x:2999:app\n")
	if n, err := MaxID(dir); err != nil || n != 3000 {
		t.Errorf("MaxID = %d %v, want 3000", n, err)
	}
	// A passwd that points out of the root is read in-root: /etc/passwd of
	// the host is never consulted.
	if err := os.Remove(filepath.Join(dir, "etc", "passwd")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../etc/hostname", filepath.Join(dir, "etc", "passwd")); err != nil {
		t.Fatal(err)
	}
	if n, err := MaxID(dir); err != nil || n != 3000 {
		t.Errorf("symlinked passwd: MaxID = %d %v, want 3000 (the group file only)", n, err)
	}
}
