package remote

import (
	"encoding/json"
	"testing"

	"github.com/berth-dev/berth/spec"
)

func TestSpecUserNS(t *testing.T) {
	for _, tc := range []struct {
		u    spec.UserNS
		want string
	}{
		{spec.UserNS{}, `{}`},
		{spec.UserNS{Mode: "auto", Size: 10}, `{"userns":{"nsmode":"auto","value":"size=10"}}`},
		{spec.UserNS{Mode: "ns", Path: "/x"}, `{"userns":{"nsmode":"path","value":"/x"}}`},
		{spec.UserNS{Mode: "private", UIDMap: []spec.IDMap{{ContainerID: 0, HostID: 5, Size: 2}}, GIDMap: []spec.IDMap{{ContainerID: 0, HostID: 6, Size: 2}}},
			`{"idmappings":{"GIDMap":[{"container_id":0,"host_id":6,"size":2}],"UIDMap":[{"container_id":0,"host_id":5,"size":2}]},"userns":{"nsmode":"private"}}`},
	} {
		g := map[string]any{}
		specUserNS(g, &spec.ContainerSpec{UserNS: tc.u})
		b, _ := json.Marshal(g)
		if string(b) != tc.want {
			t.Errorf("%+v: got %s, want %s", tc.u, b, tc.want)
		}
	}
}
