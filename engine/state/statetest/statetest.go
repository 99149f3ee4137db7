// Package statetest is the conformance suite every state.Store backend
// runs, so the in-memory fake used by engine unit tests cannot drift from
// the SQLite store used in production.
package statetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/state"
	"github.com/berth-dev/berth/internal/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Run runs the suite. newStore must return a fresh, empty store; the
// suite closes it.
func Run(t *testing.T, newStore func(t *testing.T) state.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s state.Store)
	}{
		{"AddAndGet", testAddAndGet},
		{"NilSpecAndState", testNilSpecAndState},
		{"InvalidAdd", testInvalidAdd},
		{"DuplicateID", testDuplicateID},
		{"NameInUse", testNameInUse},
		{"SaveState", testSaveState},
		{"Lookup", testLookup},
		{"Rename", testRename},
		{"Update", testUpdate},
		{"Remove", testRemove},
		{"List", testList},
		{"CopiesInAndOut", testCopies},
		{"ContainersUsingImage", testUsingImage},
		{"Dependencies", testDependencies},
		{"RuntimeValues", testRuntimeValues},
		{"ConcurrentWrites", testConcurrentWrites},
		{"Summaries", testSummaries},
		{"Volumes", testVolumes},
		{"VolumeUsers", testVolumeUsers},
		{"Pods", testPods},
		{"PodMembers", testPodMembers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			})
			tt.fn(t, s)
		})
	}
}

// NewID returns a random 64-hex-digit container ID.
func NewID(t testing.TB) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// NewConfig returns a config with most fields set, so round trips cover
// them.
func NewConfig(id, name string) *define.ContainerConfig {
	return &define.ContainerConfig{
		ID:          id,
		Name:        name,
		ImageID:     "img-" + name,
		ImageName:   "localhost/busybox:latest",
		Labels:      map[string]string{"app": name},
		Command:     []string{"sh", "-c", "sleep 1"},
		Entrypoint:  []string{"sh", "-c"},
		Cmd:         []string{"sleep 1"},
		StopTimeout: 10,
		CreatedTime: time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC),
		OCIRuntime:  "runc",
		NetMode:     "bridge",
		Networks:    []string{"podman"},
		Ports:       []define.PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}},
		Namespaces:  map[string]string{"ipc": "other"},
	}
}

// NewState returns a state with nested fields set.
func NewState(status define.ContainerStatus) *define.ContainerState {
	return &define.ContainerState{
		Status:      status,
		PID:         1234,
		ExitCode:    3,
		StartedTime: time.Date(2024, 5, 6, 7, 8, 10, 0, time.UTC),
		ExecSessions: map[string]*define.ExecSession{
			"e1": {ID: "e1", Command: []string{"ls"}, Running: true},
		},
		NetworkStatus: map[string]define.NetworkResult{
			"podman": {Interface: "eth0", IPs: []string{"10.88.0.2/16"}},
		},
	}
}

// NewSpec returns a small but non-trivial OCI spec.
func NewSpec() *specs.Spec {
	return &specs.Spec{
		Version:  specs.Version,
		Hostname: "web",
		Process: &specs.Process{
			Args: []string{"sh"},
			Env:  []string{"PATH=/bin"},
			Cwd:  "/",
			Rlimits: []specs.POSIXRlimit{
				{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024},
			},
		},
		Root:   &specs.Root{Path: "/rootfs", Readonly: true},
		Mounts: []specs.Mount{{Destination: "/proc", Type: "proc", Source: "proc"}},
		Linux: &specs.Linux{
			MaskedPaths: []string{"/proc/kcore"},
			Namespaces:  []specs.LinuxNamespace{{Type: specs.PIDNamespace}},
		},
	}
}

// sameJSON fails the test when got and want do not encode identically.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func mustAdd(t *testing.T, s state.Store, name string) string {
	t.Helper()
	id := NewID(t)
	if err := s.AddContainer(NewConfig(id, name), NewSpec(), NewState(define.StatusConfigured)); err != nil {
		t.Fatalf("AddContainer(%s) = %v", name, err)
	}
	return id
}

