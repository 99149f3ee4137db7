package generate

import (
	"errors"
	"slices"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
)

func TestBuildEnvRunOptions(t *testing.T) {
	img := v1.ImageConfig{Env: []string{"PATH=/img/bin", "IMG=1", "GONE=x"}}
	host := &Host{Env: []string{"http_proxy=http://p:1", "HOSTVAR=h"}}
	tests := []struct {
		name string
		s    spec.RunOptions
		env  []string
		want []string
	}{
		{"merge", spec.RunOptions{EnvMerge: []string{"PATH=${PATH}:/x", "N=${NONE:-d}${IMG:++}"}}, nil,
			[]string{"PATH=/img/bin:/x", "container=berth", "IMG=1", "GONE=x", "N=d+"}},
		{"unset", spec.RunOptions{UnsetEnv: []string{"GONE", "container"}}, nil,
			[]string{"PATH=/img/bin", "IMG=1"}},
		{"unset all keeps -e", spec.RunOptions{UnsetEnvAll: true}, []string{"A=1"}, []string{"A=1"}},
		{"proxy", spec.RunOptions{HTTPProxy: true, UnsetEnvAll: true}, nil, []string{"http_proxy=http://p:1"}},
	}
	for _, tt := range tests {
		s := &spec.ContainerSpec{Env: tt.env, RunOptions: tt.s}
		got, err := buildEnv(s, img, host)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: env = %q, want %q", tt.name, got, tt.want)
		}
	}
	_, err := buildEnv(&spec.ContainerSpec{RunOptions: spec.RunOptions{EnvMerge: []string{"X"}}}, img, host)
	if !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("--env-merge X: err = %v, want invalid argument", err)
	}
}

func TestTimezoneFile(t *testing.T) {
	for _, tz := range []string{"../etc/passwd", "/etc/passwd", "Nowhere/City", "Etc"} {
		if _, err := timezoneFile(tz); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("timezoneFile(%q) err = %v, want invalid argument", tz, err)
		}
	}
	if p, err := timezoneFile("Etc/UTC"); err != nil || p != "/usr/share/zoneinfo/Etc/UTC" {
		t.Errorf("timezoneFile(Etc/UTC) = %q, %v", p, err)
	}
}
