package generate

import (
	"os"
	"slices"
	"testing"

	"github.com/berth-dev/berth/spec"
)

// --privileged gives the container every device node of the host's /dev
// (podman does the same), not only the runtime's six defaults.
func TestPrivilegedGetsHostDevices(t *testing.T) {
	entries, err := os.ReadDir("/dev")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		if e.Type()&os.ModeDevice != 0 && !slices.Contains(skipDevNames, e.Name()) {
			want = append(want, "/dev/"+e.Name())
		}
	}
	if len(want) == 0 {
		t.Fatal("no device nodes in /dev")
	}
	g, _, err := gen(t, &spec.ContainerSpec{Privileged: true, Devices: []spec.Device{{Source: "/dev/null", Destination: "/dev/null", Permissions: "r"}}}, testImage(), testHost())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range g.Linux.Devices {
		if slices.Contains(got, d.Path) {
			t.Errorf("device %s twice", d.Path)
		}
		got = append(got, d.Path)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("privileged devices lack %s (have %v)", w, got)
		}
	}
	for _, d := range g.Linux.Devices {
		if d.Path == "/dev/console" || d.Path == "/dev/ptmx" || len(d.Path) > 9 && d.Path[:9] == "/dev/pts/" {
			t.Errorf("privileged devices include %s", d.Path)
		}
	}

	g, _, err = gen(t, &spec.ContainerSpec{}, testImage(), testHost())
	if err != nil || len(g.Linux.Devices) != 0 {
		t.Errorf("unprivileged devices %v (%v)", g.Linux.Devices, err)
	}
}