// wantErr checks errors.Is against want (nil means no error expected).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Errorf("%s = %v, want no error", what, err)
	case want != nil && !errors.Is(err, want):
		t.Errorf("%s = %v, want %v", what, err, want)
	}
}

func testAddAndGet(t *testing.T, s state.Store) {
	id := NewID(t)
	cfg, spec, st := NewConfig(id, "web"), NewSpec(), NewState(define.StatusCreated)
	if err := s.AddContainer(cfg, spec, st); err != nil {
		t.Fatalf("AddContainer() = %v", err)
	}
	rec, err := s.Container(id)
	if err != nil {
		t.Fatalf("Container() = %v", err)
	}
	sameJSON(t, "config", rec.Config, cfg)
	sameJSON(t, "state", rec.State, st)
	if !rec.Config.CreatedTime.Equal(cfg.CreatedTime) {
		t.Errorf("CreatedTime = %v, want %v", rec.Config.CreatedTime, cfg.CreatedTime)
	}
	gotSpec, err := s.ContainerSpec(id)
	if err != nil {
		t.Fatalf("ContainerSpec() = %v", err)
	}
	sameJSON(t, "spec", gotSpec, spec)
	gotSt, err := s.ContainerState(id)
	if err != nil {
		t.Fatalf("ContainerState() = %v", err)
	}
	sameJSON(t, "ContainerState", gotSt, st)

	missing := NewID(t)
	_, err = s.Container(missing)
	wantErr(t, "Container(missing)", err, define.ErrNoSuchCtr)
	_, err = s.ContainerSpec(missing)
	wantErr(t, "ContainerSpec(missing)", err, define.ErrNoSuchCtr)
	_, err = s.ContainerState(missing)
	wantErr(t, "ContainerState(missing)", err, define.ErrNoSuchCtr)
	if !errdefs.IsNotFound(err) {
		t.Errorf("ContainerState(missing) = %v, want a not-found category", err)
	}
}

func testNilSpecAndState(t *testing.T, s state.Store) {
	id := NewID(t)
	if err := s.AddContainer(NewConfig(id, "bare"), nil, nil); err != nil {
		t.Fatalf("AddContainer(nil spec, nil state) = %v", err)
	}
	spec, err := s.ContainerSpec(id)
	if err != nil || spec != nil {
		t.Errorf("ContainerSpec() = %v, %v; want nil, nil", spec, err)
	}
	st, err := s.ContainerState(id)
	if err != nil {
		t.Fatalf("ContainerState() = %v", err)
	}
	if st.Status != define.StatusUnknown {
		t.Errorf("Status = %v, want %v", st.Status, define.StatusUnknown)
	}
}

func testInvalidAdd(t *testing.T, s state.Store) {
	tests := []struct {
		name string
		cfg  *define.ContainerConfig
	}{
		{"nil config", nil},
		{"no ID", &define.ContainerConfig{Name: "a"}},
		{"no name", &define.ContainerConfig{ID: NewID(t)}},
	}
	for _, tt := range tests {
		err := s.AddContainer(tt.cfg, nil, nil)
		wantErr(t, "AddContainer("+tt.name+")", err, define.ErrInvalidArg)
	}
	recs, err := s.Containers()
	if err != nil || len(recs) != 0 {
		t.Errorf("Containers() = %d records, %v; want 0", len(recs), err)
	}
}

func testDuplicateID(t *testing.T, s state.Store) {
	id := mustAdd(t, s, "first")
	err := s.AddContainer(NewConfig(id, "second"), nil, nil)
	wantErr(t, "AddContainer(same ID)", err, define.ErrCtrExists)
	// Nothing was written: the second name is still free.
	if _, err := s.LookupContainer("second"); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("LookupContainer(second) = %v, want ErrNoSuchCtr", err)
	}
}

