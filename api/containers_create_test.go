package api

import (
	"net/netip"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"github.com/berth-dev/berth/spec"
)

// TestSpecFromCreateTyped: docker's create body fills the typed spec
// directly; only Binds and Tmpfs options, text in docker's API too, go
// through the CLI's parsers.
func TestSpecFromCreateTyped(t *testing.T) {
	req := &container.CreateRequest{
		Config: &container.Config{
			Image: "busybox", StopSignal: "SIGUSR1",
			ExposedPorts: network.PortSet{network.MustParsePort("90/udp"): {}, network.MustParsePort("80/tcp"): {}},
			Volumes:      map[string]struct{}{"/anon": {}, "/bound": {}},
		},
		HostConfig: &container.HostConfig{
			Binds:         []string{"/src:/bound:ro,rshared", "named:/named:nocopy"},
			Tmpfs:         map[string]string{"/t": "size=64m,mode=1777,noexec"},
			RestartPolicy: container.RestartPolicy{Name: "on-failure", MaximumRetryCount: 3},
			Resources: container.Resources{
				Memory: 512 << 20, MemorySwap: -1, NanoCPUs: 1.5e9,
				Ulimits: []*container.Ulimit{{Name: "nofile", Soft: 10, Hard: 20}},
				Devices: []container.DeviceMapping{{PathOnHost: "/dev/null", PathInContainer: "/dev/n", CgroupPermissions: "rw"}},
			},
			ShmSize: 1 << 20,
			Sysctls: map[string]string{"net.core.somaxconn": "1024"},
			Mounts: []mount.Mount{
				{Type: mount.TypeVolume, Source: "v", Target: "/v", ReadOnly: true, VolumeOptions: &mount.VolumeOptions{NoCopy: true, DriverConfig: &mount.Driver{Options: map[string]string{"o": "size=1m"}}}},
				{Type: mount.TypeTmpfs, Target: "/tm", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 1 << 20, Mode: 0o700}},
				{Type: mount.TypeBind, Source: "/h", Target: "/b", BindOptions: &mount.BindOptions{Propagation: mount.PropagationSlave, NonRecursive: true}},
			},
			PortBindings: network.PortMap{
				network.MustParsePort("80/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "8080"}, {HostPort: ""}},
				network.MustParsePort("53/udp"): nil,
			},
		},
	}
	s, err := specFromCreate("web", req)
	if err != nil {
		t.Fatal(err)
	}
	if s.StopSignal != syscall.SIGUSR1 || s.Restart != (spec.RestartPolicy{Name: "on-failure", MaxRetries: 3}) ||
		s.Memory != 512<<20 || s.MemorySwap != -1 || s.NanoCPUs != 1.5e9 || s.ShmSize != 1<<20 {
		t.Errorf("scalars: signal %v restart %+v memory %d swap %d cpus %d shm %d", s.StopSignal, s.Restart, s.Memory, s.MemorySwap, s.NanoCPUs, s.ShmSize)
	}
	if want := []spec.Ulimit{{Name: "nofile", Soft: 10, Hard: 20}}; !reflect.DeepEqual(s.Ulimits, want) {
		t.Errorf("ulimits %+v", s.Ulimits)
	}
	if want := []spec.Device{{Source: "/dev/null", Destination: "/dev/n", Permissions: "rw"}}; !reflect.DeepEqual(s.Devices, want) {
		t.Errorf("devices %+v", s.Devices)
	}
	if s.Sysctls["net.core.somaxconn"] != "1024" {
		t.Errorf("sysctls %v", s.Sysctls)
	}
	wantMounts := []spec.Mount{
		{Type: "bind", Source: "/src", Destination: "/bound", ReadOnly: true, Propagation: "rshared"},
		{Type: "volume", Source: "named", Destination: "/named", NoCopy: true},
		{Type: "volume", Source: "v", Destination: "/v", ReadOnly: true, NoCopy: true, VolumeOptions: map[string]string{"o": "size=1m"}},
		{Type: "tmpfs", Destination: "/tm", TmpfsSize: 1 << 20, TmpfsMode: 0o700},
		{Type: "bind", Source: "/h", Destination: "/b", Propagation: "slave", NonRecursive: true},
		{Type: "tmpfs", Destination: "/t", TmpfsSize: 64 << 20, TmpfsMode: 0o1777, Options: []string{"noexec"}},
		{Type: "volume", Destination: "/anon"},
	}
	if !reflect.DeepEqual(s.Mounts, wantMounts) {
		t.Errorf("mounts =\n%+v\nwant\n%+v", s.Mounts, wantMounts)
	}
	wantPorts := []spec.PortMapping{
		{ContainerPort: 53, Protocol: "udp"},
		{ContainerPort: 80, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
	}
	if !reflect.DeepEqual(s.Ports, wantPorts) {
		t.Errorf("ports =\n%+v\nwant\n%+v", s.Ports, wantPorts)
	}
	if want := []spec.ExposedPort{{Port: 80, Protocol: "tcp"}, {Port: 90, Protocol: "udp"}}; !reflect.DeepEqual(s.Expose, want) {
		t.Errorf("expose %+v", s.Expose)
	}
}

func TestSpecFromCreateBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		hc   container.HostConfig
		cfg  container.Config
		want string
	}{
		{"bind text", container.HostConfig{Binds: []string{"/a:/b:bogus"}}, container.Config{}, `invalid Binds entry: -v "/a:/b:bogus": unknown option "bogus"`},
		{"tmpfs option", container.HostConfig{Tmpfs: map[string]string{"/t": "bogus"}}, container.Config{}, `Tmpfs "/t": unknown option "bogus"`},
		{"mount type", container.HostConfig{Mounts: []mount.Mount{{Type: "npipe", Target: "/x"}}}, container.Config{}, "not supported"},
		{"host port", container.HostConfig{PortBindings: network.PortMap{network.MustParsePort("80/tcp"): {{HostPort: "80-81"}}}}, container.Config{}, `invalid host port "80-81"`},
		{"stop signal", container.HostConfig{}, container.Config{StopSignal: "SIGNOPE"}, "StopSignal: invalid signal: SIGNOPE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := specFromCreate("x", &container.CreateRequest{Config: &tc.cfg, HostConfig: &tc.hc})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
