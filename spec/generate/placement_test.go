package generate

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// TestPlacement: the spec's hostname, $HOSTNAME and cgroup path are
// decided here from the ID and the placement, not patched in later by
// the engine.
func TestPlacement(t *testing.T) {
	const id = "0123456789ab0123456789ab0123456789ab0123456789ab0123456789abcdef"
	hostHostname, _ := os.Hostname()
	pod := func(infra bool) *PodPlacement {
		return &PodPlacement{CgroupPath: "/berth/berth-pod-P", Hostname: "podhost", SharesUTS: true, HasInfra: true, Infra: infra}
	}
	tests := []struct {
		name         string
		s            spec.ContainerSpec
		p            Placement
		systemd      bool
		specHostname string
		hostname     string // recorded, and $HOSTNAME
		cgroup       string
		wantErr      string
	}{
		{name: "short ID", specHostname: id[:12], hostname: id[:12], cgroup: "/berth/berth-" + id},
		{name: "user hostname and parent", s: spec.ContainerSpec{Hostname: "web", CgroupParent: "/mine"}, specHostname: "web", hostname: "web", cgroup: "/mine/berth-" + id},
		{name: "systemd", systemd: true, s: spec.ContainerSpec{CgroupParent: "my.slice"}, specHostname: id[:12], hostname: id[:12], cgroup: "my.slice:berth:" + id},
		{name: "host network", s: spec.ContainerSpec{Network: []string{"host"}}, cgroup: "/berth/berth-" + id},
		{name: "host UTS", s: spec.ContainerSpec{UTS: "host"}, hostname: hostHostname, cgroup: "/berth/berth-" + id},
		{name: "joined UTS", s: spec.ContainerSpec{UTS: "container:owner"}, p: Placement{UTSHostname: "ownerhost"}, hostname: "ownerhost", cgroup: "/berth/berth-" + id},
		{name: "joined UTS, owner without hostname", s: spec.ContainerSpec{UTS: "container:owner"}, hostname: hostHostname, cgroup: "/berth/berth-" + id},
		{name: "pod member", p: Placement{Pod: pod(false), UTSHostname: "podhost"}, hostname: "podhost", cgroup: "/berth/berth-pod-P/berth-" + id},
		{name: "pod member own parent", s: spec.ContainerSpec{CgroupParent: "/mine"}, p: Placement{Pod: pod(false), UTSHostname: "podhost"}, hostname: "podhost", cgroup: "/mine/berth-" + id},
		{name: "pod member with hostname", s: spec.ContainerSpec{Hostname: "x"}, p: Placement{Pod: pod(false)}, wantErr: "cannot set hostname when joining the pod UTS namespace"},
		{name: "pod without infra", p: Placement{Pod: &PodPlacement{CgroupPath: "/p", SharesUTS: true}}, specHostname: id[:12], hostname: id[:12], cgroup: "/p/berth-" + id},
		{name: "infra", p: Placement{Pod: pod(true)}, specHostname: "podhost", hostname: "podhost", cgroup: "/berth/berth-pod-P/berth-" + id},
		{name: "infra not sharing UTS", p: Placement{Pod: &PodPlacement{CgroupPath: "/p", Hostname: "podhost", HasInfra: true, Infra: true}}, specHostname: id[:12], hostname: id[:12], cgroup: "/p/berth-" + id},
		{name: "HOSTNAME in env kept", s: spec.ContainerSpec{Env: []string{"HOSTNAME=mine"}}, specHostname: id[:12], hostname: id[:12], cgroup: "/berth/berth-" + id},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testHost()
			if tt.systemd {
				h.CgroupManager = "systemd"
			}
			tt.p.ID = id
			g, opts, err := Container(&tt.s, testImage(), h, tt.p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg := applied(t, opts)
			if cfg.ID != id || g.Hostname != tt.specHostname || cfg.Hostname != tt.hostname || g.Linux.CgroupsPath != tt.cgroup {
				t.Errorf("ID %s spec hostname %q hostname %q cgroup %q; want %q %q %q", cfg.ID, g.Hostname, cfg.Hostname, g.Linux.CgroupsPath, tt.specHostname, tt.hostname, tt.cgroup)
			}
			var envHost []string
			for _, e := range g.Process.Env {
				if v, ok := strings.CutPrefix(e, "HOSTNAME="); ok {
					envHost = append(envHost, v)
				}
			}
			want := []string{tt.hostname}
			switch {
			case len(tt.s.Env) > 0:
				want = []string{"mine"}
			case tt.hostname == "":
				want = nil
			}
			if !slices.Equal(envHost, want) {
				t.Errorf("$HOSTNAME = %q, want %q", envHost, want)
			}
		})
	}
}

