package generate

import (
	"testing"

	"github.com/berth-dev/berth/internal/specflag"
	"github.com/berth-dev/berth/spec"
)

// The tests below write mounts as the CLI's flags and parse them as the
// CLI does, so that they cover the flag text through to the OCI spec.

func parsedMounts(t *testing.T, parse func(string) (spec.Mount, error), values []string) []spec.Mount {
	t.Helper()
	var out []spec.Mount
	for _, v := range values {
		m, err := parse(v)
		if err != nil {
			t.Fatalf("parse %q: %v", v, err)
		}
		out = append(out, m)
	}
	return out
}

// vols parses -v values.
func vols(t *testing.T, v ...string) []spec.Mount { return parsedMounts(t, specflag.Volume, v) }

// mnts parses --mount values.
func mnts(t *testing.T, v ...string) []spec.Mount { return parsedMounts(t, specflag.Mount, v) }

// tmpfs parses --tmpfs values.
func tmpfs(t *testing.T, v ...string) []spec.Mount { return parsedMounts(t, specflag.Tmpfs, v) }

// volumeThenGenerate parses one -v value and generates a container with
// it: the error of either step.
func volumeThenGenerate(v string) error {
	m, err := specflag.Volume(v)
	if err != nil {
		return err
	}
	_, _, err = Container(&spec.ContainerSpec{Mounts: []spec.Mount{m}}, testImage(), testHost(), Placement{})
	return err
}
