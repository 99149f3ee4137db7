package service

import (
	"maps"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestParseBuildArgs(t *testing.T) {
	env := map[string]string{"FROM_ENV": "e"}
	got, err := ParseBuildArgs([]string{"A=1", "B=", "C=x=y", "FROM_ENV", "NOT_SET"}, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"A": "1", "B": "", "C": "x=y", "FROM_ENV": "e"}; !maps.Equal(got, want) {
		t.Errorf("ParseBuildArgs = %v, want %v", got, want)
	}
	if _, err := ParseBuildArgs([]string{"=v"}, nil); err == nil {
		t.Errorf("an empty name was accepted")
	}
}

func TestIntermediateImages(t *testing.T) {
	now := time.Now()
	h1 := v1.History{Created: &now, CreatedBy: "/bin/sh -c #(nop) ADD file:x in /"}
	h2 := v1.History{Created: &now, CreatedBy: "/bin/sh -c #(nop) ENV A=b", EmptyLayer: true}
	base := &define.Image{ID: "base", Names: []string{"localhost/busybox:latest"}, Layers: []string{"l"}, History: []v1.History{h1}}
	step := &define.Image{ID: "step", Layers: []string{"l"}, History: []v1.History{h1, h2}}
	final := &define.Image{ID: "final", Names: []string{"localhost/app:latest"}, Layers: []string{"l", "m"}, History: []v1.History{h1, h2, {Created: &now, CreatedBy: "|1 A=b /bin/sh -c true"}}}
	dangling := &define.Image{ID: "dangling", Layers: []string{"l"}, History: []v1.History{h1, {Created: &now, CreatedBy: "CMD", EmptyLayer: true}}}
	// An unnamed image extended by something that is not a build step
	// (a pulled image's next layer) is not a build's intermediate.
	pulled := &define.Image{ID: "pulled", Layers: []string{"p"}, History: []v1.History{{Created: &now, CreatedBy: "fixture A"}}}
	ext := &define.Image{ID: "ext", Names: []string{"localhost/ext:latest"}, Layers: []string{"p", "q"}, History: []v1.History{pulled.History[0], {Created: &now, CreatedBy: "fixture B"}}}
	got := IntermediateImages([]*define.Image{base, step, final, dangling, pulled, ext})
	if !maps.Equal(got, map[string]bool{"step": true}) {
		t.Errorf("IntermediateImages = %v, want step alone (named, leaf and non-build parents are not)", got)
	}
}
