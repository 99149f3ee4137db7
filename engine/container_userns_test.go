package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

// A container without an image has its maps in storage only when its
// user namespace is reserved (a pod's infra container).
func TestMapsStorage(t *testing.T) {
	for _, tc := range []struct {
		cfg  define.ContainerConfig
		want bool
	}{
		{define.ContainerConfig{ImageID: "img"}, false},
		{define.ContainerConfig{ImageID: "img", UserNS: &define.UserNSConfig{Mode: "auto"}}, true},
		{define.ContainerConfig{Rootfs: "/r", UserNS: &define.UserNSConfig{Mode: "auto"}}, false},
		{define.ContainerConfig{Rootfs: "/r", UserNS: &define.UserNSConfig{Mode: "auto", Reserve: true}}, true},
		{define.ContainerConfig{ImageID: "img", UserNS: &define.UserNSConfig{Mode: "ns"}}, false},
	} {
		if got := mapsStorage(&tc.cfg); got != tc.want {
			t.Errorf("%+v (userns %+v): %v, want %v", tc.cfg.ImageID, tc.cfg.UserNS, got, tc.want)
		}
	}
}

// A pause root made before /run/.containerenv was listed gets it: an
// infra container in a user namespace cannot create the mount target.
func TestEnsureMountTargets(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := ensureMountTargets(root); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "run", ".containerenv")); err != nil {
		t.Error(err)
	}
}
