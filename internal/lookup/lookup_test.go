package lookup

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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

func TestGroups(t *testing.T) {
	root := writeRootfs(t, testPasswd, testGroup)
	tests := []struct {
		in      []string
		want    []uint32
		wantErr bool
	}{
		{in: nil, want: nil},
		{in: []string{"wheel", "123", "audio"}, want: []uint32{10, 123, 29}},
		{in: []string{"nosuch"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := Groups(root, tt.in)
		if (err != nil) != tt.wantErr {
			t.Fatalf("Groups(%v) error = %v, wantErr %v", tt.in, err, tt.wantErr)
		}
		if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Groups(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
