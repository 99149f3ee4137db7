package engine

import (
	"slices"
	"testing"
)

func TestCloneName(t *testing.T) {
	tests := []struct {
		name  string
		taken []string
		want  string
	}{
		{"web", nil, "web-clone"},
		{"web", []string{"web-clone"}, "web-clone1"},
		{"web", []string{"web-clone", "web-clone1"}, "web-clone2"},
		{"web-clone", nil, "web-clone1"},
		{"web-clone3", nil, "web-clone4"},
		{"web-clonex", nil, "web-clonex-clone"},
	}
	for _, tt := range tests {
		got, err := CloneName(tt.name, func(n string) (bool, error) { return slices.Contains(tt.taken, n), nil })
		if err != nil || got != tt.want {
			t.Errorf("CloneName(%q, taken %q) = %q, %v, want %q", tt.name, tt.taken, got, err, tt.want)
		}
	}
}
