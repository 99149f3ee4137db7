package e2e

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests build images whose /etc files try to reach the host, block
// or never end, and check that berth reads every file of a container's
// root inside that root, regular files only, without blocking. Most run
// with --network none: the generated /etc/hosts does not depend on it.

// entry is one tar entry of a test image; body is a regular file's content.
type entry struct {
	tar.Header
	body string
}

// imageTar writes a copy of the busybox rootfs tarball to dir/name.tar
// with the entries of replace instead of the busybox ones of the same
// name, and returns its path.
func imageTar(t *testing.T, dir, name string, replace ...entry) string {
	t.Helper()
	src, err := os.Open(BusyboxTar())
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out := filepath.Join(dir, name+".tar")
	dst, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	skip := map[string]bool{}
	for _, h := range replace {
		skip[strings.TrimPrefix(h.Name, "./")] = true
	}
	tr, tw := tar.NewReader(src), tar.NewWriter(dst)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if skip[strings.TrimPrefix(h.Name, "./")] {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range replace {
		h := e.Header
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		h.ModTime = time.Unix(0, 0)
		h.Size = int64(len(e.body))
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// hostFile writes a scratch file of the host that a container must never
// see, and returns its absolute path.
func hostFile(t *testing.T, env *Env, name, content string) string {
	t.Helper()
	p := filepath.Join(env.TmpDir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestInRootEtcHosts: the image's /etc/hosts is only a seed of the
// generated one. A symlink to a host file must not bring the host's lines
// in; a FIFO must not block `run` (which holds the container lock while it
// reads); a symlink to /dev/zero, which the image also carries as a device
// node, must not be read without end. In all three cases the container
// runs and gets berth's own /etc/hosts.
func TestInRootEtcHosts(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	hostHosts := hostFile(t, env, "host-hosts", "10.77.66.55 host-only-entry.example\n")
	images := map[string][]entry{
		"symlink": {{Header: tar.Header{Name: "etc/hosts", Typeflag: tar.TypeSymlink, Linkname: hostHosts, Mode: 0o777}}},
		"fifo":    {{Header: tar.Header{Name: "etc/hosts", Typeflag: tar.TypeFifo}}},
		"devzero": {
			{Header: tar.Header{Name: "etc/hosts", Typeflag: tar.TypeSymlink, Linkname: "/dev/zero", Mode: 0o777}},
			{Header: tar.Header{Name: "dev/zero", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 5, Mode: 0o666}},
		},
	}
	for name, entries := range images {
		env.MustBerth(t, "import", "--change", "CMD=/bin/sh", imageTar(t, env.TmpDir, name, entries...), name)
	}
	for _, name := range []string{"symlink", "fifo", "devzero"} {
		t.Run(name, func(t *testing.T) {
			// A failure here is the harness's timeout: a FIFO blocked
			// init, or /dev/zero was read until the timeout.
			hosts := env.MustBerth(t, "run", "--rm", "--network", "none", name, "cat", "/etc/hosts")
			if strings.Contains(hosts, "host-only-entry") {
				t.Errorf("the container's /etc/hosts has the host file's line:\n%s", hosts)
			}
			if !strings.Contains(hosts, "127.0.0.1\tlocalhost") {
				t.Errorf("the container's /etc/hosts is not the generated one:\n%s", hosts)
			}
		})
	}
	// network connect regenerates /etc/hosts from the same seed, under
	// the container lock: the FIFO must not block it either.
	env.MustBerth(t, "network", "create", "--disable-dns", "--subnet", "10.231.47.0/24", "nwinroot1")
	env.MustBerth(t, "network", "create", "--disable-dns", "--subnet", "10.231.48.0/24", "nwinroot2")
	env.MustBerth(t, "run", "-d", "--name", "live", "--network", "nwinroot1", "fifo", "sleep", "1000")
	env.MustBerth(t, "network", "connect", "nwinroot2", "live")
	if hosts := env.MustBerth(t, "exec", "live", "cat", "/etc/hosts"); !strings.Contains(hosts, "10.231.48.") {
		t.Errorf("/etc/hosts after network connect lacks the new address:\n%s", hosts)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "live")

	// A seed that is a regular file of the image, behind a link that
	// stays inside it, is still kept.
	env.MustBerth(t, "import", "--change", "CMD=/bin/sh", imageTar(t, env.TmpDir, "seeded",
		entry{Header: tar.Header{Name: "etc/hosts", Typeflag: tar.TypeSymlink, Linkname: "../usr/hosts", Mode: 0o777}},
		entry{Header: tar.Header{Name: "usr/", Typeflag: tar.TypeDir, Mode: 0o755}},
		entry{Header: tar.Header{Name: "usr/hosts", Typeflag: tar.TypeReg}, body: "10.1.2.3 image-seed-entry\n"},
	), "seeded")
	if hosts := env.MustBerth(t, "run", "--rm", "--network", "none", "seeded", "cat", "/etc/hosts"); !strings.Contains(hosts, "image-seed-entry") {
		t.Errorf("the image's own /etc/hosts entry is missing:\n%s", hosts)
	}
}

// TestInRootEtcPasswd: an image whose /etc/passwd links to a host file
// must not make the host's users known to `run --user`, exec's user
// lookup or top; and a container that turns its own /etc/passwd into a
// FIFO must not block top or exec.
func TestInRootEtcPasswd(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	hostPasswd := hostFile(t, env, "host-passwd", "root:x:0:0:root:/root:/bin/sh\nhostonly:x:4242:4242:host:/hostonly-home:/bin/sh\n")
	env.MustBerth(t, "import", "--change", "CMD=/bin/sh", imageTar(t, env.TmpDir, "pw",
		entry{Header: tar.Header{Name: "etc/passwd", Typeflag: tar.TypeSymlink, Linkname: hostPasswd, Mode: 0o777}}), "pw")

	r := env.Berth("run", "--rm", "--network", "none", "--user", "hostonly", "pw", "id")
	paExpectError(t, r, 126, "unable to find user hostonly")
	// A numeric uid runs, with the HOME of a user without an entry.
	if got := env.MustBerth(t, "run", "--rm", "--network", "none", "--user", "4242", "pw", "sh", "-c", "echo $HOME"); got != "/" {
		t.Errorf("uid 4242's HOME = %q, want / (the host's passwd was read)", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "--network", "none", "pw", "id", "-u"); got != "0" {
		t.Errorf("default user: id -u = %q, want 0", got)
	}

	env.MustBerth(t, "run", "-d", "--network", "none", "--name", "live", "--user", "4242", "pw", "sleep", "1000")
	paExpectError(t, env.Berth("exec", "--user", "hostonly", "live", "id"), 126, "unable to find user hostonly")
	if top := env.MustBerth(t, "top", "live", "user", "args"); strings.Contains(top, "hostonly") {
		t.Errorf("top named the process's user from the host's passwd:\n%s", top)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "live")

	// The running container swaps its /etc/passwd for a FIFO: top must
	// still answer (with numeric users) and exec --user must fail at once.
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--network", "none", "--name", "fifo", "busybox", "sh", "-c",
		"rm /etc/passwd && mkfifo /etc/passwd && echo ready && exec sleep 1000")
	WaitFor(t, 20*time.Second, func() bool { return strings.Contains(env.Berth("logs", "fifo").Stdout(), "ready") })
	if top := env.MustBerth(t, "top", "fifo", "user", "args"); !strings.Contains(top, "sleep 1000") {
		t.Errorf("top without a readable passwd:\n%s", top)
	}
	paExpectError(t, env.Berth("exec", "--user", "daemon", "fifo", "id"), 125, "/etc/passwd", "not a regular file")
}