func testNameInUse(t *testing.T, s state.Store) {
	owner := mustAdd(t, s, "web")
	id := NewID(t)
	err := s.AddContainer(NewConfig(id, "web"), NewSpec(), nil)
	wantErr(t, "AddContainer(taken name)", err, define.ErrNameInUse)
	if !errdefs.IsConflict(err) {
		t.Errorf("AddContainer(taken name) = %v, want a conflict category", err)
	}
	want := fmt.Sprintf(`the container name "web" is already in use by %s. You have to remove that container to be able to reuse that name`, owner)
	if err != nil && !strings.Contains(err.Error(), want) {
		t.Errorf("AddContainer(taken name) = %q, want it to contain %q", err, want)
	}
	if _, err := s.Container(id); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("Container(rejected) = %v, want ErrNoSuchCtr", err)
	}
}

func testSaveState(t *testing.T, s state.Store) {
	id := mustAdd(t, s, "web")
	st := NewState(define.StatusRunning)
	st.PID, st.ConmonPID, st.Mountpoint = 42, 41, "/mnt/x"
	st.PIDStart, st.ConmonPIDStart = 4200, 4100
	if err := s.SaveContainerState(id, st); err != nil {
		t.Fatalf("SaveContainerState() = %v", err)
	}
	got, err := s.ContainerState(id)
	if err != nil {
		t.Fatalf("ContainerState() = %v", err)
	}
	sameJSON(t, "state", got, st)
	rec, err := s.Container(id)
	if err != nil {
		t.Fatalf("Container() = %v", err)
	}
	sameJSON(t, "Container().State", rec.State, st)

	// Saving a state with fewer fields drops the old ones.
	if err := s.SaveContainerState(id, &define.ContainerState{Status: define.StatusExited}); err != nil {
		t.Fatalf("SaveContainerState() = %v", err)
	}
	got, err = s.ContainerState(id)
	if err != nil {
		t.Fatalf("ContainerState() = %v", err)
	}
	if got.Status != define.StatusExited || got.PID != 0 || got.ExecSessions != nil {
		t.Errorf("state after save = %+v, want only Status exited", got)
	}
	wantErr(t, "SaveContainerState(missing)", s.SaveContainerState(NewID(t), st), define.ErrNoSuchCtr)
	wantErr(t, "SaveContainerState(nil)", s.SaveContainerState(id, nil), define.ErrInvalidArg)
}

