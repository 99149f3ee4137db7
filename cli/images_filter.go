package cli

import (
	"sort"
	"strings"

	"github.com/berth-dev/berth/service"
)

// imageFilterKeys are the --filter keys of images (and image prune).
var imageFilterKeys = map[string]bool{
	"dangling": true, "label": true, "reference": true, "before": true, "since": true, "id": true, "until": true,
}

// checkImageFilters validates --filter values before the runtime opens.
func checkImageFilters(filters []string) error {
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok || !imageFilterKeys[k] {
			return usageError("invalid image filter %q", f)
		}
		if k == "dangling" && v != "true" && v != "false" {
			return usageError("invalid filter %q: dangling must be true or false", f)
		}
		if k == "until" {
			if _, err := service.ParseTime(v); err != nil {
				return usageError("invalid filter %q: %v", f, err)
			}
		}
	}
	return nil
}

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
