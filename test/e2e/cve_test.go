package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Regression tests for the classes of container breakouts behind runc's
// and podman's CVEs, each with a real container. The cp and /etc/passwd
// classes are in cp_test.go (TestCpSymlinkEscape) and inroot_test.go
// (TestInRootEtcPasswd).

// fileSum is the sha256 of a host file.
func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestCVE20195736ProcSelfExe: a container that keeps trying to write to
// the executables of the processes it sees while the host execs into it
// (runc init joining the container is among them) must not change the
// host's runc binary: runc runs from a sealed copy.
func TestCVE20195736ProcSelfExe(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	runc := "/usr/sbin/runc"
	if p, err := filepath.EvalSymlinks(runc); err == nil {
		runc = p
	}
	before := fileSum(t, runc)
	env.MustBerth(t, "run", "-d", "--name", "attacker", "--network", "none", "busybox", "sh", "-c", `
		while :; do
			for p in /proc/[0-9]*; do
				[ "$p" = /proc/$$ ] && continue
				if (printf 'pwned' >> "$p/exe") 2>/dev/null; then echo "wrote $(readlink $p/exe)" >> /tmp/wrote; fi
			done
		done`)
	for i := 0; i < 10; i++ {
		env.Berth("exec", "attacker", "true")
	}
	if out := env.Berth("exec", "attacker", "cat", "/tmp/wrote"); out.ExitCode() == 0 && strings.TrimSpace(out.Stdout()) != "" {
		t.Logf("writes that succeeded inside (to the container's own files): %s", out.Stdout())
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "attacker")
	if after := fileSum(t, runc); after != before {
		t.Fatalf("the host's %s changed while a container attacked /proc/PID/exe", runc)
	}
	// The runtime process a container sees is not the host binary.
	out := env.MustBerth(t, "run", "--rm", "--network", "none", "busybox", "sh", "-c", "readlink /proc/self/exe")
	if out != "/bin/busybox" {
		t.Errorf("/proc/self/exe in the container = %q, want /bin/busybox", out)
	}
}

// TestCVE202421626WorkdirFd: a working directory through a leaked file
// descriptor (/proc/self/fd/N) must fail cleanly, for run and exec, and
// the container's process must have no descriptor of the host open
// beyond its stdio.
func TestCVE202421626WorkdirFd(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	for n := 3; n <= 9; n++ {
		wd := "/proc/self/fd/" + strconv.Itoa(n)
		r := env.Berth("run", "--rm", "--network", "none", "--workdir", wd, "busybox", "sh", "-c", "ls -a ../../..; cat ../../../etc/hostname")
		if r.ExitCode() < 125 || r.ExitCode() > 127 || !strings.HasPrefix(r.Stderr(), "Error: ") {
			t.Errorf("run --workdir %s: want a clean engine error (125-127), got %s", wd, r)
		}
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Errorf("failed runs left containers: %q", out)
	}
	env.MustBerth(t, "run", "-d", "--name", "target", "--network", "none", "busybox", "sleep", "1000")
	for n := 3; n <= 9; n++ {
		wd := "/proc/self/fd/" + strconv.Itoa(n)
		r := env.Berth("exec", "--workdir", wd, "target", "sh", "-c", "cat ../../../etc/hostname")
		if r.ExitCode() == 0 {
			t.Errorf("exec --workdir %s succeeded: %s", wd, r)
		}
	}
	// Only stdio and the listing's own directory descriptor.
	fds := env.MustBerth(t, "exec", "target", "sh", "-c", "ls /proc/1/fd")
	if got := strings.Fields(fds); strings.Join(got, " ") != "0 1 2" {
		t.Errorf("the container's pid 1 has descriptors %v, want 0 1 2", got)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "target")
}

// TestCVE202227649InheritableCaps: processes start with empty inheritable
// (and ambient) capability sets, whatever is added, so that a file
// capability cannot lift a non-root user's privileges.
func TestCVE202227649InheritableCaps(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	check := func(what, out string) {
		t.Helper()
		if v := statusField(out, "CapInh"); v != "0000000000000000" {
			t.Errorf("%s: CapInh %q, want 0", what, v)
		}
		if v := statusField(out, "CapAmb"); v != "0000000000000000" {
			t.Errorf("%s: CapAmb %q, want 0", what, v)
		}
	}
	check("default", inside(t, env, nil, "grep Cap /proc/1/status"))
	check("--cap-add all", inside(t, env, []string{"--cap-add", "all"}, "grep Cap /proc/1/status"))
	check("--privileged", inside(t, env, []string{"--privileged"}, "grep Cap /proc/1/status"))
	check("--user 1000", inside(t, env, []string{"--user", "1000", "--cap-add", "net_admin"}, "grep Cap /proc/self/status"))
	env.MustBerth(t, "run", "-d", "--name", "c", "--network", "none", "busybox", "sleep", "1000")
	check("exec", env.MustBerth(t, "exec", "c", "grep", "Cap", "/proc/self/status"))
	check("exec --privileged", env.MustBerth(t, "exec", "--privileged", "c", "grep", "Cap", "/proc/self/status"))
	env.MustBerth(t, "rm", "-f", "-t", "0", "c")
}