func testLookup(t *testing.T, s state.Store) {
	// Two IDs sharing a prefix, and a container whose name is a prefix of
	// another's ID.
	idA := "abc1" + NewID(t)[4:]
	idB := "abc2" + NewID(t)[4:]
	idC := "ffee" + NewID(t)[4:]
	for _, c := range []struct{ id, name string }{{idA, "alpha"}, {idB, "abc1"}, {idC, "gamma"}} {
		if err := s.AddContainer(NewConfig(c.id, c.name), nil, nil); err != nil {
			t.Fatalf("AddContainer(%s) = %v", c.name, err)
		}
	}
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{in: idA, want: idA},
		{in: "alpha", want: idA},
		{in: "gamma", want: idC},
		{in: "abc1", want: idB}, // exact name beats ID prefix
		{in: "abc2", want: idB},
		{in: "ff", want: idC},
		{in: idC[:12], want: idC},
		{in: "abc", wantErr: define.ErrAmbiguous},
		{in: "a", wantErr: define.ErrAmbiguous},
		{in: "nothing", wantErr: define.ErrNoSuchCtr},
		{in: "abc3", wantErr: define.ErrNoSuchCtr},
		{in: idA + "0", wantErr: define.ErrNoSuchCtr},
		{in: "", wantErr: define.ErrNoSuchCtr},
		{in: "\xff\xff", wantErr: define.ErrNoSuchCtr},
		{in: "%", wantErr: define.ErrNoSuchCtr},
	}
	for _, tt := range tests {
		got, err := s.LookupContainer(tt.in)
		wantErr(t, fmt.Sprintf("LookupContainer(%q)", tt.in), err, tt.wantErr)
		if got != tt.want {
			t.Errorf("LookupContainer(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	_, err := s.LookupContainer("nothing")
	if want := `no container with name or ID "nothing" found: no such container`; err == nil || err.Error() != want {
		t.Errorf("LookupContainer(nothing) = %v, want %q", err, want)
	}
}

func testUpdate(t *testing.T, s state.Store) {
	id := mustAdd(t, s, "upd")
	limit := int64(100)
	err := s.UpdateContainer(id, func(cfg *define.ContainerConfig, spec *specs.Spec) error {
		cfg.Restart, cfg.RestartMax = "on-failure", 3
		cfg.OCIRuntime = "crun"
		if spec.Linux == nil {
			spec.Linux = &specs.Linux{}
		}
		spec.Linux.Resources = &specs.LinuxResources{Pids: &specs.LinuxPids{Limit: &limit}}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateContainer() = %v", err)
	}
	rec, err := s.Container(id)
	if err != nil || rec.Config.Restart != "on-failure" || rec.Config.RestartMax != 3 || rec.Config.Name != "upd" {
		t.Errorf("Container() after UpdateContainer = %+v, %v", rec, err)
	}
	// The listing follows a new runtime (system migrate --new-runtime).
	sums, err := s.ContainerSummaries()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range sums {
		if rec.Config.ID == id && rec.Config.OCIRuntime != "crun" {
			t.Errorf("ContainerSummaries() after UpdateContainer: runtime %q, want crun", rec.Config.OCIRuntime)
		}
	}
	spec, err := s.ContainerSpec(id)
	if err != nil || spec.Linux.Resources.Pids == nil || *spec.Linux.Resources.Pids.Limit != 100 {
		t.Errorf("ContainerSpec() after UpdateContainer = %+v, %v", spec, err)
	}
	// An error from fn changes nothing.
	boom := errors.New("boom")
	err = s.UpdateContainer(id, func(cfg *define.ContainerConfig, _ *specs.Spec) error {
		cfg.Restart = "always"
		return boom
	})
	wantErr(t, "UpdateContainer(failing fn)", err, boom)
	if rec, _ := s.Container(id); rec.Config.Restart != "on-failure" {
		t.Errorf("a failed UpdateContainer changed the config: %q", rec.Config.Restart)
	}
	wantErr(t, "UpdateContainer(missing)", s.UpdateContainer(NewID(t), func(*define.ContainerConfig, *specs.Spec) error { return nil }), define.ErrNoSuchCtr)
}

func testRename(t *testing.T, s state.Store) {
	id := mustAdd(t, s, "old")
	other := mustAdd(t, s, "other")
	if err := s.RenameContainer(id, "new"); err != nil {
		t.Fatalf("RenameContainer() = %v", err)
	}
	if got, err := s.LookupContainer("new"); err != nil || got != id {
		t.Errorf("LookupContainer(new) = %q, %v; want %q", got, err, id)
	}
	if _, err := s.LookupContainer("old"); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("LookupContainer(old) = %v, want ErrNoSuchCtr", err)
	}
	rec, err := s.Container(id)
	if err != nil || rec.Config.Name != "new" {
		t.Errorf("Container().Config.Name = %v, %v; want new", rec, err)
	}
	recs, err := s.Containers()
	if err != nil {
		t.Fatalf("Containers() = %v", err)
	}
	for _, r := range recs {
		if r.Config.ID == id && r.Config.Name != "new" {
			t.Errorf("Containers() name = %q, want new", r.Config.Name)
		}
	}
	// The old name is free again.
	mustAdd(t, s, "old")

	err = s.RenameContainer(id, "other")
	wantErr(t, "RenameContainer(taken)", err, define.ErrNameInUse)
	if err != nil && !strings.Contains(err.Error(), other) {
		t.Errorf("RenameContainer(taken) = %q, want it to name %s", err, other)
	}
	wantErr(t, "RenameContainer(same name)", s.RenameContainer(id, "new"), nil)
	wantErr(t, "RenameContainer(missing)", s.RenameContainer(NewID(t), "x"), define.ErrNoSuchCtr)
	wantErr(t, "RenameContainer(empty)", s.RenameContainer(id, ""), define.ErrInvalidArg)
}

func testRemove(t *testing.T, s state.Store) {
	id := mustAdd(t, s, "web")
	keep := mustAdd(t, s, "keep")
	if err := s.RemoveContainer(id); err != nil {
		t.Fatalf("RemoveContainer() = %v", err)
	}
	_, err := s.Container(id)
	wantErr(t, "Container(removed)", err, define.ErrNoSuchCtr)
	_, err = s.ContainerSpec(id)
	wantErr(t, "ContainerSpec(removed)", err, define.ErrNoSuchCtr)
	wantErr(t, "RemoveContainer(again)", s.RemoveContainer(id), define.ErrNoSuchCtr)
	if _, err := s.Container(keep); err != nil {
		t.Errorf("Container(kept) = %v", err)
	}
	mustAdd(t, s, "web") // the name can be reused

	// The exit code outlives the removal.
	exited := mustAdd(t, s, "exited")
	st := NewState(define.StatusExited)
	st.ExitCode = 42
	if err := s.SaveContainerState(exited, st); err != nil {
		t.Fatal(err)
	}
	_, err = s.RemovedExitCode(exited)
	wantErr(t, "RemovedExitCode(existing)", err, define.ErrNoSuchCtr)
	if err := s.RemoveContainer(exited); err != nil {
		t.Fatal(err)
	}
	if code, err := s.RemovedExitCode(exited); err != nil || code != 42 {
		t.Errorf("RemovedExitCode() = %d, %v; want 42", code, err)
	}
}

func testList(t *testing.T, s state.Store) {
	recs, err := s.Containers()
	if err != nil || len(recs) != 0 {
		t.Fatalf("Containers() on empty store = %d records, %v", len(recs), err)
	}
	var ids []string
	for i := range 5 {
		ids = append(ids, mustAdd(t, s, fmt.Sprintf("c%d", i)))
	}
	if err := s.RemoveContainer(ids[2]); err != nil {
		t.Fatal(err)
	}
	ids = append(ids[:2], ids[3:]...)
	recs, err = s.Containers()
	if err != nil {
		t.Fatalf("Containers() = %v", err)
	}
	if len(recs) != len(ids) {
		t.Fatalf("Containers() = %d records, want %d", len(recs), len(ids))
	}
	for i, r := range recs {
		if r.Config.ID != ids[i] {
			t.Errorf("Containers()[%d].ID = %s, want %s (creation order)", i, r.Config.ID, ids[i])
		}
		if r.State == nil || r.State.Status != define.StatusConfigured {
			t.Errorf("Containers()[%d].State = %+v, want configured", i, r.State)
		}
	}
}

func testCopies(t *testing.T, s state.Store) {
	id := NewID(t)
	cfg, spec, st := NewConfig(id, "web"), NewSpec(), NewState(define.StatusCreated)
	if err := s.AddContainer(cfg, spec, st); err != nil {
		t.Fatal(err)
	}
	// Mutating what was passed in or handed out must not change the store.
	cfg.Labels["app"], cfg.Command[0] = "changed", "changed"
	spec.Process.Args[0] = "changed"
	st.ExecSessions["e1"].Running = false
	rec, err := s.Container(id)
	if err != nil {
		t.Fatal(err)
	}
	rec.Config.Labels["app"] = "changed again"
	rec.State.ExecSessions["e1"].Command[0] = "changed"

	rec, err = s.Container(id)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "config", rec.Config, NewConfig(id, "web"))
	sameJSON(t, "state", rec.State, NewState(define.StatusCreated))
	gotSpec, err := s.ContainerSpec(id)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "spec", gotSpec, NewSpec())
}

