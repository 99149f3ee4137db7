package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// berthWithFiles runs berth with files as its file descriptors 3, 4, ...
func berthWithFiles(t *testing.T, env *Env, files []*os.File, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	cmd := env.Command(ctx, args...)
	cmd.ExtraFiles = files
	return runResult(ctx, cmd, args, DefaultTimeout)
}

// TestRunPreserveFDs: --preserve-fds N and --preserve-fd LIST hand the
// caller's descriptors to the container at the same numbers; a gap below
// the highest --preserve-fd reads as empty; fds 0-2 and a closed fd are
// refused with a line naming them.
func TestRunPreserveFDs(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	var files []*os.File
	for _, name := range []string{"three", "four", "five"} {
		p := filepath.Join(env.TmpDir, name)
		if err := os.WriteFile(p, []byte(name+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, f)
	}
	r := berthWithFiles(t, env, files, "run", "--rm", "--preserve-fds", "2", "busybox", "sh", "-c", "cat <&3; cat <&4")
	if r.ExitCode() != 0 || r.Stdout() != "three\nfour\n" {
		t.Fatalf("--preserve-fds 2:\n%s", r)
	}
	r = berthWithFiles(t, env, files, "run", "--rm", "--preserve-fd", "5", "busybox", "sh", "-c", "cat <&5; cat <&3; echo end; cat <&6")
	if !strings.HasPrefix(r.Stdout(), "five\nend\n") || r.ExitCode() == 0 {
		t.Fatalf("--preserve-fd 5 (fd 3 an empty gap, fd 6 not passed):\n%s", r)
	}
	r = env.Berth("run", "--rm", "--preserve-fd", "2", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "cannot preserve FD 2") {
		t.Fatalf("--preserve-fd 2:\n%s", r)
	}
	env.MustBerth(t, "create", "--name", "closedfd", "--preserve-fd", "60", "busybox", "true")
	r = env.Berth("start", "closedfd")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "file descriptor 60 to preserve is not open") {
		t.Fatalf("--preserve-fd 60 (closed):\n%s", r)
	}
	if out := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "closedfd"); out != "created" {
		t.Fatalf("after the refused start the container is %q, want created", out)
	}
}

// TestRunPasswdEntries: a numeric --user without a passwd or group line
// gets podman's lines (or --passwd-entry/--group-entry's), --hostuser
// copies a host account, a read-only container gets them too (from a
// bind-mounted copy), --passwd=false adds nothing, an unknown host user
// is refused.
func TestRunPasswdEntries(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := env.MustBerth(t, "run", "--rm", "--user", "1234:5678", "busybox", "sh", "-c", "id; whoami; tail -1 /etc/passwd; tail -1 /etc/group")
	if want := "uid=1234(1234) gid=5678(5678)\n1234\n1234:*:1234:5678:container user:/:/bin/sh\n5678:x:5678:1234"; out != want {
		t.Errorf("--user 1234:5678:\n%s\nwant\n%s", out, want)
	}
	out = env.MustBerth(t, "run", "--rm", "--user", "1234", "-w", "/tmp", "--passwd-entry", "$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/false",
		"--group-entry", "g$GROUPNAME:x:$GID:", "busybox", "sh", "-c", "tail -1 /etc/passwd; tail -1 /etc/group")
	if want := "1234:x:1234:0:container user:/tmp:/bin/false\ng1234:x:1234:"; out != want {
		t.Errorf("--passwd-entry/--group-entry:\n%s\nwant\n%s", out, want)
	}
	// The lines stay in the container's own files across restarts, once.
	env.MustBerth(t, "create", "--name", "keep", "--user", "777", "busybox", "grep", "-c", "^777:", "/etc/passwd")
	env.MustBerth(t, "start", "keep")
	env.MustBerth(t, "wait", "keep")
	env.MustBerth(t, "start", "keep")
	env.MustBerth(t, "wait", "keep")
	if out := env.MustBerth(t, "logs", "keep"); out != "1\n1" {
		t.Errorf("passwd line after two starts counted %q, want 1 each time", out)
	}
	out = env.MustBerth(t, "run", "--rm", "--read-only", "--hostuser", "mail", "--hostuser", "root", "busybox", "sh", "-c", "grep -c ^root: /etc/passwd; grep ^mail: /etc/passwd")
	if want := "1\nmail:x:8:8:mail:/var/mail:/bin/sh"; out != want {
		t.Errorf("--hostuser mail --read-only:\n%s\nwant\n%s", out, want)
	}
	out = env.MustBerth(t, "run", "--rm", "--passwd=false", "--user", "1234", "busybox", "sh", "-c", "grep -c 1234 /etc/passwd || true")
	if out != "0" {
		t.Errorf("--passwd=false added a line: %q", out)
	}
	r := env.Berth("run", "--rm", "--hostuser", "no-such-user-here", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "--hostuser no-such-user-here") {
		t.Errorf("unknown --hostuser:\n%s", r)
	}
}