// TestCVEImageLayerEscape: a layer whose entries climb out with "..",
// use absolute names, or go through a symlink or a hard link to the host
// must either be refused or land inside the image: nothing appears in,
// or links to, the host directory.
func TestCVEImageLayerEscape(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	hostDir := filepath.Join(env.TmpDir, "hostonly")
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := hostFile(t, env, "hostonly/secret", "host secret\n")
	depth := strings.Repeat("../", 20)
	evil := []entry{
		{Header: tar.Header{Name: depth + strings.TrimPrefix(hostDir, "/") + "/dotdot", Typeflag: tar.TypeReg}, body: "evil\n"},
		{Header: tar.Header{Name: hostDir + "/absolute", Typeflag: tar.TypeReg}, body: "evil\n"},
		{Header: tar.Header{Name: "escape", Typeflag: tar.TypeSymlink, Linkname: hostDir, Mode: 0o777}},
		{Header: tar.Header{Name: "escape/through-symlink", Typeflag: tar.TypeReg}, body: "evil\n"},
		{Header: tar.Header{Name: "rel", Typeflag: tar.TypeSymlink, Linkname: depth + strings.TrimPrefix(hostDir, "/"), Mode: 0o777}},
		{Header: tar.Header{Name: "rel/through-relative-symlink", Typeflag: tar.TypeReg}, body: "evil\n"},
		{Header: tar.Header{Name: "hardlink-abs", Typeflag: tar.TypeLink, Linkname: secret}},
		{Header: tar.Header{Name: "hardlink-rel", Typeflag: tar.TypeLink, Linkname: depth + strings.TrimPrefix(secret, "/")}},
	}
	var st0 syscall.Stat_t
	if err := syscall.Stat(secret, &st0); err != nil {
		t.Fatal(err)
	}
	for i, e := range evil {
		// One image per entry, so that a refused entry does not hide the
		// others; the symlink entries come with the file that uses them.
		if e.Typeflag == tar.TypeSymlink {
			continue
		}
		set := []entry{e}
		if i > 0 && evil[i-1].Typeflag == tar.TypeSymlink {
			set = []entry{evil[i-1], e}
		}
		name := "evil" + strconv.Itoa(i)
		r := env.Berth("import", "--change", "CMD=/bin/sh", imageTar(t, env.TmpDir, name, set...), name)
		t.Logf("%s: import exit %d %s", e.Name, r.ExitCode(), strings.TrimSpace(r.Stderr()))
		if r.ExitCode() == 0 {
			// Imported: whatever it holds stays inside its root.
			r2 := env.Berth("run", "--rm", "--network", "none", name, "sh", "-c", "cat /hardlink-abs /hardlink-rel 2>/dev/null; true")
			if strings.Contains(r2.Stdout(), "host secret") {
				t.Errorf("%s: a hard link in the layer reaches the host's file:\n%s", e.Name, r2)
			}
		}
	}
	ents, err := os.ReadDir(hostDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("layer extraction wrote into the host directory: %v", names)
	}
	var st1 syscall.Stat_t
	if err := syscall.Stat(secret, &st1); err != nil {
		t.Fatal(err)
	}
	if st1.Nlink != st0.Nlink {
		t.Errorf("the host file got hard links from a layer: nlink %d -> %d", st0.Nlink, st1.Nlink)
	}
}

// TestCVEMountDestinationSymlink: an image whose mount destination is a
// symlink to a host path gets its volume, bind mount or tmpfs inside its
// own root (the destination resolved in the rootfs), never over the host
// path.
func TestCVEMountDestinationSymlink(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	hostDir := filepath.Join(env.TmpDir, "hostonly")
	if err := os.MkdirAll(hostDir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(env.TmpDir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "import", "--change", "CMD=/bin/sh", imageTar(t, env.TmpDir, "sl",
		entry{Header: tar.Header{Name: "data", Typeflag: tar.TypeSymlink, Linkname: hostDir, Mode: 0o777}},
		entry{Header: tar.Header{Name: "reldata", Typeflag: tar.TypeSymlink, Linkname: strings.Repeat("../", 10) + strings.TrimPrefix(hostDir, "/"), Mode: 0o777}}), "sl")
	for _, mnt := range [][]string{
		{"-v", "vol:/data"}, {"-v", src + ":/data"}, {"--tmpfs", "/data"},
		{"-v", "vol2:/reldata"}, {"--mount", "type=bind,src=" + src + ",dst=/reldata"},
	} {
		dst := mnt[1][strings.LastIndex(mnt[1], "/"):]
		args := append(append([]string{"run", "--rm", "--network", "none"}, mnt...), "sl", "sh", "-c", "touch "+dst+"/written-"+strings.Trim(mnt[0], "-"))
		r := env.Berth(args...)
		t.Logf("%v: exit %d %s", mnt, r.ExitCode(), strings.TrimSpace(r.Stderr()))
		if r.ExitCode() != 0 && !strings.HasPrefix(r.Stderr(), "Error: ") {
			t.Errorf("%v: %s", mnt, r)
		}
		// Nothing mounted over the host directory, nothing written in it.
		if b, _ := os.ReadFile("/proc/self/mountinfo"); bytes.Contains(b, []byte(" "+hostDir+" ")) {
			t.Errorf("%v: a mount on the host's %s", mnt, hostDir)
		}
	}
	if ents, _ := os.ReadDir(hostDir); len(ents) != 0 {
		t.Errorf("a container's mount destination symlink led to the host: %s has %d entries", hostDir, len(ents))
	}
}
