package spec

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/berth-dev/berth/engine/define"
)

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in      string
		want    unix.Signal
		wantErr bool
	}{
		{"SIGKILL", unix.SIGKILL, false},
		{"KILL", unix.SIGKILL, false},
		{"kill", unix.SIGKILL, false},
		{"9", unix.SIGKILL, false},
		{"SIGTERM", unix.SIGTERM, false},
		{"HUP", unix.SIGHUP, false},
		{"RTMIN", 34, false},
		{"SIGRTMIN+3", 37, false},
		{"RTMAX-1", 63, false},
		{"RTMAX", 64, false},
		{"RTMIN+31", 0, true},
		{"RTMIN-1", 0, true},
		{"0", 0, true},
		{"65", 0, true},
		{"SIGNOPE", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("ParseSignal(%q) error %v does not wrap ErrInvalidArg", tt.in, err)
		}
	}
}

func TestParseRestartPolicy(t *testing.T) {
	tests := []struct {
		in      string
		policy  string
		retries uint
		wantErr bool
	}{
		{"", "no", 0, false},
		{"no", "no", 0, false},
		{"always", "always", 0, false},
		{"unless-stopped", "unless-stopped", 0, false},
		{"on-failure", "on-failure", 0, false},
		{"on-failure:5", "on-failure", 5, false},
		{"on-failure:-1", "", 0, true},
		{"on-failure:x", "", 0, true},
		{"always:2", "", 0, true},
		{":3", "", 0, true},
		{"sometimes", "", 0, true},
	}
	for _, tt := range tests {
		p, r, err := ParseRestartPolicy(tt.in)
		if (err != nil) != tt.wantErr || p != tt.policy || r != tt.retries {
			t.Errorf("ParseRestartPolicy(%q) = %q, %d, %v; want %q, %d, err %v", tt.in, p, r, err, tt.policy, tt.retries, tt.wantErr)
		}
	}
}

func TestValidateHostname(t *testing.T) {
	long := ""
	for i := 0; i < 65; i++ {
		long += "a"
	}
	tests := []struct {
		in string
		ok bool
	}{
		{"web", true},
		{"web-1.example.com", true},
		{"A1", true},
		{"", false},
		{long, false},
		{"-web", false},
		{"web-", false},
		{"a..b", false},
		{"bad_host", false},
		{"has space", false},
	}
	for _, tt := range tests {
		if err := ValidateHostname(tt.in); (err == nil) != tt.ok {
			t.Errorf("ValidateHostname(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}

func TestValidateAddHost(t *testing.T) {
	for in, ok := range map[string]bool{"db:10.0.0.1": true, "v6:fd00::1": true, "gw:host-gateway": true, "db": false, "db:notip": false} {
		if err := ValidateAddHost(in); (err == nil) != ok {
			t.Errorf("ValidateAddHost(%q) = %v, want ok %v", in, err, ok)
		}
	}
}
