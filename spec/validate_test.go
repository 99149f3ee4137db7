package spec

import (
	"testing"
)

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