// TestRunPersonality: runc 1.1 would ignore linux.personality, so it is
// refused; crun applies it (uname -m is i686 under LINUX32).
func TestRunPersonality(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	r := env.Berth("run", "--rm", "--runtime", "runc", "--personality", "LINUX32", "busybox", "uname", "-m")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "ignores linux.personality") {
		t.Fatalf("--personality with runc 1.1:\n%s", r)
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Errorf("a refused --personality left a container: %q", out)
	}
	if r := env.Berth("run", "--rm", "--personality", "LINUX64", "busybox", "true"); r.ExitCode() != 125 ||
		!strings.Contains(r.Stderr(), `invalid --personality "LINUX64": must be LINUX or LINUX32`) {
		t.Errorf("bad --personality:\n%s", r)
	}
	ns := newCrunNS(t, env)
	if out := ns.must(t, "run", "--rm", "--network", "none", "--personality", "LINUX32", "busybox", "uname", "-m"); out != "i686" {
		t.Errorf("uname -m under LINUX32 with crun: %q", out)
	}
}

// TestRemoteRunUserEntries: --passwd-entry, --hostuser and --personality
// travel through the libpod create; --preserve-fds cannot (the server has
// other descriptors) and is refused by name.
func TestRemoteRunUserEntries(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	out := env.MustBerth(t, "--url", uri, "run", "--rm", "--user", "1234", "--passwd-entry", "u$UID:x:$UID:$GID::$HOME:/bin/sh",
		"--hostuser", "mail", "busybox", "sh", "-c", "grep -E '^(u1234|mail):' /etc/passwd")
	if want := "mail:x:8:8:mail:/var/mail:/bin/sh\nu1234:x:1234:0::/:/bin/sh"; out != want {
		t.Errorf("remote --passwd-entry/--hostuser:\n%s\nwant\n%s", out, want)
	}
	r := env.Berth("--url", uri, "run", "--rm", "--personality", "LINUX32", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "ignores linux.personality") {
		t.Errorf("remote --personality with runc 1.1:\n%s", r)
	}
	r = env.Berth("--url", uri, "run", "--rm", "--preserve-fds", "1", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "--preserve-fds is not supported with --remote") {
		t.Errorf("remote --preserve-fds:\n%s", r)
	}
}

// TestRunSystemdMode: --systemd always (and true for an init command)
// mounts tmpfs on /run, /run/lock, /tmp and /var/lib/journal, makes the
// cgroup filesystem writable and stops with SIGRTMIN+3; false and a
// plain command keep the defaults; a bad value is refused.
func TestRunSystemdMode(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := env.MustBerth(t, "run", "--rm", "--systemd", "always", "busybox", "sh", "-c",
		`for d in /run /run/lock /tmp /var/lib/journal; do grep -q " $d tmpfs rw" /proc/mounts && echo $d; done; mkdir /sys/fs/cgroup/systemd/x && rmdir /sys/fs/cgroup/systemd/x && echo cgroup-rw`)
	if want := "/run\n/run/lock\n/tmp\n/var/lib/journal\ncgroup-rw"; out != want {
		t.Errorf("--systemd always:\n%s\nwant\n%s", out, want)
	}
	out = env.MustBerth(t, "run", "--rm", "busybox", "sh", "-c", `grep -cE " /(run|tmp) tmpfs" /proc/mounts; mkdir /sys/fs/cgroup/systemd/x 2>/dev/null || echo cgroup-ro`)
	if out != "0\ncgroup-ro" {
		t.Errorf("without systemd mode: %q", out)
	}
	for _, c := range []struct{ mode, cmd, want string }{
		{"true", "/sbin/init", "SIGRTMIN+3"}, {"false", "/sbin/init", "SIGTERM"}, {"true", "true", "SIGTERM"}, {"always", "true", "SIGRTMIN+3"},
	} {
		id := env.MustBerth(t, "create", "--systemd", c.mode, "busybox", c.cmd)
		if got := env.MustBerth(t, "inspect", "--format", "{{.Config.StopSignal}}", id); got != c.want {
			t.Errorf("--systemd %s %s: stop signal %s, want %s", c.mode, c.cmd, got, c.want)
		}
	}
	out = env.MustBerth(t, "run", "--rm", "--systemd", "always", "--shm-size-systemd", "2m", "busybox", "sh", "-c", `df -k /run/lock /tmp | awk 'NR>1 {print $2}'`)
	if out != "2048\n2048" {
		t.Errorf("--shm-size-systemd 2m: tmpfs sizes %q", out)
	}
	if r := env.Berth("create", "--systemd", "maybe", "busybox"); r.ExitCode() != 125 ||
		!strings.Contains(r.Stderr(), `invalid value "maybe" for --systemd: must be true, false or always`) {
		t.Errorf("--systemd maybe:\n%s", r)
	}
}

