package specflag

import (
	"reflect"
	"testing"

	"github.com/berth-dev/berth/spec"
)

func TestUserNS(t *testing.T) {
	u32 := func(v uint32) *uint32 { return &v }
	m := func(c, h, n uint32) spec.IDMap { return spec.IDMap{ContainerID: c, HostID: h, Size: n} }
	for _, tc := range []struct {
		mode           string
		uidmap, gidmap []string
		subuid         string
		want           spec.UserNS
		bad            bool
	}{
		{mode: "", want: spec.UserNS{}},
		{mode: "host", want: spec.UserNS{}},
		{mode: "auto", want: spec.UserNS{Mode: "auto"}},
		{mode: "auto:size=500,uidmapping=0:10:1", want: spec.UserNS{Mode: "auto", Size: 500, UIDMap: []spec.IDMap{m(0, 10, 1)}}},
		{mode: "keep-id:uid=7,gid=8", want: spec.UserNS{Mode: "keep-id", UID: u32(7), GID: u32(8)}},
		{mode: "ns:/proc/1/ns/user", want: spec.UserNS{Mode: "ns", Path: "/proc/1/ns/user"}},
		{uidmap: []string{"0:100:10", "+@10:200"}, want: spec.UserNS{Mode: "private",
			UIDMap: []spec.IDMap{m(0, 100, 10), m(10, 200, 1)}, GIDMap: []spec.IDMap{m(0, 100, 10), m(10, 200, 1)}}},
		{mode: "private", gidmap: []string{"0:5:2"}, want: spec.UserNS{Mode: "private", UIDMap: []spec.IDMap{m(0, 5, 2)}, GIDMap: []spec.IDMap{m(0, 5, 2)}}},
		{subuid: "alice", want: spec.UserNS{Mode: "private", SubUIDName: "alice", SubGIDName: "alice"}},
		{mode: "host", uidmap: []string{"0:1:1"}, bad: true},
		{mode: "keep-id", subuid: "x", bad: true},
		{uidmap: []string{"0:1:1"}, subuid: "x", bad: true},
		{mode: "nope", bad: true},
		{mode: "host:x", bad: true},
		{mode: "container:", bad: true},
		{uidmap: []string{"1"}, bad: true},
		{uidmap: []string{"0:1:2:3"}, bad: true},
		{uidmap: []string{"-1:1:1"}, bad: true},
		{mode: "keep-id:uid=a", bad: true},
	} {
		got, err := UserNS(tc.mode, tc.uidmap, tc.gidmap, tc.subuid, "")
		if tc.bad {
			if err == nil {
				t.Errorf("%q %v %q: got %+v, want an error", tc.mode, tc.uidmap, tc.subuid, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q %v %v: got %+v, %v; want %+v", tc.mode, tc.uidmap, tc.gidmap, got, err, tc.want)
		}
	}
}