func testUsingImage(t *testing.T, s state.Store) {
	a := mustAdd(t, s, "a") // image "img-a"
	id := NewID(t)
	cfg := NewConfig(id, "b")
	cfg.ImageID = "img-a"
	if err := s.AddContainer(cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	c := mustAdd(t, s, "c")
	tests := []struct {
		image string
		want  []string
	}{
		{"img-a", []string{a, id}},
		{"img-c", []string{c}},
		{"img-none", nil},
	}
	for _, tt := range tests {
		got, err := s.ContainersUsingImage(tt.image)
		if err != nil {
			t.Fatalf("ContainersUsingImage(%s) = %v", tt.image, err)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("ContainersUsingImage(%s) = %v, want %v", tt.image, got, tt.want)
		}
	}
}

func testRuntimeValues(t *testing.T, s state.Store) {
	if v, err := s.RuntimeValue("graphroot"); err != nil || v != "" {
		t.Errorf("RuntimeValue(unset) = %q, %v; want empty", v, err)
	}
	for _, v := range []string{"/var/lib/berth", "/other"} {
		if err := s.SetRuntimeValue("graphroot", v); err != nil {
			t.Fatalf("SetRuntimeValue() = %v", err)
		}
		if got, err := s.RuntimeValue("graphroot"); err != nil || got != v {
			t.Errorf("RuntimeValue() = %q, %v; want %q", got, err, v)
		}
	}
	if err := s.SetRuntimeValue("bootid", "b1"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.RuntimeValue("graphroot"); got != "/other" {
		t.Errorf("RuntimeValue(graphroot) = %q after setting another key", got)
	}
}

// testConcurrentWrites hammers one store from several goroutines; every
// operation must succeed (backends serialize writers, never fail them).
func testConcurrentWrites(t *testing.T, s state.Store) {
	const workers, perWorker = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				id := NewID(t)
				name := fmt.Sprintf("w%d-%d", w, i)
				if err := s.AddContainer(NewConfig(id, name), NewSpec(), nil); err != nil {
					errs <- err
					return
				}
				if err := s.SaveContainerState(id, NewState(define.StatusRunning)); err != nil {
					errs <- err
					return
				}
				if err := s.RenameContainer(id, name+"-r"); err != nil {
					errs <- err
					return
				}
				if _, err := s.Containers(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	recs, err := s.Containers()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != workers*perWorker {
		t.Errorf("Containers() = %d records, want %d", len(recs), workers*perWorker)
	}
}

// testDependencies checks that a container others depend on cannot be
// removed before them, and that a dependency must exist.
func testDependencies(t *testing.T, s state.Store) {
	base := mustAdd(t, s, "base")
	var deps []string
	for _, name := range []string{"joiner1", "joiner2"} {
		cfg := NewConfig(NewID(t), name)
		cfg.Dependencies = []string{base}
		if err := s.AddContainer(cfg, nil, nil); err != nil {
			t.Fatalf("AddContainer(%s) = %v", name, err)
		}
		deps = append(deps, cfg.ID)
	}
	other := mustAdd(t, s, "other")
	if got, err := s.ContainerDependents(base); err != nil || !reflect.DeepEqual(got, deps) {
		t.Errorf("ContainerDependents(base) = %v, %v; want %v", got, err, deps)
	}
	if got, err := s.ContainerDependents(other); err != nil || len(got) != 0 {
		t.Errorf("ContainerDependents(other) = %v, %v; want none", got, err)
	}
	err := s.RemoveContainer(base)
	wantErr(t, "RemoveContainer(base)", err, define.ErrCtrExists)
	if want := fmt.Sprintf("container %s has dependent containers which must be removed before it: %s, %s", base, deps[0], deps[1]); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("RemoveContainer(base) = %v, want it to contain %q", err, want)
	}
	if _, err := s.Container(base); err != nil {
		t.Errorf("Container(base) after a refused removal = %v", err)
	}

	orphan := NewConfig(NewID(t), "orphan")
	orphan.Dependencies = []string{NewID(t)}
	wantErr(t, "AddContainer(missing dependency)", s.AddContainer(orphan, nil, nil), define.ErrNoSuchCtr)
	if _, err := s.Container(orphan.ID); !errors.Is(err, define.ErrNoSuchCtr) {
		t.Errorf("Container(rejected) = %v, want ErrNoSuchCtr", err)
	}

	for _, id := range deps {
		if err := s.RemoveContainer(id); err != nil {
			t.Fatalf("RemoveContainer(dependent) = %v", err)
		}
	}
	if got, err := s.ContainerDependents(base); err != nil || len(got) != 0 {
		t.Errorf("ContainerDependents(base) after removing them = %v, %v", got, err)
	}
	if err := s.RemoveContainer(base); err != nil {
		t.Errorf("RemoveContainer(base) without dependents = %v", err)
	}
}

// testSummaries checks that the listing projection carries every field it
// promises, with the same values as the full records.
func testSummaries(t *testing.T, s state.Store) {
	for i := range 3 {
		id := NewID(t)
		cfg := NewConfig(id, fmt.Sprintf("sum%d", i))
		cfg.AutoRemove = i == 1
		cfg.UserVolumes = []string{"/data"}
		if i == 2 {
			cfg.Health = &define.HealthSettings{Check: &define.HealthConfig{Test: []string{"CMD", "true"}, Interval: time.Second, Retries: 3}, LogDestination: "/x"}
		}
		st := NewState(define.StatusRunning)
		st.StartedTime = time.Date(2024, 5, 6, 7, 8, 10, 5, time.UTC)
		st.FinishedTime = time.Date(2024, 5, 6, 7, 9, 10, 0, time.FixedZone("x", 3600))
		st.RestartCount = i
		st.ConmonPID, st.ConmonPIDStart = 99, uint64(990+i)
		st.NetNS = "/run/netns/x"
		st.Networks = map[string]define.PerNetworkOptions{"berth": {Aliases: []string{"a"}}}
		st.Ports = []define.PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}
		if err := s.AddContainer(cfg, NewSpec(), st); err != nil {
			t.Fatal(err)
		}
	}
	full, err := s.Containers()
	if err != nil {
		t.Fatal(err)
	}
	sums, err := s.ContainerSummaries()
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != len(full) {
		t.Fatalf("ContainerSummaries() = %d records, Containers() = %d", len(sums), len(full))
	}
	for i, f := range full {
		g := sums[i]
		fc, gc := f.Config, g.Config
		type cfgView struct {
			ID, Name, ImageID, ImageName, Rootfs, Pod, OCIRuntime string
			Created                                               time.Time
			AutoRemove                                            bool
			Command, UserVolumes, Networks                        []string
			Labels                                                map[string]string
			Ports                                                 []define.PortMapping
			Health                                                *define.HealthSettings
		}
		want := cfgView{fc.ID, fc.Name, fc.ImageID, fc.ImageName, fc.Rootfs, fc.Pod, fc.OCIRuntime, fc.CreatedTime.UTC(), fc.AutoRemove, fc.Command, fc.UserVolumes, fc.Networks, fc.Labels, fc.Ports, fc.Health}
		got := cfgView{gc.ID, gc.Name, gc.ImageID, gc.ImageName, gc.Rootfs, gc.Pod, gc.OCIRuntime, gc.CreatedTime.UTC(), gc.AutoRemove, gc.Command, gc.UserVolumes, gc.Networks, gc.Labels, gc.Ports, gc.Health}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("summary config %d = %+v, want %+v", i, got, want)
		}
		fs, gs := f.State, g.State
		type stView struct {
			Status                   define.ContainerStatus
			PID, ConmonPID, Restarts int
			PIDStart, ConmonStart    uint64
			ExitCode                 int32
			Started, Finished        time.Time
			NetNS                    string
			Networks                 map[string]define.PerNetworkOptions
			Ports                    []define.PortMapping
		}
		wantSt := stView{fs.Status, fs.PID, fs.ConmonPID, fs.RestartCount, fs.PIDStart, fs.ConmonPIDStart, fs.ExitCode, fs.StartedTime.UTC(), fs.FinishedTime.UTC(), fs.NetNS, NetworkNames(fs.Networks), fs.Ports}
		gotSt := stView{gs.Status, gs.PID, gs.ConmonPID, gs.RestartCount, gs.PIDStart, gs.ConmonPIDStart, gs.ExitCode, gs.StartedTime.UTC(), gs.FinishedTime.UTC(), gs.NetNS, NetworkNames(gs.Networks), gs.Ports}
		if !reflect.DeepEqual(gotSt, wantSt) {
			t.Errorf("summary state %d = %+v, want %+v", i, gotSt, wantSt)
		}
	}
}

// NetworkNames keeps only the keys of a state's networks: summaries list
// the attached networks by name, their options are not part of a listing.
func NetworkNames(m map[string]define.PerNetworkOptions) map[string]define.PerNetworkOptions {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]define.PerNetworkOptions, len(m))
	for k := range m {
		out[k] = define.PerNetworkOptions{}
	}
	return out
}
