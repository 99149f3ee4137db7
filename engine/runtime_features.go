package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/oci"
)

// checkRuntimeFeatures refuses a spec asking for what the container's OCI
// runtime would silently ignore: linux.personality before runc 1.2 (crun
// has long applied it). The runtime's `features` does not list it, so its
// version decides.
func checkRuntimeFeatures(ctx context.Context, rt ociRuntime, spec *specs.Spec) error {
	if spec.Linux == nil || spec.Linux.Personality == nil {
		return nil
	}
	c, ok := rt.(*oci.Runtime)
	if !ok {
		return nil
	}
	v, err := c.Version(ctx)
	if err != nil {
		return nil
	}
	if name, major, minor, ok := runtimeVersion(v); ok && name == "runc" && (major < 1 || major == 1 && minor < 2) {
		return fmt.Errorf("--personality: the OCI runtime %s (runc %d.%d) ignores linux.personality; use runc >= 1.2 or crun (--runtime crun): %w",
			rt.Name(), major, minor, define.ErrInvalidArg)
	}
	return nil
}

// runtimeVersion parses the first line of `<runtime> --version`,
// "runc version 1.1.5+ds1" or "crun version 1.8.1".
func runtimeVersion(line string) (name string, major, minor int, ok bool) {
	f := strings.Fields(line)
	if len(f) < 3 || f[1] != "version" {
		return "", 0, 0, false
	}
	parts := strings.SplitN(f[2], ".", 3)
	if len(parts) < 2 {
		return "", 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	return f[0], major, minor, true
}
