package remote

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/berth-dev/berth/spec"
)

func TestSpecGenerator(t *testing.T) {
	t.Setenv("FROM_CLIENT", "c")
	ten := uint(10)
	s := &spec.ContainerSpec{
		Name: "web", Image: "busybox", Command: []string{"sh"}, EntrypointSet: true, Entrypoint: []string{},
		Env: []string{"A=1", "FROM_CLIENT", "UNSET_ON_CLIENT"}, Labels: map[string]string{"k": "v"},
		StopSignal: "SIGINT", StopTimeout: &ten, Restart: "on-failure:3", ImageVolume: "bind",
		Volumes: []string{"/host:/h:ro", "named:/n", "/anon"},
		Network: []string{"net1"}, NetworkAlias: []string{"alias"},
		Publish: []string{"127.0.0.1:8080:80/udp"},
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
		`"mounts":[{"destination":"/h","options":["ro"],"source":"/host","type":"bind"}]`,
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
		{spec.ContainerSpec{Image: "b", Memory: "10m"}, "--memory is not supported with --remote"},
		{spec.ContainerSpec{Image: "b", Network: []string{"slirp4netns:x"}}, "is not supported with --remote"},
		{spec.ContainerSpec{Image: "b", Volumes: []string{"a:relative"}}, "must be an absolute path"},
		{spec.ContainerSpec{Image: "b", StopSignal: "NOPE"}, "invalid signal"},
	} {
		if _, err := specGenerator(&tc.s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("specGenerator(%+v) err = %v, want %q", tc.s, err, tc.want)
		}
	}
}
