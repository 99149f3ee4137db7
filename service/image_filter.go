package service

import (
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
)

// FilterImagesByTime applies the filters that need other images or the
// clock (before, since, until, id); the CLI matches the others. All
// filters of one key must hold.
// The filters must have been checked (until parses).
func FilterImagesByTime(rt *engine.Runtime, list []*define.Image, filters []string) ([]*define.Image, error) {
	type cond func(*define.Image) bool
	var conds []cond
	for _, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "before", "since":
			ref, err := LookupImage(rt, v)
			if err != nil {
				return nil, err
			}
			at := ref.Created
			if k == "before" {
				conds = append(conds, func(i *define.Image) bool { return i.Created.Before(at) })
			} else {
				conds = append(conds, func(i *define.Image) bool { return i.Created.After(at) })
			}
		case "until":
			at, _ := ParseTime(v)
			conds = append(conds, func(i *define.Image) bool { return i.Created.Before(at) })
		case "id":
			id := strings.TrimPrefix(v, "sha256:")
			conds = append(conds, func(i *define.Image) bool { return strings.HasPrefix(i.ID, id) })
		}
	}
	if len(conds) == 0 {
		return list, nil
	}
	out := list[:0:0]
	for _, img := range list {
		ok := true
		for _, c := range conds {
			ok = ok && c(img)
		}
		if ok {
			out = append(out, img)
		}
	}
	return out, nil
}
