package signals

import (
	"syscall"
	"testing"

	"github.com/berth-dev/berth/internal/errdefs"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want syscall.Signal
		bad  bool
	}{
		{"SIGTERM", syscall.SIGTERM, false}, {"TERM", syscall.SIGTERM, false}, {"kill", syscall.SIGKILL, false},
		{"9", syscall.SIGKILL, false}, {"SIGRTMIN+1", 35, false}, {"RTMAX-2", 62, false},
		{"HUP", syscall.SIGHUP, false}, {"RTMIN", 34, false}, {"SIGRTMIN+3", 37, false}, {"RTMAX-1", 63, false}, {"RTMAX", 64, false},
		{"RTMIN+31", 0, true}, {"RTMIN-1", 0, true}, {"RTMAX+1", 0, true},
		{"0", 0, true}, {"65", 0, true}, {"SIGFOO", 0, true}, {"SIGNOPE", 0, true}, {"", 0, true},
	} {
		got, err := Parse(tc.in)
		if tc.bad != (err != nil) || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
		if err != nil && !errdefs.IsInvalidArgument(err) {
			t.Errorf("Parse(%q) error %v is not an invalid argument", tc.in, err)
		}
	}
	if Name(syscall.SIGTERM) != "SIGTERM" {
		t.Errorf("Name(15) = %q", Name(syscall.SIGTERM))
	}
}
