package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// -v SRC:DST:idmap in a container with a user namespace: berth mounts
// the source idmapped to the container's maps (runc 1.1 cannot), so host
// root's file is the container root's and back, and nothing stays
// mounted after rm.
func TestUsernsIDMapMount(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	dir := filepath.Join(env.TmpDir, "shared")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "run", "-d", "--name", "idm", "--network", "none", "--userns", "auto",
		"-v", dir+":/d:idmap", "--mount", "type=bind,src="+dir+",dst=/m,idmap", "-v", dir+":/plain", "busybox", "sleep", "300")
	got := env.MustBerth(t, "exec", "idm", "sh", "-c", "stat -c %u /d/file /m/file /plain/file; touch /d/new")
	if want := "0\n0\n65534"; got != want {
		t.Errorf("owner of a host-root file through idmap, idmap (--mount), plain: %q, want %q", got, want)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(dir, "new"), &st); err != nil {
		t.Fatal(err)
	} else if st.Uid != 0 || st.Gid != 0 {
		t.Errorf("a file the container's root made through idmap is %d:%d on the host, want 0:0", st.Uid, st.Gid)
	}
	// stop and start again: the staging mounts are made afresh.
	env.MustBerth(t, "stop", "-t", "0", "idm")
	if m := runRootMounts(t, env); m != "" {
		t.Errorf("after stop, mounts left under the run root:\n%s", m)
	}
	env.MustBerth(t, "start", "idm")
	if got := env.MustBerth(t, "exec", "idm", "stat", "-c", "%u", "/d/new"); got != "0" {
		t.Errorf("after restart: owner %q, want 0", got)
	}
	env.MustBerth(t, "rm", "-f", "idm")
	if m := runRootMounts(t, env); m != "" {
		t.Errorf("after rm, mounts left under the run root:\n%s", m)
	}
	if _, err := os.Stat(filepath.Join(dir, "file")); err != nil {
		t.Errorf("the host directory lost its file: %v", err)
	}

	// Without a user namespace, idmap is refused at create.
	r := env.Berth("create", "--name", "nons", "-v", dir+":/d:idmap", "busybox", "true")
	if r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "idmap needs a user namespace") {
		t.Errorf("idmap without a user namespace: exit %d, %q", r.ExitCode(), r.Stderr())
	}
	if r := env.Berth("container", "exists", "nons"); r.ExitCode() == 0 {
		t.Error("a refused create left a container")
	}
	r = env.Berth("create", "--userns", "auto", "-v", dir+":/d:idmap,U", "busybox", "true")
	if r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "idmap cannot be combined") {
		t.Errorf("idmap with U: exit %d, %q", r.ExitCode(), r.Stderr())
	}
}

// runRootMounts lists the mounts under env's run root.
func runRootMounts(t *testing.T, env *Env) string {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(f[1], env.RunRoot+"/") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
