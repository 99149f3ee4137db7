package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVolumeDataOutlivesContainer: a named volume is created on first
// use, keeps what one container wrote for the next, is refused to volume
// rm while a container uses it, and rm -v leaves named volumes alone.
func TestVolumeDataOutlivesContainer(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--rm", "-v", "data:/data", "busybox", "sh", "-c", "echo kept > /data/f")
	if got := env.MustBerth(t, "run", "--rm", "-v", "data:/data", "busybox", "cat", "/data/f"); got != "kept" {
		t.Errorf("second container read %q", got)
	}
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "data" {
		t.Errorf("volumes after two --rm runs: %q, want only the named one", got)
	}
	// --mount type=volume reaches the same volume.
	if got := env.MustBerth(t, "run", "--rm", "--mount", "type=volume,source=data,target=/m,readonly", "busybox", "cat", "/m/f"); got != "kept" {
		t.Errorf("--mount type=volume read %q", got)
	}

	id := env.MustBerth(t, "create", "--name", "user", "-v", "data:/data", "busybox", "true")
	r := env.Berth("volume", "rm", "data")
	if r.ExitCode() != 2 || !strings.Contains(r.Stderr(), "being used") || !strings.Contains(r.Stderr(), id) {
		t.Errorf("volume rm of a volume a created container uses: %s", r)
	}
	if got := env.MustBerth(t, "volume", "prune", "-f"); got != "" {
		t.Errorf("prune removed a volume in use: %q", got)
	}
	env.MustBerth(t, "rm", "-v", "user")
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "data" {
		t.Errorf("rm -v removed a named volume: %q", got)
	}
	env.MustBerth(t, "create", "--name", "user2", "-v", "data:/data", "busybox", "true")
	env.MustBerth(t, "volume", "rm", "-f", "data")
	if r := env.Berth("container", "exists", "user2"); r.ExitCode() != 1 {
		t.Errorf("volume rm -f left the container using it: %s", r)
	}
}

// TestVolumeAnonymous: -v /dst and --mount type=volume without a source
// make anonymous volumes, shown in inspect's Mounts, removed by rm -v and
// by --rm.
func TestVolumeAnonymous(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "a", "-v", "/anon", "--mount", "type=volume,target=/anon2", "busybox", "true")
	var ins []struct {
		Mounts []struct {
			Type, Name, Source, Destination string
			RW                              bool
		}
	}
	if err := json.Unmarshal([]byte(env.MustBerth(t, "inspect", "a")), &ins); err != nil || len(ins) != 1 {
		t.Fatalf("inspect: %v", err)
	}
	names := map[string]bool{}
	for _, m := range ins[0].Mounts {
		if m.Type == "volume" {
			names[m.Name] = true
			if len(m.Name) != 64 || !strings.HasSuffix(m.Source, "/"+m.Name+"/_data") || !m.RW {
				t.Errorf("inspect mount %+v", m)
			}
		}
	}
	if len(names) != 2 {
		t.Errorf("inspect Mounts has %d volumes, want 2: %+v", len(names), ins[0].Mounts)
	}
	for n := range names {
		if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.Anonymous}}", n); got != "true" {
			t.Errorf("volume %s Anonymous = %s", n, got)
		}
	}
	env.MustBerth(t, "rm", "-v", "a")
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("rm -v left volumes: %q", got)
	}
	env.MustBerth(t, "run", "--rm", "-v", "/x", "busybox", "touch", "/x/f")
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("run --rm left its anonymous volume: %q", got)
	}
	env.MustBerth(t, "create", "--name", "b", "-v", "/y", "busybox", "true")
	env.MustBerth(t, "rm", "b")
	if got := env.MustBerth(t, "volume", "ls", "-q"); got == "" {
		t.Errorf("rm without -v removed the anonymous volume")
	}
}

