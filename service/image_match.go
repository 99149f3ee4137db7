package service

import (
	"fmt"
	"slices"
	"strings"

	"go.podman.io/image/v5/manifest"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
)

// imageFilterKeys are the filter keys of images and image prune.
var imageFilterKeys = map[string]bool{
	"dangling": true, "label": true, "reference": true, "before": true, "since": true, "after": true, "id": true,
	"until": true, "readonly": true, "manifest": true, "intermediate": true, "containers": true, "digest": true,
}

// boolImageFilters are the filters whose value is true or false.
var boolImageFilters = map[string]bool{"dangling": true, "readonly": true, "manifest": true, "intermediate": true}

// CheckImageFilters validates key=value image filters before any work.
func CheckImageFilters(filters []string) error {
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok || !imageFilterKeys[k] {
			return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf("invalid image filter %q", f))
		}
		if boolImageFilters[k] && v != "true" && v != "false" {
			return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf("invalid filter %q: %s must be true or false", f, k))
		}
		if k == "until" {
			if _, err := ParseTime(v); err != nil {
				return errdefs.New(errdefs.ErrInvalidArgument, fmt.Sprintf("invalid filter %q: %v", f, err))
			}
		}
	}
	return nil
}

// ImageMatches applies the per-image filters (dangling, label, reference)
// and, with args, the name or ID prefix asked for; FilterImagesByTime
// applies the others.
func ImageMatches(img *define.Image, args, filters []string) bool {
	if len(args) == 1 {
		ok := strings.HasPrefix(img.ID, args[0])
		for _, n := range img.Names {
			ok = ok || NameMatches(n, args[0])
		}
		if !ok {
			return false
		}
	}
	for _, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "dangling":
			if (v == "true") != img.Dangling {
				return false
			}
		case "readonly":
			// Every image is in the writable store (no additional
			// image stores).
			if v == "true" {
				return false
			}
		case "manifest":
			if (v == "true") != manifest.MIMETypeIsMultiImage(img.ManifestType) {
				return false
			}
		case "digest":
			if img.Digest != v && !slices.ContainsFunc(img.Digests, func(d string) bool { return strings.HasSuffix(d, "@"+v) }) {
				return false
			}
		case "label":
			lk, lv, hasV := strings.Cut(v, "=")
			got, ok := img.Config.Labels[lk]
			if !ok || (hasV && got != lv) {
				return false
			}
		case "reference":
			ok := false
			for _, n := range img.Names {
				ok = ok || NameMatches(n, v)
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

// NameMatches lets "busybox" and "busybox:latest" match
// "localhost/busybox:latest".
func NameMatches(full, want string) bool {
	if full == want {
		return true
	}
	repo, tag := SplitRepoTag(full)
	wrepo, wtag := SplitRepoTag(want)
	if !strings.Contains(want, "@") && strings.LastIndex(want, ":") < strings.LastIndex(want, "/")+1 {
		wtag = tag // no tag asked for (a registry port is not one)
	}
	if tag != wtag {
		return false
	}
	return repo == wrepo || strings.HasSuffix(repo, "/"+wrepo)
}

// SplitRepoTag splits an image name into repository and tag ("<none>"
// for a digested name, "latest" when it has none).
func SplitRepoTag(name string) (repo, tag string) {
	if i := strings.LastIndex(name, "@"); i >= 0 {
		return name[:i], "<none>"
	}
	i := strings.LastIndex(name, ":")
	if i > strings.LastIndex(name, "/") {
		return name[:i], name[i+1:]
	}
	return name, "latest"
}