// TestRunStorageOptAndRuntime: run --storage-opt is the container's (not
// the driver's global option): size= on a filesystem without project
// quotas is refused by the driver with its one line and leaves nothing;
// --runtime NAME|PATH after the verb is recorded per container and used
// by later commands that do not name it.
func TestRunStorageOptAndRuntime(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	r := env.Berth("run", "--rm", "--storage-opt", "size=10M", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "--storage-opt is supported only for overlay over xfs with 'pquota' mount option") {
		t.Errorf("--storage-opt size= on ext4:\n%s", r)
	}
	if r := env.Berth("create", "--storage-opt", "size", "busybox"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `invalid --storage-opt "size": must be KEY=VALUE`) {
		t.Errorf("--storage-opt size:\n%s", r)
	}
	if out := env.MustBerth(t, "ps", "-aq"); out != "" {
		t.Errorf("refused --storage-opt left containers: %q", out)
	}
	runc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc not installed")
	}
	env.MustBerth(t, "run", "-d", "--name", "rt", "--runtime", runc, "busybox", "sleep", "100")
	if got := env.MustBerth(t, "inspect", "--format", "{{.OCIRuntime}}", "rt"); got != runc {
		t.Errorf("OCIRuntime = %q, want %q", got, runc)
	}
	env.MustBerth(t, "exec", "rt", "true")
	env.MustBerth(t, "stop", "-t", "0", "rt")
	env.MustBerth(t, "rm", "rt")
}

// TestRunMountGlob: --mount type=glob binds every matching host file
// into the target directory (read-only with ro); no match is refused.
func TestRunMountGlob(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	for _, n := range []string{"lib1.so", "lib2.so", "other"} {
		if err := os.WriteFile(filepath.Join(env.TmpDir, n), []byte(n+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := env.Berth("run", "--rm", "--mount", "type=glob,src="+env.TmpDir+"/lib*.so,dst=/usr/lib/x,ro", "busybox", "sh", "-c",
		"ls /usr/lib/x; cat /usr/lib/x/lib2.so; echo z > /usr/lib/x/lib1.so")
	if r.Stdout() != "lib1.so\nlib2.so\nlib2.so\n" || !strings.Contains(r.Stderr(), "Read-only file system") {
		t.Errorf("--mount type=glob:\n%s", r)
	}
	r = env.Berth("run", "--rm", "--mount", "type=glob,src="+env.TmpDir+"/none*,dst=/x", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "no file matches") {
		t.Errorf("--mount type=glob without a match:\n%s", r)
	}
}

// TestRunPullRetry: run's pull takes --retry/--retry-delay (podman's) and
// --creds; a bad delay is refused before anything happens.
func TestRunPullRetry(t *testing.T) {
	env := NewEnv(t)
	r := env.Berth("run", "--rm", "--tls-verify=false", "--creds", "u:p", "--retry", "2", "--retry-delay", "10ms", "127.0.0.1:1/x")
	if r.ExitCode() != 125 || strings.Count(r.Stderr(), "retrying in 10ms") != 2 || !strings.Contains(r.Stderr(), "(2/2)") {
		t.Errorf("run --retry 2 --retry-delay 10ms:\n%s", r)
	}
	r = env.Berth("create", "--tls-verify=false", "--retry", "0", "127.0.0.1:1/x")
	if r.ExitCode() != 125 || strings.Contains(r.Stderr(), "retrying") {
		t.Errorf("create --retry 0:\n%s", r)
	}
	if r := env.Berth("run", "--retry-delay", "soon", "busybox"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `invalid --retry-delay "soon"`) {
		t.Errorf("run --retry-delay soon:\n%s", r)
	}
}

// TestRunCompatFlags: docker's --volume-driver local and
// --disable-content-trust (a no-op in podman too) are taken; another
// volume driver and --rdt-class are refused by name.
func TestRunCompatFlags(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	if out := env.MustBerth(t, "run", "--rm", "--volume-driver", "local", "--disable-content-trust", "-v", "vd:/v", "busybox", "ls", "-d", "/v"); out != "/v" {
		t.Errorf("--volume-driver local: %q", out)
	}
	for _, c := range []struct{ flag, value, want string }{
		{"--volume-driver", "nfs", `--volume-driver "nfs": berth has only the local volume driver`},
		{"--rdt-class", "gold", "--rdt-class is not supported by berth"},
	} {
		if r := env.Berth("run", "--rm", c.flag, c.value, "busybox", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) {
			t.Errorf("%s %s:\n%s", c.flag, c.value, r)
		}
	}
}
