package oci

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// CheckCRIU runs `criu check`, the host test runc's checkpoint and restore
// depend on, and returns why CRIU cannot work here: not installed, or the
// first error criu names (CRIU 3.17 stops at "vdso: Unexpected rt vDSO area
// bounds" on kernels from 6.13 on, whose vDSO layout it predates).
func CheckCRIU(ctx context.Context) error {
	path, err := exec.LookPath("criu")
	if err != nil {
		return fmt.Errorf("checkpoint/restore requires CRIU, which is not installed (criu not found in $PATH)")
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, path, "check")
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	if runErr == nil && !strings.Contains(out.String(), "Error") {
		return nil
	}
	reason := criuReason(out.String())
	if reason == "" && runErr != nil {
		reason = runErr.Error()
	}
	version := ""
	if v, verr := exec.CommandContext(ctx, path, "--version").Output(); verr == nil {
		if f := strings.Fields(string(v)); len(f) >= 2 {
			version = " " + f[1]
		}
	}
	return fmt.Errorf("checkpoint/restore requires a working CRIU: `criu check` (CRIU%s) fails on this host: %s", version, reason)
}

// criuReason is the first error `criu check` printed ("Error (file:line):
// text" gives text), else its whole output.
func criuReason(out string) string {
	out = strings.TrimSpace(out)
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, "): "); i >= 0 && strings.HasPrefix(l, "Error") {
			return l[i+3:]
		}
	}
	return out
}
