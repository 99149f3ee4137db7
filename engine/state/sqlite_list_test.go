package state_test

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/state"
	"github.com/berth-dev/berth/engine/state/statetest"
)

// listed keeps only the fields state.Store documents for
// ContainerSummaries.
func listed(r *define.ContainerRecord) *define.ContainerRecord {
	c, s := r.Config, r.State
	return &define.ContainerRecord{
		Config: &define.ContainerConfig{
			ID: c.ID, Name: c.Name, ImageID: c.ImageID, ImageName: c.ImageName, CreatedTime: c.CreatedTime,
			Rootfs: c.Rootfs, AutoRemove: c.AutoRemove, Pod: c.Pod, OCIRuntime: c.OCIRuntime, Command: c.Command,
			Labels: c.Labels, UserVolumes: c.UserVolumes, Networks: c.Networks, Ports: c.Ports,
			Exposed: c.Exposed, Restart: c.Restart,
		},
		State: &define.ContainerState{
			Status: s.Status, PID: s.PID, ConmonPID: s.ConmonPID, PIDStart: s.PIDStart, ConmonPIDStart: s.ConmonPIDStart, ExitCode: s.ExitCode,
			StartedTime: s.StartedTime, FinishedTime: s.FinishedTime, RestartCount: s.RestartCount,
			NetNS: s.NetNS, Networks: statetest.NetworkNames(s.Networks), Ports: s.Ports,
		},
	}
}

// inUTC returns r with its times in UTC: the columns keep the instant,
// not the location.
func inUTC(r *define.ContainerRecord) *define.ContainerRecord {
	c, s := *r.Config, *r.State
	c.CreatedTime, s.StartedTime, s.FinishedTime = c.CreatedTime.UTC(), s.StartedTime.UTC(), s.FinishedTime.UTC()
	return &define.ContainerRecord{Config: &c, State: &s}
}

// checkSummaries fails unless ContainerSummaries returns, in creation
// order, exactly the listed fields of what Container returns for each of
// the want IDs.
func checkSummaries(t *testing.T, s state.Store, want ...string) {
	t.Helper()
	sums, err := s.ContainerSummaries()
	if err != nil {
		t.Fatalf("ContainerSummaries() = %v", err)
	}
	if len(sums) != len(want) {
		t.Fatalf("ContainerSummaries() = %d records, want %d", len(sums), len(want))
	}
	for i, id := range want {
		full, err := s.Container(id)
		if err != nil {
			t.Fatalf("Container(%s) = %v", id, err)
		}
		got := sums[i]
		if w := inUTC(listed(full)); !reflect.DeepEqual(inUTC(got), w) {
			t.Errorf("summary %d:\n got %+v\n     %+v\nwant %+v\n     %+v", i, *got.Config, *got.State, *w.Config, *w.State)
		}
		if only := listed(got); !reflect.DeepEqual(got, only) {
			t.Errorf("summary %d sets fields that are not listed:\n %+v\n %+v", i, *got.Config, *got.State)
		}
	}
}

