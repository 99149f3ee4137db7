package image

import (
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestChildOf(t *testing.T) {
	at := func(s int) *time.Time { v := time.Unix(int64(s), 0).UTC(); return &v }
	base := &define.Image{ID: "base", Layers: []string{"l1"}, History: []v1.History{{Created: at(1), CreatedBy: "ADD"}}}
	env := &define.Image{ID: "env", Layers: []string{"l1"}, History: append(append([]v1.History(nil), base.History...), v1.History{Created: at(2), CreatedBy: "ENV", EmptyLayer: true})}
	run := &define.Image{ID: "run", Layers: []string{"l1", "l2"}, History: append(append([]v1.History(nil), env.History...), v1.History{Created: at(3), CreatedBy: "RUN"})}
	scratchChild := &define.Image{ID: "s", Layers: []string{"x"}, History: []v1.History{{Created: at(4), CreatedBy: "COPY"}}}
	otherBase := &define.Image{ID: "other", Layers: []string{"l1"}, History: []v1.History{{Created: at(9), CreatedBy: "ADD"}}}
	for _, tc := range []struct {
		child, parent *define.Image
		want          bool
	}{
		{env, base, true},
		{run, env, true},
		{run, base, false},        // two steps down
		{base, env, false},        // the other way round
		{env, otherBase, false},   // same layers, another history
		{scratchChild, nil, true}, // the first step of FROM scratch
		{base, nil, true},         // an imported image is a child of nothing
		{&define.Image{Layers: []string{"l1", "l2"}, History: append(append([]v1.History(nil), base.History...), v1.History{CreatedBy: "ENV", EmptyLayer: true})}, base, false}, // empty_layer with a layer
	} {
		if got := ChildOf(tc.child, tc.parent); got != tc.want {
			pid := "<nil>"
			if tc.parent != nil {
				pid = tc.parent.ID
			}
			t.Errorf("ChildOf(%s, %s) = %v, want %v", tc.child.ID, pid, got, tc.want)
		}
	}
}
