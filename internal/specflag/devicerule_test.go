package specflag

import (
	"strconv"
	"testing"
)

func TestDeviceCgroupRule(t *testing.T) {
	for _, tc := range []struct {
		in           string
		typ, access  string
		major, minor string // "*" for nil
		bad          bool
	}{
		{in: "c 1:3 rwm", typ: "c", major: "1", minor: "3", access: "rwm"},
		{in: "a *:* r", typ: "a", major: "*", minor: "*", access: "r"},
		{in: "b 8:* m", typ: "b", major: "8", minor: "*", access: "m"},
		{in: "c 1:3", bad: true},
		{in: "c  1:3 rwm", bad: true},
		{in: "d 1:3 rwm", bad: true},
		{in: "c 1 rwm", bad: true},
		{in: "c -1:3 rwm", bad: true},
		{in: "c 1:3 rwx", bad: true},
	} {
		r, err := DeviceCgroupRule(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
			}
			continue
		}
		num := func(p *int64) string {
			if p == nil {
				return "*"
			}
			return strconv.FormatInt(*p, 10)
		}
		if err != nil || r.Type != tc.typ || r.Access != tc.access || num(r.Major) != tc.major || num(r.Minor) != tc.minor {
			t.Errorf("%q = %+v, %v", tc.in, r, err)
		}
	}
	if _, err := CgroupConf([]string{"memory.high"}); err == nil {
		t.Error("CgroupConf without =: no error")
	}
	if m, err := CgroupConf([]string{"memory.high=1g", "pids.max=5"}); err != nil || m["memory.high"] != "1g" || m["pids.max"] != "5" {
		t.Errorf("CgroupConf = %v, %v", m, err)
	}
}
