package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A --rm container's storage is volatile, as in podman: its record goes to
// volatile-containers.json (written without fsync) and its overlay is
// mounted with "volatile"; a container kept after exit is durable.
func TestRunRmVolatileStorage(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	rm := env.MustBerth(t, "run", "-d", "--rm", "busybox", "sleep", "1000")
	kept := env.MustBerth(t, "run", "-d", "busybox", "sleep", "1000")
	read := func(name string) string {
		files, _ := filepath.Glob(filepath.Join(env.Root, "*-containers", name))
		var b strings.Builder
		for _, f := range files {
			data, _ := os.ReadFile(f)
			b.Write(data)
		}
		return b.String()
	}
	if v := read("volatile-containers.json"); !strings.Contains(v, rm) || strings.Contains(v, kept) {
		t.Errorf("volatile-containers.json has --rm container %v, kept container %v", strings.Contains(v, rm), strings.Contains(v, kept))
	}
	if d := read("containers.json"); strings.Contains(d, rm) || !strings.Contains(d, kept) {
		t.Errorf("containers.json has --rm container %v, kept container %v", strings.Contains(d, rm), strings.Contains(d, kept))
	}
	mp := paInspect(t, env, rm, "{{.GraphDriver.Data.MergedDir}}")
	mounts, err := mountsUnder(env.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mounts {
		opts := strings.Split(m.VFSOptions, ",")
		// Newer kernels show the option as fsync=volatile.
		if m.Mountpoint == mp && !slices.Contains(opts, "volatile") && !slices.Contains(opts, "fsync=volatile") {
			t.Errorf("--rm rootfs mounted without volatile: %s", m.VFSOptions)
		}
	}
	env.MustBerth(t, "stop", "-t", "0", rm)
	WaitFor(t, 10*time.Second, func() bool { return !slices.Contains(paStorageContainers(t, env), rm) })
	if !slices.Contains(paStorageContainers(t, env), kept) {
		t.Errorf("the kept container left storage")
	}
}
