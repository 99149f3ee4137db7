package statetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/state"
)

// NewPod returns a pod config for tests.
func NewPod(t testing.TB, name string, created time.Time) *define.PodConfig {
	return &define.PodConfig{
		ID: NewID(t), Name: name, CreatedTime: created, Labels: map[string]string{"k": "v"},
		Hostname: name, Share: []string{"ipc", "net", "uts"}, ExitPolicy: define.PodExitPolicyContinue,
	}
}

func testPods(t *testing.T, s state.Store) {
	base := time.Unix(1700000000, 0)
	a, b := NewPod(t, "web", base.Add(time.Second)), NewPod(t, "db", base)
	for _, p := range []*define.PodConfig{a, b} {
		if err := s.AddPod(p); err != nil {
			t.Fatalf("AddPod(%s) = %v", p.Name, err)
		}
	}
	wantErr(t, "AddPod(taken name)", s.AddPod(NewPod(t, "web", base)), define.ErrNameInUse)
	wantErr(t, "AddPod(no name)", s.AddPod(&define.PodConfig{ID: NewID(t)}), define.ErrInvalidArg)
	got, err := s.Pod(a.ID)
	if err != nil {
		t.Fatalf("Pod() = %v", err)
	}
	sameJSON(t, "pod config", got, a)
	a.InfraID = NewID(t)
	if err := s.SavePodConfig(a); err != nil {
		t.Fatalf("SavePodConfig() = %v", err)
	}
	if got, err := s.Pod(a.ID); err != nil || got.InfraID != a.InfraID {
		t.Errorf("Pod() after SavePodConfig = %+v, %v", got, err)
	}
	wantErr(t, "SavePodConfig(missing)", s.SavePodConfig(NewPod(t, "x", base)), define.ErrNoSuchPod)

	for _, tc := range []struct {
		in   string
		want string
		err  error
	}{
		{a.ID, a.ID, nil}, {"web", a.ID, nil}, {b.ID[:12], b.ID, nil},
		{"nope", "", define.ErrNoSuchPod}, {"", "", define.ErrNoSuchPod},
	} {
		id, err := s.LookupPod(tc.in)
		wantErr(t, "LookupPod("+tc.in+")", err, tc.err)
		if id != tc.want {
			t.Errorf("LookupPod(%q) = %q, want %q", tc.in, id, tc.want)
		}
	}
	pods, err := s.Pods()
	if err != nil {
		t.Fatalf("Pods() = %v", err)
	}
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
	}
	if !reflect.DeepEqual(names, []string{"db", "web"}) {
		t.Errorf("Pods() = %v, want oldest first [db web]", names)
	}
	if err := s.RemovePod(b.ID); err != nil {
		t.Fatalf("RemovePod() = %v", err)
	}
	wantErr(t, "RemovePod(again)", s.RemovePod(b.ID), define.ErrNoSuchPod)
	_, err = s.Pod(b.ID)
	wantErr(t, "Pod(removed)", err, define.ErrNoSuchPod)
}

// A pod's members are recorded with them, a container cannot join a
// missing pod, and a pod with members cannot be removed.
func testPodMembers(t *testing.T, s state.Store) {
	p := NewPod(t, "pod", time.Unix(1700000000, 0))
	if err := s.AddPod(p); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"infra", "app"} {
		cfg := NewConfig(NewID(t), name)
		cfg.Pod = p.ID
		if err := s.AddContainer(cfg, nil, nil); err != nil {
			t.Fatalf("AddContainer(%s) = %v", name, err)
		}
		ids = append(ids, cfg.ID)
	}
	lone := NewConfig(NewID(t), "lone")
	if err := s.AddContainer(lone, nil, nil); err != nil {
		t.Fatal(err)
	}
	stray := NewConfig(NewID(t), "stray")
	stray.Pod = NewID(t)
	wantErr(t, "AddContainer(missing pod)", s.AddContainer(stray, nil, nil), define.ErrNoSuchPod)
	if got, err := s.PodContainers(p.ID); err != nil || !reflect.DeepEqual(got, ids) {
		t.Errorf("PodContainers() = %v, %v; want %v", got, err, ids)
	}
	wantErr(t, "RemovePod(with members)", s.RemovePod(p.ID), define.ErrCtrExists)
	for _, id := range ids {
		if err := s.RemoveContainer(id); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.PodContainers(p.ID); err != nil || len(got) != 0 {
		t.Errorf("PodContainers() after removal = %v, %v", got, err)
	}
	if err := s.RemovePod(p.ID); err != nil {
		t.Errorf("RemovePod(empty) = %v", err)
	}
}
