package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// inspectVolume returns `volume inspect NAME` decoded.
func inspectVolume(t *testing.T, env *Env, name string) map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "volume", "inspect", name)), &out); err != nil || len(out) != 1 {
		t.Fatalf("volume inspect %s: %v (%d items)", name, err, len(out))
	}
	return out[0]
}

// volumeDirs lists the volume directories under the root.
func volumeDirs(env *Env) []string {
	entries, _ := os.ReadDir(filepath.Join(env.Root, "volumes"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestVolumeCreateInspectLs(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	if got := env.MustBerth(t, "volume", "create", "--label", "app=db", "-o", "o=uid=5,gid=6", "data"); got != "data" {
		t.Fatalf("volume create printed %q, want the name", got)
	}
	anon := env.MustBerth(t, "volume", "create")
	if len(anon) != 64 {
		t.Errorf("volume create without a name printed %q, want a 64-digit random name", anon)
	}
	v := inspectVolume(t, env, "data")
	mp, _ := v["Mountpoint"].(string)
	if v["Name"] != "data" || v["Driver"] != "local" || v["Scope"] != "local" || v["UID"] != 5.0 || v["GID"] != 6.0 ||
		mp != filepath.Join(env.Root, "volumes", "data", "_data") {
		t.Errorf("volume inspect = %v", v)
	}
	if labels, _ := v["Labels"].(map[string]any); labels["app"] != "db" {
		t.Errorf("Labels = %v", v["Labels"])
	}
	st, err := os.Stat(mp)
	if err != nil || !st.IsDir() {
		t.Fatalf("mountpoint %s: %v", mp, err)
	}
	if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.UID}}:{{.GID}} {{.Options.o}}", "data"); got != "5:6 uid=5,gid=6" {
		t.Errorf("inspect --format = %q", got)
	}
	// The owner is on the directory itself.
	if out, _ := exec.Command("stat", "-c", "%u:%g", mp).Output(); strings.TrimSpace(string(out)) != "5:6" {
		t.Errorf("owner of %s = %s, want 5:6", mp, out)
	}
	if got := env.MustBerth(t, "inspect", "--type", "volume", "--format", "{{.Name}}", "data"); got != "data" {
		t.Errorf("inspect --type volume = %q", got)
	}

	if got := env.MustBerth(t, "volume", "ls", "--filter", "label=app=db", "--format", "{{.Name}} {{.Driver}}"); got != "data local" {
		t.Errorf("ls --filter label = %q", got)
	}
	lines := strings.Split(env.MustBerth(t, "volume", "ls"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "DRIVER") || !strings.Contains(lines[0], "VOLUME NAME") {
		t.Errorf("volume ls =\n%s", strings.Join(lines, "\n"))
	}
	if got := env.MustBerth(t, "volume", "ls", "-q", "--filter", "name=^da"); got != "data" {
		t.Errorf("ls -q --filter name = %q", got)
	}
	var listed []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "volume", "ls", "--format", "json")), &listed); err != nil || len(listed) != 2 {
		t.Errorf("ls --format json: %v, %d items", err, len(listed))
	}
	if r := env.Berth("volume", "exists", "data"); r.ExitCode() != 0 {
		t.Errorf("volume exists data: %s", r)
	}
	if r := env.Berth("volume", "exists", "nope"); r.ExitCode() != 1 {
		t.Errorf("volume exists nope: %s", r)
	}

	// A taken name is refused; --ignore returns the existing volume.
	if r := env.Berth("volume", "create", "data"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "already exists") {
		t.Errorf("create of a taken name: %s", r)
	}
	if got := env.MustBerth(t, "volume", "create", "--ignore", "--label", "other=1", "data"); got != "data" {
		t.Errorf("create --ignore printed %q", got)
	}
	if labels, _ := inspectVolume(t, env, "data")["Labels"].(map[string]any); labels["other"] != nil {
		t.Errorf("create --ignore changed the existing volume: %v", labels)
	}
}

