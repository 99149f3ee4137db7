package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// podman's info keys that berth can answer truthfully are all there, with
// values of the right shape.
func TestInfoPodmanFields(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	var info map[string]map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "info", "--format", "json")), &info); err != nil {
		t.Fatal(err)
	}
	for sect, keys := range map[string][]string{
		"host":    {"cgroupControllers", "cpuUtilization", "linkmode", "remoteSocket", "serviceIsRemote", "swapFree", "swapTotal", "security"},
		"store":   {"graphRootAllocated", "graphRootUsed", "graphStatus", "imageCopyTmpDir", "volumePath"},
		"version": {"GitCommit", "BuiltTime", "Built", "Os", "OsArch"},
	} {
		for _, k := range keys {
			if _, ok := info[sect][k]; !ok {
				t.Errorf("info has no %s.%s", sect, k)
			}
		}
	}
	sec, _ := info["host"]["security"].(map[string]any)
	for _, k := range []string{"apparmorEnabled", "capabilities", "rootless", "seccompEnabled", "seccompProfilePath", "selinuxEnabled"} {
		if _, ok := sec[k]; !ok {
			t.Errorf("info has no host.security.%s", k)
		}
	}
	if c, _ := sec["capabilities"].(string); !strings.HasPrefix(c, "CAP_CHOWN,") {
		t.Errorf("host.security.capabilities = %q, want podman's default list", c)
	}
	if got, want := info["store"]["volumePath"], filepath.Join(env.Root, "volumes"); got != want {
		t.Errorf("store.volumePath = %v, want %s", got, want)
	}
	if used, _ := info["store"]["graphRootUsed"].(float64); used <= 0 {
		t.Errorf("store.graphRootUsed = %v, want the bytes used", info["store"]["graphRootUsed"])
	}
	if got := env.MustBerth(t, "info", "--format", "{{.Host.Linkmode}} {{.Version.Os}} {{.Store.ImageCopyTmpDir}}"); !strings.HasPrefix(got, "dynamic linux /") {
		t.Errorf("info template = %q", got)
	}
}

// inspect's EffectiveCaps and BoundingCaps are podman's: the default set,
// what --cap-drop/--cap-add leave, nothing effective for a non-root user.
func TestInspectCapSets(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "d", "busybox")
	env.MustBerth(t, "create", "--name", "k", "--cap-drop", "all", "--cap-add", "NET_ADMIN", "busybox")
	env.MustBerth(t, "create", "--name", "u", "--user", "1000", "busybox")
	defaults := "[CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_NET_BIND_SERVICE CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_CHROOT]"
	for ctr, want := range map[string]string{
		"d": defaults + "|" + defaults + "|false",
		"k": "[CAP_NET_ADMIN]|[CAP_NET_ADMIN]|false",
		"u": "[]|" + defaults + "|false",
	} {
		if got := paInspect(t, env, ctr, "{{.EffectiveCaps}}|{{.BoundingCaps}}|{{.IsService}}"); got != want {
			t.Errorf("inspect %s caps = %q, want %q", ctr, got, want)
		}
	}
}