func TestSQLiteSummariesMatchContainer(t *testing.T) {
	s := newSQLite(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	full := statetest.NewConfig(statetest.NewID(t), "full")
	pod := statetest.NewPod(t, "pod1", time.Now())
	if err := s.AddPod(pod); err != nil {
		t.Fatal(err)
	}
	full.Rootfs, full.Pod, full.AutoRemove, full.UserVolumes = "/srv/root", pod.ID, true, []string{"/data"}
	fullSt := statetest.NewState(define.StatusRunning)
	fullSt.ConmonPID, fullSt.RestartCount, fullSt.NetNS = 99, 2, "/run/netns/x"
	fullSt.PIDStart, fullSt.ConmonPIDStart = 1234, 1233
	fullSt.FinishedTime = time.Date(2024, 5, 6, 7, 9, 10, 1, time.FixedZone("x", 3600))
	fullSt.Networks = map[string]define.PerNetworkOptions{"berth": {InterfaceName: "eth0", Aliases: []string{"a"}}}
	fullSt.Ports = []define.PortMapping{{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}

	tests := []struct {
		name string
		cfg  *define.ContainerConfig
		st   *define.ContainerState
	}{
		{"everything", full, fullSt},
		// No image, command or created time, and no state at all: every
		// listing column is NULL or zero.
		{"bare", &define.ContainerConfig{ID: statetest.NewID(t), Name: "bare"}, nil},
		// Empty but non-nil collections read back as nil, as from JSON.
		{"empty collections", &define.ContainerConfig{
			ID: statetest.NewID(t), Name: "empty", Command: []string{}, Labels: map[string]string{},
			Ports: []define.PortMapping{}, CreatedTime: time.Now(),
		}, &define.ContainerState{Status: define.StatusExited, Networks: map[string]define.PerNetworkOptions{}}},
		{"command only", &define.ContainerConfig{
			ID: statetest.NewID(t), Name: "cmd", Command: []string{"echo", `"quoted" \ and ünïcode`},
			CreatedTime: time.Now(),
		}, &define.ContainerState{Status: define.StatusCreated, StartedTime: time.Now()}},
		{"labels only", &define.ContainerConfig{
			ID: statetest.NewID(t), Name: "labels", Labels: map[string]string{"a": "1", "b": ""},
		}, &define.ContainerState{Status: define.StatusExited, ExitCode: -1}},
	}
	var ids []string
	for _, tt := range tests {
		if err := s.AddContainer(tt.cfg, nil, tt.st); err != nil {
			t.Fatalf("AddContainer(%s) = %v", tt.name, err)
		}
		ids = append(ids, tt.cfg.ID)
	}
	checkSummaries(t, s, ids...)

	// Saving a state rewrites its columns: the network ones go back to
	// NULL, the times change.
	exited := &define.ContainerState{Status: define.StatusExited, ExitCode: 137,
		StartedTime: fullSt.StartedTime, FinishedTime: time.Now()}
	if err := s.SaveContainerState(ids[0], exited); err != nil {
		t.Fatal(err)
	}
	running := statetest.NewState(define.StatusRunning)
	running.Ports, running.ConmonPID = fullSt.Ports, 7
	if err := s.SaveContainerState(ids[1], running); err != nil {
		t.Fatal(err)
	}
	if err := s.RenameContainer(ids[2], "renamed"); err != nil {
		t.Fatal(err)
	}
	checkSummaries(t, s, ids...)

	// The exit code kept on removal comes from its column.
	if err := s.RemoveContainer(ids[0]); err != nil {
		t.Fatal(err)
	}
	if code, err := s.RemovedExitCode(ids[0]); err != nil || code != 137 {
		t.Errorf("RemovedExitCode() = %d, %v; want 137", code, err)
	}
	checkSummaries(t, s, ids[1:]...)
}

// Summaries of containers created in this process come back in the local
// zone with their instant intact, as a JSON round trip of time.Now() does.
func TestSQLiteSummaryTimesAreLocal(t *testing.T) {
	s := newSQLite(t, filepath.Join(t.TempDir(), "state.db"))
	defer s.Close()
	cfg := statetest.NewConfig(statetest.NewID(t), "web")
	cfg.CreatedTime = time.Now()
	if err := s.AddContainer(cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	sums, err := s.ContainerSummaries()
	if err != nil {
		t.Fatal(err)
	}
	got := sums[0].Config.CreatedTime
	if !got.Equal(cfg.CreatedTime) || got.Location() != time.Local {
		t.Errorf("CreatedTime = %v (%v), want %v in the local zone", got, got.Location(), cfg.CreatedTime)
	}
	if st := sums[0].State; !st.StartedTime.IsZero() || !st.FinishedTime.IsZero() {
		t.Errorf("zero times = %v, %v; want zero", st.StartedTime, st.FinishedTime)
	}
}