// TestVolumeBadInput: every bad spec is one clear line, exit 125, and
// leaves neither a record nor a directory.
func TestVolumeBadInput(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", "foo=bar", "v1"}, "invalid mount option foo for driver 'local'"},
		{[]string{"../escape"}, "volume name"},
		{[]string{"a..b"}, "volume name"},
		{[]string{".hidden"}, "volume name"},
		{[]string{"-o", "type=bind", "-o", "device=/nonexistent-berth", "v2"}, "invalid volume option device"},
		{[]string{"-o", "type=tmpfs", "v3"}, "type and device go together"},
		{[]string{"-o", "o=noexec", "v4"}, "mount options need type="},
		{[]string{"-o", "o=size=1m", "v5"}, "only for type=tmpfs"},
		{[]string{"-o", "uid=x", "v6"}, "non-negative number"},
		{[]string{"-d", "nfs-plugin", "v7"}, "only \"local\" is supported"},
	} {
		r := env.Berth(append([]string{"volume", "create"}, tc.args...)...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), tc.want) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("volume create %v: want exit 125 and one line with %q, got %s", tc.args, tc.want, r)
		}
	}
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("volumes after bad creates: %q", got)
	}
	if dirs := volumeDirs(env); len(dirs) != 0 {
		t.Errorf("volume directories after bad creates: %v", dirs)
	}
	for _, args := range [][]string{{"volume", "rm"}, {"volume", "inspect"}, {"volume", "rm", "-a", "x"}} {
		if r := env.Berth(args...); r.ExitCode() != 125 {
			t.Errorf("%v: %s", args, r)
		}
	}
	if r := env.Berth("volume", "rm", "nope"); r.ExitCode() != 1 || !strings.Contains(r.Stderr(), "no volume with name \"nope\"") {
		t.Errorf("volume rm of a missing volume: %s", r)
	}
	if r := env.Berth("volume", "ls", "--filter", "bogus=1"); r.ExitCode() != 125 {
		t.Errorf("volume ls with an unknown filter: %s", r)
	}
}

// TestVolumeTmpfsMountAndSize: a tmpfs volume is mounted while used
// (here by volume mount), with its size enforced by the kernel, and
// unmounted by the last user.
func TestVolumeTmpfsMountAndSize(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.MustBerth(t, "volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m,mode=0750", "tv")
	mp := env.MustBerth(t, "volume", "mount", "tv")
	if again := env.MustBerth(t, "volume", "mount", "tv"); again != mp {
		t.Errorf("second mount printed %q, want %q", again, mp)
	}
	if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.MountCount}}", "tv"); got != "2" {
		t.Errorf("MountCount = %s, want 2", got)
	}
	out, err := exec.Command("findmnt", "-n", "-o", "FSTYPE,OPTIONS", mp).Output()
	if err != nil || !strings.HasPrefix(string(out), "tmpfs") || !strings.Contains(string(out), "size=1024k") || !strings.Contains(string(out), "mode=750") {
		t.Errorf("findmnt %s = %q, %v", mp, out, err)
	}
	if err := os.WriteFile(filepath.Join(mp, "big"), bytes.Repeat([]byte("x"), 2<<20), 0o644); err == nil {
		t.Errorf("wrote 2 MiB into a 1 MiB tmpfs volume")
	}
	// In use: volume rm refuses, and the refusal changes nothing.
	if r := env.Berth("volume", "rm", "tv"); r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "mounted") {
		t.Errorf("volume rm of a mounted volume: %s", r)
	}
	env.MustBerth(t, "volume", "unmount", "tv")
	if err := exec.Command("mountpoint", "-q", mp).Run(); err != nil {
		t.Errorf("unmounted after the first of two users: %v", err)
	}
	env.MustBerth(t, "volume", "umount", "tv")
	if err := exec.Command("mountpoint", "-q", mp).Run(); err == nil {
		t.Errorf("still mounted after the last user")
	}
	if r := env.Berth("volume", "unmount", "tv"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "not mounted") {
		t.Errorf("unmount of an unmounted volume: %s", r)
	}
	env.MustBerth(t, "volume", "rm", "tv")
	if dirs := volumeDirs(env); len(dirs) != 0 {
		t.Errorf("volume directories after rm: %v", dirs)
	}
}

