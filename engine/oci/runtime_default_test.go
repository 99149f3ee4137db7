package oci

import (
	"os"
	"path/filepath"
	"testing"
)

// The default runtime is crun only on a pure cgroup v2 host that has crun
// (crun refuses hybrid hosts); runc everywhere else.
func TestDefaultRuntimeName(t *testing.T) {
	withCrun := t.TempDir()
	if err := os.WriteFile(filepath.Join(withCrun, "crun"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		unified bool
		path    string
		want    string
	}{
		{"v2 with crun", true, withCrun, "crun"},
		{"v2 without crun", true, t.TempDir(), "runc"},
		{"hybrid or v1 with crun", false, withCrun, "runc"},
	}
	realDetect, realDirs := isCgroup2UnifiedMode, searchDirs
	t.Cleanup(func() { isCgroup2UnifiedMode, searchDirs = realDetect, realDirs })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isCgroup2UnifiedMode = func() bool { return tt.unified }
			searchDirs = nil
			t.Setenv("PATH", tt.path)
			if got := DefaultRuntimeName(); got != tt.want {
				t.Errorf("DefaultRuntimeName() = %q, want %q", got, tt.want)
			}
		})
	}
}
