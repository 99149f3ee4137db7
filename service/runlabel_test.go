package service

import "testing"

func TestReplaceLabelVar(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"NAME", "web"},
		{"--name=NAME", "--name=web"},
		{"$NAME-data", "web-data"},
		{"${NAME}:/x", "web:/x"},
		{"NAMES", "NAMES"},
		{"name", "name"},
	} {
		if got := replaceLabelVar(tc.in, "NAME", "web"); got != tc.want {
			t.Errorf("replaceLabelVar(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