// TestVolumeCopyUpFromImage: an image's VOLUME gets an anonymous volume
// filled with the image's content there, owner and mode kept; a named
// volume is filled on first use; nocopy leaves it empty.
func TestVolumeCopyUpFromImage(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "src", "busybox", "sh", "-c",
		"mkdir -p /srv/sub && echo seed > /srv/sub/f && ln -s /etc/shadow /srv/link && chown -R 1000:1001 /srv && chmod 0750 /srv")
	archive := filepath.Join(env.TmpDir, "img.tar")
	env.MustBerth(t, "export", "-o", archive, "src")
	env.MustBerth(t, "import", "--change", "VOLUME=/srv", "--change", "CMD=/bin/sh", archive, "withvol")

	out := env.MustBerth(t, "run", "--rm", "withvol", "sh", "-c", "cat /srv/sub/f; stat -c '%u:%g %a' /srv /srv/sub/f; readlink /srv/link")
	if want := "seed\n1000:1001 750\n1000:1001 644\n/etc/shadow"; out != want {
		t.Errorf("image VOLUME content:\n%s\nwant\n%s", out, want)
	}
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("--rm left the image VOLUME's anonymous volume: %q", got)
	}
	env.MustBerth(t, "run", "--rm", "-v", "named:/srv", "withvol", "true")
	if got := env.MustBerth(t, "run", "--rm", "-v", "named:/srv", "busybox", "cat", "/srv/sub/f"); got != "seed" {
		t.Errorf("named volume after copy-up holds %q", got)
	}
	// Only the first use copies: content the user removed stays removed.
	env.MustBerth(t, "run", "--rm", "-v", "named:/srv", "busybox", "rm", "/srv/sub/f")
	if r := env.Berth("run", "--rm", "-v", "named:/srv", "withvol", "cat", "/srv/sub/f"); r.ExitCode() == 0 {
		t.Errorf("copy-up ran again on a used volume: %s", r)
	}
	if got := env.MustBerth(t, "run", "--rm", "-v", "empty:/srv:nocopy", "withvol", "ls", "-A", "/srv"); got != "" {
		t.Errorf("nocopy volume holds %q", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "--image-volume", "ignore", "withvol", "cat", "/srv/sub/f"); got != "seed" {
		t.Errorf("--image-volume ignore: %q", got)
	}
	env.MustBerth(t, "rm", "src")
}

// TestVolumeOptionsEnforced: ro by the kernel, U owns the volume by the
// container's user, a tmpfs volume's size holds inside the container and
// the volume is unmounted once the container is gone.
func TestVolumeOptionsEnforced(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	if r := env.Berth("run", "--rm", "-v", "ro:/data:ro", "busybox", "touch", "/data/x"); r.ExitCode() == 0 || !strings.Contains(r.Stderr()+r.Stdout(), "Read-only") {
		t.Errorf("write to a ro volume: %s", r)
	}
	env.MustBerth(t, "run", "--rm", "-v", "u:/data", "busybox", "touch", "/data/f")
	if got := env.MustBerth(t, "run", "--rm", "-u", "1234:4321", "-v", "u:/data:U", "busybox", "stat", "-c", "%u:%g", "/data", "/data/f"); got != "1234:4321\n1234:4321" {
		t.Errorf("U: owners %q", got)
	}
	env.MustBerth(t, "volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "tv")
	r := env.Berth("run", "--rm", "-v", "tv:/t", "busybox", "sh", "-c", "grep ' /t ' /proc/mounts; dd if=/dev/zero of=/t/big bs=1M count=2")
	if r.ExitCode() == 0 || !strings.Contains(r.Stdout(), "tmpfs /t tmpfs") || !strings.Contains(r.Stdout(), "size=1024k") {
		t.Errorf("tmpfs volume in a container: %s", r)
	}
	if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.MountCount}}", "tv"); got != "0" {
		t.Errorf("tmpfs volume MountCount after the container = %s", got)
	}
	mp := env.MustBerth(t, "volume", "inspect", "--format", "{{.Mountpoint}}", "tv")
	if mounts, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mounts), mp) {
		t.Errorf("tmpfs volume still mounted at %s", mp)
	}
}

