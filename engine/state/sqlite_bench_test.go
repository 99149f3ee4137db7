package state_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/state/statetest"
)

// BenchmarkContainerSummaries measures `ps -a` over 2000 containers, half
// of them running. "bridge" rows look like what `berth run` creates on the
// default network; "rich" rows also carry labels, published ports and
// volumes in their config (statetest.NewConfig).
func BenchmarkContainerSummaries(b *testing.B) {
	for _, tt := range []struct {
		name   string
		config func(id, name string) *define.ContainerConfig
	}{
		{"bridge", bridgeConfig},
		{"rich", statetest.NewConfig},
	} {
		b.Run(tt.name, func(b *testing.B) {
			const n = 2000
			s := newSQLite(b, filepath.Join(b.TempDir(), "state.db"))
			defer s.Close()
			for i := range n {
				cfg := tt.config(statetest.NewID(b), fmt.Sprintf("c%d", i))
				if err := s.AddContainer(cfg, statetest.NewSpec(), benchState(cfg, i%2 == 0)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				recs, err := s.ContainerSummaries()
				if err != nil || len(recs) != n {
					b.Fatalf("ContainerSummaries() = %d records, %v", len(recs), err)
				}
			}
		})
	}
}

func bridgeConfig(id, name string) *define.ContainerConfig {
	return &define.ContainerConfig{
		ID: id, Name: name, ImageID: "img", ImageName: "docker.io/library/alpine:latest",
		Command: []string{"sh", "-c", "sleep 1"}, CreatedTime: time.Now(), OCIRuntime: "crun",
		StaticDir: "/var/lib/berth/containers/" + id, NetMode: "bridge", Networks: []string{"berth"},
		NetworkOptions: map[string]define.PerNetworkOptions{"berth": {InterfaceName: "eth0"}},
	}
}

func benchState(cfg *define.ContainerConfig, running bool) *define.ContainerState {
	st := &define.ContainerState{
		Status: define.StatusExited, ExitCode: 137, StartedTime: time.Now(), FinishedTime: time.Now(),
		Networks: map[string]define.PerNetworkOptions{"berth": {InterfaceName: "eth0"}},
	}
	if running {
		st.Status, st.ExitCode, st.FinishedTime = define.StatusRunning, 0, time.Time{}
		st.PID, st.ConmonPID, st.NetNS = 123456, 123450, "/run/user/1000/netns/berth-"+cfg.ID[:12]
		st.Mountpoint, st.RunDir = "/var/lib/berth/overlay/"+cfg.ID+"/merged", "/run/berth/"+cfg.ID
		st.NetworkStatus = map[string]define.NetworkResult{"berth": {Interface: "eth0", IPs: []string{"10.88.0.2/16"}, Gateway: "10.88.0.1"}}
		st.Ports = cfg.Ports
	}
	return st
}
