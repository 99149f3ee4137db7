package cgroups

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fakeV2 makes a cgroup v2 tree in a temporary directory and points the
// detection at it; dirs owned by someone else are chowned away (root
// only: as another user, the test skips those cases).
func fakeV2(t *testing.T, self string, foreign []string, ctrls string) {
	t.Helper()
	root := t.TempDir()
	for p := self; ; p = filepath.Dir(p) {
		dir := filepath.Join(root, p)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"cgroup.procs", "cgroup.subtree_control", "cgroup.controllers"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(ctrls+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if p == "/" {
			break
		}
	}
	for _, p := range foreign {
		for _, f := range []string{"", "cgroup.procs", "cgroup.subtree_control"} {
			if err := os.Chown(filepath.Join(root, p, f), 12345, 12345); err != nil {
				t.Skipf("chown needs root: %v", err)
			}
		}
	}
	cg := filepath.Join(t.TempDir(), "cgroup")
	if err := os.WriteFile(cg, []byte("0::"+self+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	oldRoot, oldFile, oldUnified := delegationRoot, selfCgroupFile, isUnified
	delegationRoot, selfCgroupFile, isUnified = root, cg, func(string) bool { return true }
	t.Cleanup(func() { delegationRoot, selfCgroupFile, isUnified = oldRoot, oldFile, oldUnified })
}

func TestRootlessDelegation(t *testing.T) {
	const svc = "/user.slice/user-1000.slice/user@1000.service"
	fakeV2(t, svc+"/app.slice/term.scope", []string{"/", "/user.slice", "/user.slice/user-1000.slice"}, "memory pids")
	d := RootlessDelegation()
	if d == nil || d.Path != svc || !reflect.DeepEqual(d.Controllers, []string{"memory", "pids"}) {
		t.Fatalf("got %+v, want %s with memory and pids", d, svc)
	}
	if !d.Has("memory") || d.Has("cpu") {
		t.Errorf("Has: memory %v, cpu %v", d.Has("memory"), d.Has("cpu"))
	}
	if got := d.Parent(); got != svc+"/berth" {
		t.Errorf("Parent: %q", got)
	}
}

func TestRootlessDelegationNone(t *testing.T) {
	// A session outside any delegated tree: nothing is the user's.
	fakeV2(t, "/user.slice/user-1000.slice/session-1.scope", []string{"/", "/user.slice", "/user.slice/user-1000.slice", "/user.slice/user-1000.slice/session-1.scope"}, "memory pids")
	if d := RootlessDelegation(); d != nil {
		t.Errorf("got %+v, want no delegation", d)
	}
	// A v1 host.
	isUnified = func(string) bool { return false }
	if d := RootlessDelegation(); d != nil {
		t.Errorf("v1: got %+v", d)
	}
}
