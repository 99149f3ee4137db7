package generate

import (
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

// The pod's user namespace goes to its infra container; bad modes and a
// pod without infra are refused.
func TestPodUserNS(t *testing.T) {
	for _, tc := range []struct {
		u     spec.UserNS
		infra bool
		want  string
	}{
		{u: spec.UserNS{Mode: spec.UserNSAuto, Size: 2000}, infra: true},
		{u: spec.UserNS{Mode: spec.UserNSPrivate, UIDMap: []spec.IDMap{{HostID: 1000, Size: 10}}}, infra: true},
		{u: spec.UserNS{}, infra: false},
		{u: spec.UserNS{Mode: spec.UserNSPath, Path: "/x"}, infra: true, want: "invalid pod user namespace mode"},
		{u: spec.UserNS{Mode: "container", Path: "c"}, infra: true, want: `"container:c"`},
		{u: spec.UserNS{Mode: spec.UserNSAuto}, infra: false, want: "no infra container"},
	} {
		infra, _, err := Pod(&spec.PodSpec{Infra: tc.infra, UserNS: tc.u}, Host{})
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, define.ErrInvalidArg) {
				t.Errorf("%+v: err %v, want %q", tc.u, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", tc.u, err)
		} else if tc.infra && infra.UserNS.Mode != tc.u.Mode {
			t.Errorf("%+v: infra userns %+v", tc.u, infra.UserNS)
		}
	}
}

// A member joins the pod's user namespace; its own --userns is refused.
func TestPodMemberUserNS(t *testing.T) {
	pod := &PodPlacement{HasInfra: true, InfraUserNS: "infra1"}
	u, err := podMemberUserNS(spec.UserNS{}, pod)
	if err != nil || u.Mode != "container" || u.Path != "infra1" {
		t.Errorf("joining member: %+v %v", u, err)
	}
	for _, own := range []spec.UserNS{{Mode: spec.UserNSAuto}, {Mode: spec.UserNSPrivate, UIDMap: []spec.IDMap{{Size: 1}}}, {SubUIDName: "x"}} {
		if _, err := podMemberUserNS(own, pod); err == nil || !strings.Contains(err.Error(), "cannot set user namespace mode when joining pod with infra container") {
			t.Errorf("member with %+v: %v", own, err)
		}
	}
	// No pod user namespace: the member's own stands; so does the infra's.
	if u, err := podMemberUserNS(spec.UserNS{Mode: spec.UserNSAuto}, &PodPlacement{HasInfra: true}); err != nil || u.Mode != spec.UserNSAuto {
		t.Errorf("member of a plain pod: %+v %v", u, err)
	}
	if u, err := podMemberUserNS(spec.UserNS{Mode: spec.UserNSAuto}, &PodPlacement{Infra: true, InfraUserNS: "x"}); err != nil || u.Mode != spec.UserNSAuto {
		t.Errorf("infra: %+v %v", u, err)
	}
}
