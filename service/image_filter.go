package service

import (
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/engine/image"
)

// FilterImagesByTime applies the filters that need other images, the
// containers or the clock (before, since/after, until, id, intermediate,
// containers); ImageMatches applies the others. All filters of one key
// must hold.
// The filters must have been checked (until parses).
func FilterImagesByTime(rt *engine.Runtime, list []*define.Image, filters []string) ([]*define.Image, error) {
	type cond func(*define.Image) bool
	var conds []cond
	for _, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "before", "since", "after":
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
		case "intermediate":
			inter := intermediate(list)
			want := v == "true"
			conds = append(conds, func(i *define.Image) bool { return inter[i.ID] == want })
		case "containers":
			used, err := imagesInUse(rt, v)
			if err != nil {
				return nil, err
			}
			want := v != "false"
			conds = append(conds, func(i *define.Image) bool { return used[i.ID] == want })
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

// intermediate lists podman's intermediate images: unnamed ones that are
// the parent of another image.
func intermediate(list []*define.Image) map[string]bool {
	out := map[string]bool{}
	for _, p := range list {
		if len(p.Names) > 0 {
			continue
		}
		for _, c := range list {
			if c.ID != p.ID && image.ChildOf(c, p) {
				out[p.ID] = true
				break
			}
		}
	}
	return out
}

// imagesInUse lists the images containers are made from: every
// container's for "true" and "false", else only the container named (or
// whose ID starts with) v.
func imagesInUse(rt *engine.Runtime, v string) (map[string]bool, error) {
	ctrs, err := rt.Containers()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, c := range ctrs {
		cfg := c.Config()
		if v == "true" || v == "false" || cfg.Name == v || strings.HasPrefix(cfg.ID, v) {
			used[cfg.ImageID] = true
		}
	}
	return used, nil
}
