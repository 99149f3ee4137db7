package statetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/state"
)

// NewVolume returns a volume config for tests.
func NewVolume(name string, created time.Time) *define.VolumeConfig {
	return &define.VolumeConfig{
		Name: name, Driver: define.VolumeDriverLocal, MountPoint: "/vols/" + name + "/_data",
		CreatedTime: created, Labels: map[string]string{"k": "v"}, Options: map[string]string{"o": "uid=5"}, UID: 5,
	}
}

func testVolumes(t *testing.T, s state.Store) {
	base := time.Unix(1700000000, 0)
	cfg := NewVolume("data", base)
	st := &define.VolumeState{NeedsCopyUp: true, NeedsChown: true}
	if err := s.AddVolume(cfg, st); err != nil {
		t.Fatalf("AddVolume() = %v", err)
	}
	wantErr(t, "AddVolume(taken)", s.AddVolume(NewVolume("data", base), nil), define.ErrVolumeExists)
	wantErr(t, "AddVolume(no name)", s.AddVolume(&define.VolumeConfig{}, nil), define.ErrInvalidArg)
	rec, err := s.Volume("data")
	if err != nil {
		t.Fatalf("Volume() = %v", err)
	}
	sameJSON(t, "volume config", rec.Config, cfg)
	sameJSON(t, "volume state", rec.State, st)
	_, err = s.Volume("dat")
	wantErr(t, "Volume(prefix)", err, define.ErrNoSuchVolume)

	st.MountCount, st.NeedsCopyUp = 2, false
	if err := s.SaveVolumeState("data", st); err != nil {
		t.Fatalf("SaveVolumeState() = %v", err)
	}
	if rec, err = s.Volume("data"); err != nil || rec.State.MountCount != 2 || rec.State.NeedsCopyUp {
		t.Errorf("state after save = %+v, %v", rec.State, err)
	}
	wantErr(t, "SaveVolumeState(missing)", s.SaveVolumeState("nope", st), define.ErrNoSuchVolume)

	// Listing is oldest first; lookups take an exact name, else a unique
	// prefix.
	for i, n := range []string{"data2", "other"} {
		if err := s.AddVolume(NewVolume(n, base.Add(time.Duration(i+1)*time.Second)), nil); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Volumes()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range all {
		names = append(names, v.Config.Name)
	}
	if !reflect.DeepEqual(names, []string{"data", "data2", "other"}) {
		t.Errorf("Volumes() = %v", names)
	}
	for in, want := range map[string]string{"data": "data", "oth": "other", "data2": "data2"} {
		if got, err := s.LookupVolume(in); err != nil || got != want {
			t.Errorf("LookupVolume(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err = s.LookupVolume("da")
	wantErr(t, "LookupVolume(ambiguous)", err, define.ErrAmbiguous)
	_, err = s.LookupVolume("zzz")
	wantErr(t, "LookupVolume(missing)", err, define.ErrNoSuchVolume)
	_, err = s.LookupVolume("")
	wantErr(t, "LookupVolume(empty)", err, define.ErrNoSuchVolume)

	if err := s.RemoveVolume("data"); err != nil {
		t.Fatalf("RemoveVolume() = %v", err)
	}
	wantErr(t, "RemoveVolume(again)", s.RemoveVolume("data"), define.ErrNoSuchVolume)
	_, err = s.Volume("data")
	wantErr(t, "Volume(removed)", err, define.ErrNoSuchVolume)
}

func testVolumeUsers(t *testing.T, s state.Store) {
	if err := s.AddVolume(NewVolume("v1", time.Unix(1, 0)), nil); err != nil {
		t.Fatal(err)
	}
	// A container on a volume that does not exist is refused, whole.
	bad := NewConfig(NewID(t), "bad")
	bad.Volumes = []define.VolumeMount{{Name: "v1", Dest: "/a"}, {Name: "missing", Dest: "/b"}}
	wantErr(t, "AddContainer(missing volume)", s.AddContainer(bad, NewSpec(), nil), define.ErrNoSuchVolume)
	if _, err := s.Container(bad.ID); err == nil {
		t.Errorf("container on a missing volume was stored")
	}
	if users, err := s.VolumeUsers("v1"); err != nil || len(users) != 0 {
		t.Errorf("VolumeUsers after a refused add = %v, %v", users, err)
	}

	id := NewID(t)
	cfg := NewConfig(id, "user")
	// Mounted twice (two destinations): one user.
	cfg.Volumes = []define.VolumeMount{{Name: "v1", Dest: "/a"}, {Name: "v1", Dest: "/b", Options: []string{"ro"}}}
	if err := s.AddContainer(cfg, NewSpec(), nil); err != nil {
		t.Fatalf("AddContainer() = %v", err)
	}
	if users, err := s.VolumeUsers("v1"); err != nil || !reflect.DeepEqual(users, []string{id}) {
		t.Errorf("VolumeUsers() = %v, %v; want [%s]", users, err, id)
	}
	wantErr(t, "RemoveVolume(in use)", s.RemoveVolume("v1"), define.ErrVolumeBeingUsed)
	if _, err := s.Volume("v1"); err != nil {
		t.Errorf("volume in use is gone after a refused remove: %v", err)
	}
	if err := s.RemoveContainer(id); err != nil {
		t.Fatal(err)
	}
	if users, err := s.VolumeUsers("v1"); err != nil || len(users) != 0 {
		t.Errorf("VolumeUsers after the container's removal = %v, %v", users, err)
	}
	if err := s.RemoveVolume("v1"); err != nil {
		t.Errorf("RemoveVolume(unused) = %v", err)
	}
}
