package engine

import (
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestSharedNamespaceCreate(t *testing.T) {
	e := newTestEnv(t)
	owner := e.newCtr(WithName("owner"), WithHostname("ownerhost"))
	e.newCtr(WithName("priv"), WithIPCMode(IPCPrivate))

	j := e.newCtr(WithSharedNamespace("uts", "owner"), WithSharedNamespace("pid", "owner"))
	if got := j.config.Dependencies; len(got) != 1 || got[0] != owner.ID() {
		t.Errorf("Dependencies = %v, want [%s]", got, owner.ID())
	}
	spec, err := e.r.state.ContainerSpec(j.ID())
	if err != nil {
		t.Fatal(err)
	}
	if spec.Hostname != "" {
		t.Errorf("spec hostname = %q: the runtime cannot set one in a joined namespace", spec.Hostname)
	}
	if got := namespaceMode(j.config, spec, "pid"); got != "container:"+owner.ID() {
		t.Errorf("PidMode = %q", got)
	}

	_, err = e.r.NewContainer(e.ctx, testSpec(), WithRootfs(e.rootfs), WithSharedNamespace("ipc", "priv"))
	if !errors.Is(err, define.ErrInvalidArg) || !strings.Contains(err.Error(), "non-shareable IPC") {
		t.Errorf("joining a private IPC namespace: %v", err)
	}
	if err := WithSharedNamespace("mnt", "owner")(&define.ContainerConfig{}); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("WithSharedNamespace(mnt) = %v, want invalid argument", err)
	}
}

func TestNamespaceMode(t *testing.T) {
	spec := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{
		{Type: specs.PIDNamespace}, {Type: specs.IPCNamespace}, {Type: specs.UTSNamespace, Path: "/u"},
	}}}
	tests := []struct {
		cfg  define.ContainerConfig
		kind string
		want string
	}{
		{define.ContainerConfig{}, "pid", "private"},
		{define.ContainerConfig{}, "ipc", "shareable"},
		{define.ContainerConfig{IpcMode: IPCNone}, "ipc", "none"},
		{define.ContainerConfig{}, "uts", "ns:/u"},
		{define.ContainerConfig{}, "cgroup", "host"},
		{define.ContainerConfig{Namespaces: map[string]string{"cgroup": "abc"}}, "cgroup", "container:abc"},
	}
	for _, tt := range tests {
		if got := namespaceMode(&tt.cfg, spec, tt.kind); got != tt.want {
			t.Errorf("namespaceMode(%+v, %s) = %q, want %q", tt.cfg, tt.kind, got, tt.want)
		}
	}
}