// TestVolumeBindPaths: relative host paths (./x) are resolved against
// the working directory; bad specs are refused before anything is made.
func TestVolumeBindPaths(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	dir := filepath.Join(env.TmpDir, "host")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("from host"), 0o644); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, dir)
	if err != nil || !strings.HasPrefix(rel, ".") {
		t.Fatalf("relative path %q, %v", rel, err)
	}
	if got := env.MustBerth(t, "run", "--rm", "-v", rel+":/h:ro", "busybox", "cat", "/h/f"); got != "from host" {
		t.Errorf("relative -v read %q", got)
	}
	if got := env.MustBerth(t, "run", "--rm", "--mount", "type=bind,src="+rel+",dst=/h", "busybox", "cat", "/h/f"); got != "from host" {
		t.Errorf("relative --mount read %q", got)
	}
	for _, args := range [][]string{
		{"-v", "bad..name:/x"},
		{"-v", "v:relative"},
		{"-v", "v:/x:bogus"},
		{"-v", "./no-such-dir-berth:/x"},
		{"--mount", "type=volume,target=/x,tmpfs-size=1m"},
		{"--mount", "type=volume,source=v"},
		{"-v", "v:/x", "-v", "w:/x"},
		{"--image-volume", "nope"},
	} {
		r := env.Berth(append(append([]string{"create"}, args...), "busybox")...)
		if r.ExitCode() != 125 || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
			t.Errorf("create %v: want one error line and exit 125, got %s", args, r)
		}
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != "" {
		t.Errorf("bad creates left containers: %q", got)
	}
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "" {
		t.Errorf("bad creates left volumes: %q", got)
	}
}

// TestVolumesFrom: --volumes-from mounts another container's volumes and
// bind mounts, read-only with :ro; ps --filter volume= finds the users of
// a volume by name or mount destination.
func TestVolumesFrom(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	dir := filepath.Join(env.TmpDir, "bind")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "create", "--name", "src", "-v", "shared:/data", "-v", dir+":/bind", "-v", "/anon", "busybox", "true")
	env.MustBerth(t, "run", "--rm", "--volumes-from", "src", "busybox", "sh", "-c", "echo v > /data/f && echo b > /bind/f && echo a > /anon/f")
	if got := env.MustBerth(t, "run", "--rm", "-v", "shared:/x", "busybox", "cat", "/x/f"); got != "v" {
		t.Errorf("named volume through --volumes-from: %q", got)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "f")); err != nil || string(data) != "b\n" {
		t.Errorf("bind mount through --volumes-from: %q, %v", data, err)
	}
	if r := env.Berth("run", "--rm", "--volumes-from", "src:ro", "busybox", "touch", "/data/g"); r.ExitCode() == 0 {
		t.Errorf("--volumes-from src:ro let the container write: %s", r)
	}
	if r := env.Berth("create", "--volumes-from", "nosuch", "busybox"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuch") {
		t.Errorf("--volumes-from of a missing container: %s", r)
	}
	env.MustBerth(t, "create", "--name", "other", "busybox", "true")
	if got := env.MustBerth(t, "ps", "-a", "--filter", "volume=shared", "--format", "{{.Names}}"); got != "src" {
		t.Errorf("ps --filter volume=shared = %q", got)
	}
	if got := env.MustBerth(t, "ps", "-a", "--filter", "volume=/bind", "--format", "{{.Names}}"); got != "src" {
		t.Errorf("ps --filter volume=/bind = %q", got)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.HostConfig.VolumesFrom}}", env.MustBerth(t, "create", "--volumes-from", "src:ro", "busybox")); got != "[src:ro]" {
		t.Errorf("inspect VolumesFrom = %q", got)
	}
}

// TestMountTypes: --mount type=ramfs and type=devpts give the container
// those filesystems.
func TestMountTypes(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	out := env.MustBerth(t, "run", "--rm", "--mount", "type=ramfs,target=/r", "--mount", "type=devpts,target=/p,mode=0600", "busybox",
		"sh", "-c", "grep -E ' /(r|p) ' /proc/mounts")
	if !strings.Contains(out, "ramfs /r ramfs") || !strings.Contains(out, "devpts /p devpts") || !strings.Contains(out, "mode=600") {
		t.Errorf("mounts inside:\n%s", out)
	}
	if r := env.Berth("create", "--mount", "type=devpts,target=/p,size=1", "busybox"); r.ExitCode() != 125 {
		t.Errorf("devpts with a tmpfs key: %s", r)
	}
}

