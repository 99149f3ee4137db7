package engine

import (
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-dev/berth/engine/define"
)

func TestInspectSecurityOpts(t *testing.T) {
	tests := []struct {
		name string
		cfg  define.ContainerConfig
		spec specs.Spec
		want []string
	}{
		{"defaults", define.ContainerConfig{}, specs.Spec{Process: &specs.Process{}, Linux: &specs.Linux{MaskedPaths: []string{"/proc/kcore"}}}, []string{}},
		{"all", define.ContainerConfig{Seccomp: "/p.json"}, specs.Spec{
			Process:     &specs.Process{NoNewPrivileges: true},
			Linux:       &specs.Linux{},
			Annotations: map[string]string{define.InspectAnnotationLabel: "disable", define.InspectAnnotationAppArmor: "unconfined"},
		}, []string{"no-new-privileges", "label=disable", "seccomp=/p.json", "apparmor=unconfined", "unmask=all"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := securityOpts(&tt.cfg, &tt.spec); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("securityOpts = %q, want %q", got, tt.want)
			}
		})
	}
}
