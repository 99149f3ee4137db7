package service

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/spec"
	"github.com/berth-dev/berth/spec/generate"
)

// CreateOptions are the service-level choices of create/run that are not
// part of the container itself.
type CreateOptions struct {
	// Pull is the pull policy: "missing" (default), "never", "always",
	// "newer". Registries come later; until then only local images count.
	Pull string
	// Host overrides the host facts (tests, API); nil uses the local host.
	Host *generate.Host
}

// Create makes a new container from s: resolves the image, generates the
// OCI spec and persists the container (Configured).
func Create(ctx context.Context, rt *engine.Runtime, s *spec.ContainerSpec, opts CreateOptions) (*engine.Container, error) {
	switch opts.Pull {
	case "", "missing", "never":
	case "always", "newer":
		// Registries come with the images issue; until then say so rather
		// than silently using the local image.
		return nil, fmt.Errorf("--pull %s: pulling images from registries is not supported yet: %w", opts.Pull, define.ErrNotImplemented)
	default:
		return nil, fmt.Errorf("invalid pull policy %q: must be always, missing, never or newer: %w", opts.Pull, define.ErrInvalidArg)
	}
	var img *define.Image
	if s.Rootfs == "" {
		if s.Image == "" {
			return nil, fmt.Errorf("an image name or --rootfs is required: %w", define.ErrInvalidArg)
		}
		images, err := rt.Images()
		if err != nil {
			return nil, err
		}
		if img, err = images.Lookup(s.Image); err != nil {
			return nil, err
		}
	}
	host := generate.DefaultHost()
	if opts.Host != nil {
		host = *opts.Host
	}
	host.CgroupManager = rt.Config().CgroupManager
	if host.InitPath == "" {
		host.InitPath = rt.Config().InitPath
	}
	if s.CreateCommand == nil {
		s.CreateCommand = os.Args
	}
	ociSpec, ctrOpts, err := generate.Container(s, img, host)
	if err != nil {
		return nil, err
	}
	if img != nil {
		// Record the image by its full name, as podman's ps shows it.
		ctrOpts = append(ctrOpts, engine.WithImage(img.ID, imageName(img, s.Image)))
	}
	return rt.NewContainer(ctx, ociSpec, ctrOpts...)
}

// imageName picks the image's name the user meant: the stored name that
// the typed reference resolves to, else the first name, else what was
// typed (an ID).
func imageName(img *define.Image, typed string) string {
	for _, n := range img.Names {
		if n == typed || strings.HasSuffix(n, "/"+typed) || strings.HasSuffix(n, "/"+typed+":latest") {
			return n
		}
	}
	if len(img.Names) > 0 && !strings.HasPrefix(img.ID, strings.TrimPrefix(typed, "sha256:")) {
		return img.Names[0]
	}
	return typed
}
