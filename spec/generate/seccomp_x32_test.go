package generate

import (
	"slices"
	"testing"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/spec"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestSeccompX32FollowsKernel(t *testing.T) {
	orig := x32Supported
	t.Cleanup(func() { x32Supported = orig })
	for _, supported := range []bool{true, false} {
		x32Supported = func() bool { return supported }
		g := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{}}, Linux: &specs.Linux{}}
		if err := finishSecurity(g, &spec.ContainerSpec{}, func(...engine.CtrOption) {}); err != nil {
			t.Fatal(err)
		}
		has := slices.Contains(g.Linux.Seccomp.Architectures, specs.ArchX32)
		if has != supported {
			t.Errorf("x32 supported=%v: profile lists x32 = %v (%v)", supported, has, g.Linux.Seccomp.Architectures)
		}
		if !slices.Contains(g.Linux.Seccomp.Architectures, specs.ArchX86_64) {
			t.Errorf("profile lost x86_64: %v", g.Linux.Seccomp.Architectures)
		}
	}
}
