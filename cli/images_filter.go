package cli

import (
	"sort"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/service"
	"github.com/spf13/cobra"
)

// checkImageFilters validates --filter values before the runtime opens.
func checkImageFilters(filters []string) error { return service.CheckImageFilters(filters) }

// checkImageSort validates --sort.
func checkImageSort(key string) error {
	switch key {
	case "created", "id", "repository", "size", "tag":
		return nil
	}
	return usageError("invalid option for --sort, options are: [created id repository size tag]")
}

// sortImageRows orders the rows of images by --sort: newest first for
// created (the default), ascending otherwise.
func sortImageRows(rows []any, key string) {
	less := func(a, b imageRow) bool {
		switch key {
		case "id":
			return a.img.ID < b.img.ID
		case "repository":
			if a.Repository != b.Repository {
				return a.Repository < b.Repository
			}
			return a.Tag < b.Tag
		case "tag":
			if a.Tag != b.Tag {
				return a.Tag < b.Tag
			}
			return a.Repository < b.Repository
		case "size":
			return a.img.Size < b.img.Size
		}
		return a.img.Created.After(b.img.Created)
	}
	sort.SliceStable(rows, func(i, j int) bool { return less(rows[i].(imageRow), rows[j].(imageRow)) })
}

// filterImagesByTime applies the since and before filters, which look
// the named image up in the local store; remotely they are refused.
func filterImagesByTime(cmd *cobra.Command, d *Deps, list []*define.Image, filters []string) ([]*define.Image, error) {
	if d.isRemote() {
		for _, f := range filters {
			if k, _, _ := strings.Cut(f, "="); k == "since" || k == "before" {
				return nil, notRemote("images --filter " + k)
			}
		}
		return list, nil
	}
	rt, err := d.Runtime(cmd.Context())
	if err != nil {
		return nil, err
	}
	return service.FilterImagesByTime(rt, list, filters)
}