// TestInfraPlacement: the infra container of a new pod is placed in the
// pod's cgroup with the pod's name as hostname.
func TestInfraPlacement(t *testing.T) {
	p, err := InfraPlacement(&spec.PodSpec{Name: "pod1", CgroupParent: "/x"}, "PID", testHost())
	if err != nil || p.Pod == nil || p.Pod.CgroupPath != "/x/berth-pod-PID" || p.Pod.Hostname != "pod1" || !p.Pod.SharesUTS || !p.Pod.Infra {
		t.Errorf("InfraPlacement = %+v, %v", p.Pod, err)
	}
	p, err = InfraPlacement(&spec.PodSpec{Name: "pod1", Hostname: "h", Share: []string{"net"}}, "PID", testHost())
	if err != nil || p.Pod.Hostname != "h" || p.Pod.SharesUTS {
		t.Errorf("InfraPlacement with --share net = %+v, %v", p.Pod, err)
	}
}

// TestVolumesFrom: the sources' volumes and bind mounts come in with the
// mode asked for and without U; the container's own mounts win and an
// image VOLUME gives way; every source is recorded.
func TestVolumesFrom(t *testing.T) {
	img := testImage()
	img.Config.Volumes = map[string]struct{}{"/img": {}}
	src := VolumesFromSource{
		Ref: "data:ro",
		Volumes: []define.VolumeMount{
			{Name: "v", Dest: "/img", Options: []string{"U", "rw"}, CreateOptions: map[string]string{"o": "x"}},
			{Name: "mine", Dest: "/own"},
		},
		Binds: []specs.Mount{{Destination: "/b", Type: "bind", Source: "/h", Options: []string{"rbind", "U", "rprivate"}}},
	}
	s := spec.ContainerSpec{VolumesFrom: []string{"data:ro"}, Mounts: []spec.Mount{{Type: "volume", Source: "own", Destination: "/own"}}}
	g, opts, err := Container(&s, img, testHost(), Placement{VolumesFrom: []VolumesFromSource{src, {Ref: "infraid"}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := applied(t, opts)
	wantVols := []define.VolumeMount{{Name: "own", Dest: "/own"}, {Name: "v", Dest: "/img", Options: []string{"ro"}}}
	if !reflect.DeepEqual(cfg.Volumes, wantVols) {
		t.Errorf("volumes = %+v, want %+v", cfg.Volumes, wantVols)
	}
	if m := findMount(g, "/b"); m == nil || !reflect.DeepEqual(m.Options, []string{"rbind", "rprivate", "ro"}) {
		t.Errorf("bind from the source = %+v", m)
	}
	if !slices.Equal(cfg.UserVolumes, []string{"/own", "/b"}) || !slices.Equal(cfg.VolumesFrom, []string{"data:ro", "infraid"}) {
		t.Errorf("user volumes %v volumes-from %v", cfg.UserVolumes, cfg.VolumesFrom)
	}
	if _, _, err := Container(&spec.ContainerSpec{VolumesFrom: []string{"x"}}, img, testHost(), Placement{}); err == nil || !strings.Contains(err.Error(), "not looked up") {
		t.Errorf("unresolved --volumes-from: %v", err)
	}
	_, _, err = Container(&spec.ContainerSpec{VolumesFrom: []string{"x:rx"}}, img, testHost(), Placement{VolumesFrom: []VolumesFromSource{{Ref: "x:rx"}}})
	if err == nil || !strings.Contains(err.Error(), `--volumes-from "x:rx": mode must be ro or rw`) {
		t.Errorf("bad mode: %v", err)
	}
}