// TestSystemDF: system df counts images, containers and volumes, and
// what of them nothing uses.
func TestSystemDF(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-v", "used:/v", "busybox", "sh", "-c", "head -c 100000 /dev/zero > /v/f")
	env.MustBerth(t, "volume", "create", "unused")
	var rows []struct {
		Type              string
		Total, Active     int
		Size, Reclaimable int64
	}
	if err := json.Unmarshal([]byte(env.MustBerth(t, "system", "df", "--format", "json")), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("system df json: %v, %d rows", err, len(rows))
	}
	img, ctr, vol := rows[0], rows[1], rows[2]
	if img.Type != "Images" || img.Total != 1 || img.Active != 1 || img.Size <= 0 || img.Reclaimable != 0 {
		t.Errorf("images row %+v", img)
	}
	if ctr.Type != "Containers" || ctr.Total != 1 || ctr.Active != 0 {
		t.Errorf("containers row %+v", ctr)
	}
	if vol.Type != "Local Volumes" || vol.Total != 2 || vol.Active != 1 || vol.Size < 100000 || vol.Reclaimable != 0 {
		t.Errorf("volumes row %+v", vol)
	}
	table := env.MustBerth(t, "system", "df")
	if !strings.HasPrefix(table, "TYPE") || !strings.Contains(table, "Local Volumes  2") {
		t.Errorf("system df table:\n%s", table)
	}
}

// TestVolumeCreateRollback: a create that fails in the engine (its name
// is taken) removes the volumes it made, named and anonymous, and leaves
// an existing volume alone.
func TestVolumeCreateRollback(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "volume", "create", "old")
	env.MustBerth(t, "create", "--name", "taken", "busybox", "true")
	r := env.Berth("create", "--name", "taken", "-v", "newvol:/x", "-v", "/anon", "-v", "old:/o", "busybox", "true")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "already in use") {
		t.Fatalf("create with a taken name: %s", r)
	}
	if got := env.MustBerth(t, "volume", "ls", "-q"); got != "old" {
		t.Errorf("volumes after the failed create: %q, want only old", got)
	}
	if dirs := volumeDirs(env); len(dirs) != 1 {
		t.Errorf("volume directories after the failed create: %v", dirs)
	}
}

// TestVolumesFromBeatsImageVolume: with --volumes-from, an image's VOLUME
// path gets the source container's volume, not a fresh anonymous one
// (docker's data-container pattern); --mount volume-opt may repeat.
func TestVolumesFromBeatsImageVolume(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "--name", "src", "busybox", "mkdir", "/srv")
	archive := filepath.Join(env.TmpDir, "img.tar")
	env.MustBerth(t, "export", "-o", archive, "src")
	env.MustBerth(t, "rm", "src")
	env.MustBerth(t, "import", "--change", "VOLUME=/srv", "--change", "CMD=/bin/sh", archive, "withvol")
	env.MustBerth(t, "run", "--name", "data", "withvol", "sh", "-c", "echo shared > /srv/f")
	if got := env.MustBerth(t, "run", "--rm", "--volumes-from", "data", "withvol", "cat", "/srv/f"); got != "shared" {
		t.Errorf("--volumes-from over an image VOLUME read %q", got)
	}
	if n := len(strings.Fields(env.MustBerth(t, "volume", "ls", "-q"))); n != 1 {
		t.Errorf("%d volumes, want only the data container's", n)
	}
	out := env.MustBerth(t, "run", "--rm", "--mount", "type=volume,source=tv,target=/t,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=1m",
		"busybox", "grep", " /t ", "/proc/mounts")
	if !strings.Contains(out, "tmpfs /t tmpfs") || !strings.Contains(out, "size=1024k") {
		t.Errorf("volume made by --mount volume-opt: %q", out)
	}
}
