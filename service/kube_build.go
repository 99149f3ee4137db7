//go:build !berth_lean

package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/kube"
)

// kubeBuildDir is where play looks for an image's Containerfile, as
// podman does: the directory named after the image's last path element
// (no tag or digest) under the context directory; "" when it has neither
// a Containerfile nor a Dockerfile.
func kubeBuildDir(contextDir, img string) string {
	name := img[strings.LastIndex(img, "/")+1:]
	if i := strings.IndexAny(name, ":@"); i >= 0 {
		name = name[:i]
	}
	if name == "" || name == "." || name == ".." {
		return ""
	}
	dir := filepath.Join(contextDir, name)
	// Lstat: a symlink (say in an archive sent to the API) must not turn
	// a host directory into the build context.
	if st, err := os.Lstat(dir); err != nil || !st.IsDir() {
		return ""
	}
	for _, f := range []string{"Containerfile", "Dockerfile"} {
		if st, err := os.Lstat(filepath.Join(dir, f)); err == nil && st.Mode().IsRegular() {
			return dir
		}
	}
	return ""
}

// kubeBuild builds, before play creates anything, the images of the
// plan's containers that have a build directory: always with --build,
// never with --build=false, else only those not in local storage. Each
// image is built once, tagged with the name the YAML gives it.
func kubeBuild(ctx context.Context, rt *engine.Runtime, plan *kube.Plan, opts KubePlayOptions) error {
	if opts.Build != nil && !*opts.Build {
		return nil
	}
	contextDir := opts.ContextDir
	if contextDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		contextDir = wd
	}
	var imgs []string
	for _, pp := range plan.Pods {
		for _, s := range append(slices.Clip(pp.Init), pp.Containers...) {
			if s.Image != "" && !slices.Contains(imgs, s.Image) {
				imgs = append(imgs, s.Image)
			}
		}
	}
	out := opts.Create.PullWriter
	if out == nil {
		out = io.Discard
	}
	for _, img := range imgs {
		dir := kubeBuildDir(contextDir, img)
		if dir == "" {
			continue
		}
		if opts.Build == nil {
			if _, err := LookupImage(rt, img); err == nil {
				continue
			} else if !errors.Is(err, define.ErrNoSuchImage) {
				return err
			}
		}
		bo := BuildOptions{ContextDir: dir, Tags: []string{img}, Pull: PullMissing, Registry: opts.Create.Registry, Out: out, PullWriter: opts.Create.PullWriter}
		if _, err := Build(ctx, rt, bo); err != nil {
			return fmt.Errorf("building %s from %s: %w", img, dir, err)
		}
	}
	return nil
}