// TestVolumeExportImport: a round trip keeps contents, modes and links,
// and the archive never follows a link out of the volume.
func TestVolumeExportImport(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	mp := env.MustBerth(t, "volume", "mount", env.MustBerth(t, "volume", "create", "src"))
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(mp, "dir", "sub"), 0o750))
	must(os.WriteFile(filepath.Join(mp, "dir", "sub", "file"), []byte("payload"), 0o640))
	must(os.Symlink("/etc/shadow", filepath.Join(mp, "link")))
	archive := filepath.Join(env.TmpDir, "vol.tar")
	env.MustBerth(t, "volume", "export", "-o", archive, "src")
	listing, err := exec.Command("tar", "tvf", archive).CombinedOutput()
	if err != nil || !strings.Contains(string(listing), "dir/sub/file") || !strings.Contains(string(listing), "link -> /etc/shadow") {
		t.Errorf("archive listing:\n%s (%v)", listing, err)
	}
	// The link is archived as a link: no regular entry named link.
	for _, l := range strings.Split(string(listing), "\n") {
		if strings.HasSuffix(l, " link") && !strings.HasPrefix(l, "l") {
			t.Errorf("the archive followed the link:\n%s", listing)
		}
	}

	env.MustBerth(t, "volume", "create", "dst")
	f, err := os.Open(archive)
	must(err)
	defer f.Close()
	if r := env.BerthStdin(f, "volume", "import", "dst", "-"); r.ExitCode() != 0 {
		t.Fatalf("volume import: %s", r)
	}
	dst := env.MustBerth(t, "volume", "inspect", "--format", "{{.Mountpoint}}", "dst")
	data, err := os.ReadFile(filepath.Join(dst, "dir", "sub", "file"))
	if err != nil || string(data) != "payload" {
		t.Errorf("imported file = %q, %v", data, err)
	}
	if st, err := os.Stat(filepath.Join(dst, "dir", "sub", "file")); err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("imported file mode: %v, %v", st, err)
	}
	if target, err := os.Readlink(filepath.Join(dst, "link")); err != nil || target != "/etc/shadow" {
		t.Errorf("imported link = %q, %v", target, err)
	}
	if r := env.Berth("volume", "import", "nope", archive); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "no volume") {
		t.Errorf("import into a missing volume: %s", r)
	}
	if r := env.Berth("volume", "export", "-o", filepath.Join(env.TmpDir, "x.tar"), "nope"); r.ExitCode() != 125 {
		t.Errorf("export of a missing volume: %s", r)
	}
	if _, err := os.Stat(filepath.Join(env.TmpDir, "x.tar")); err == nil {
		t.Errorf("a failed export left its output file")
	}
}

func TestVolumePrune(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.MustBerth(t, "volume", "create", "--label", "keep=1", "kept")
	env.MustBerth(t, "volume", "create", "gone")
	if got := env.MustBerth(t, "volume", "prune", "-f", "--filter", "label!=keep=1"); got != "gone" {
		t.Errorf("prune --filter label! removed %q, want gone", got)
	}
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "kept" {
		t.Errorf("left after prune: %q", got)
	}
	if r := env.Berth("volume", "prune", "-f", "--filter", "name=x"); r.ExitCode() != 125 {
		t.Errorf("prune with a filter it does not take: %s", r)
	}
	env.MustBerth(t, "volume", "rm", "-a")
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("left after rm -a: %q", got)
	}
}
