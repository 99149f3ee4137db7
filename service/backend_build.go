//go:build !berth_lean

package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/berth-dev/berth/build"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/rootcopy"
)

// maxContainerfile caps a Containerfile read out of a sent context.
const maxContainerfile = 16 << 20

// Build is `build` of a context sent as a tar archive (plain or
// compressed), the REST API's: the archive is unpacked into a temporary
// directory that goes when the build ends. containerfile is the
// Containerfile's path inside the context ("" finds Containerfile or
// Dockerfile); it is read resolved inside the context, so a symlink
// cannot point the build at a host file. A remote (the docker API's
// remote=: a git URL, or the http(s) URL of a tarball or a Containerfile)
// is the context instead of the archive. opts.ContextDir and the
// Containerfile fields are filled here.
func (b *Backend) Build(ctx context.Context, archive io.Reader, remote, containerfile string, opts BuildOptions) (*BuildResult, error) {
	var src *BuildSource
	var err error
	if remote != "" {
		src, err = build.OpenRemote(remote, "")
	} else {
		src, err = OpenBuildSource("-", archive)
	}
	if err != nil {
		return nil, err
	}
	defer src.Remove()
	opts.ContextDir, opts.ContainerfileData = src.Dir, src.Containerfile
	opts.LoopbackInsecure = true
	opts.Containerfile, opts.ContainerfileName = "", ""
	if containerfile != "" && src.Dir != "" {
		data, err := rootcopy.ReadFile(src.Dir, containerfile, maxContainerfile)
		switch {
		case err == nil:
			opts.ContainerfileData, opts.ContainerfileName = data, path.Base(containerfile)
		case errors.Is(err, fs.ErrNotExist) && containerfile == "Dockerfile":
			// docker's default name: Containerfile is looked for too.
		case errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("cannot locate specified Dockerfile: %s: %w", containerfile, define.ErrInvalidArg)
		default:
			return nil, fmt.Errorf("reading %s: %w", containerfile, err)
		}
	}
	return Build(ctx, b.rt, opts)
}

// KubePlayArchive is `kube play` of a tar body (libpod /kube/play with
// Content-Type application/x-tar, what a remote `kube play --build`
// sends): play.yaml at the archive's root is the YAML, and the archive is
// the context directory whose IMAGE-NAME/Containerfile directories are
// built (opts.Build nil: those not in local storage). The unpacked
// archive goes when the play ends.
func (b *Backend) KubePlayArchive(ctx context.Context, archive io.Reader, opts KubePlayOptions) (*KubePlayReport, error) {
	src, err := OpenBuildSource("-", archive)
	if err != nil {
		return nil, err
	}
	defer src.Remove()
	if src.Dir == "" {
		return nil, fmt.Errorf("the body is not a tar archive: %w", define.ErrInvalidArg)
	}
	yaml, err := rootcopy.ReadFile(src.Dir, "play.yaml", maxContainerfile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("file not found: tar missing play.yaml file at root: %w", define.ErrInvalidArg)
	} else if err != nil {
		return nil, fmt.Errorf("reading play.yaml: %w", err)
	}
	opts.ContextDir = src.Dir
	return KubePlay(ctx, b.rt, [][]byte{yaml}, opts)
}
