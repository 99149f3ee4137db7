package remote

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/spec"
)

func TestSpecGenerator(t *testing.T) {
	t.Setenv("FROM_CLIENT", "c")
	ten := uint(10)
	s := &spec.ContainerSpec{
		Name: "web", Image: "busybox", Command: []string{"sh"}, EntrypointSet: true, Entrypoint: []string{},
		Env: []string{"A=1", "FROM_CLIENT", "UNSET_ON_CLIENT"}, Labels: map[string]string{"k": "v"},
		StopSignal: syscall.SIGINT, StopTimeout: &ten, Restart: spec.RestartPolicy{Name: "on-failure", MaxRetries: 3}, ImageVolume: "bind",
		Mounts: []spec.Mount{{Type: spec.MountBind, Source: "/host", Destination: "/h", ReadOnly: true},
			{Type: spec.MountVolume, Source: "named", Destination: "/n"}, {Type: spec.MountVolume, Destination: "/anon"},
			{Type: spec.MountTmpfs, Destination: "/t", TmpfsSize: 1 << 20}},
		Network: []string{"net1"}, NetworkAlias: []string{"alias"},
		Ports:  []spec.PortMapping{{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Protocol: "udp"}},
		Memory: 64 << 20, NanoCPUs: 5e8,
	}
	g, err := specGenerator(s)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(g)
	for _, want := range []string{
		`"name":"web"`, `"image":"busybox"`, `"command":["sh"]`, `"entrypoint":[]`,
		`"env":{"A":"1","FROM_CLIENT":"c"}`, `"labels":{"k":"v"}`, `"stop_signal":2`, `"stop_timeout":10`,
		`"restart_policy":"on-failure"`, `"restart_tries":3`,
		`"mounts":[{"destination":"/h","options":["ro"],"source":"/host","type":"bind"},{"destination":"/t","options":["size=1048576"],"source":"","type":"tmpfs"}]`,
		`"resource_limits":{"cpu":{"period":100000,"quota":50000},"memory":{"limit":67108864}}`,
		`"volumes":[{"Dest":"/n","Name":"named","Options":[]},{"Dest":"/anon","IsAnonymous":true,"Name":"","Options":[]}]`,
		`"netns":{"nsmode":"bridge"}`, `"Networks":{"net1":{"aliases":["alias"]}}`,
		`"portmappings":[{"container_port":80,"host_ip":"127.0.0.1","host_port":8080,"protocol":"udp","range":1}]`,
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("SpecGenerator %s\nlacks %s", data, want)
		}
	}
	if strings.Contains(string(data), "image_volume_mode") {
		t.Errorf("the default image volume mode was sent: %s", data)
	}

	for _, tc := range []struct {
		s    spec.ContainerSpec
		want string
	}{
		{spec.ContainerSpec{Image: "b", CPUShares: 10}, "--cpu-shares is not supported with --remote"},
		{spec.ContainerSpec{Image: "b", Network: []string{"slirp4netns:x"}}, "is not supported with --remote"},
		{spec.ContainerSpec{Image: "b", Mounts: []spec.Mount{{Type: spec.MountVolume, Source: "v", Destination: "/v",
			VolumeOptions: map[string]string{"o": "x"}}}}, "mount options of /v are not supported"},
	} {
		if _, err := specGenerator(&tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("specGenerator(%+v) err = %v, want %q", tc.s, err, tc.want)
		}
	}
}
