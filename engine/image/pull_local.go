package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/sirupsen/logrus"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/types"
)

// Pull brings the image name into the store, according to opts.Policy,
// and reports what was pulled (or found locally). name is a registry name
// (short names resolved through registries.conf) or a transport reference
// (docker://, oci:, oci-archive:, docker-archive:, dir:,
// containers-storage:). A failed pull leaves no layer of it behind.
func (s *Service) Pull(ctx context.Context, name string, opts PullOptions) (*PullReport, error) {
	var imgs []*define.Image
	var local bool
	err := withRetries(ctx, opts.MaxRetries, opts.RetryDelay, opts.RetryWarn, func() (err error) {
		imgs, local, err = s.pull(ctx, name, opts)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &PullReport{Images: imgs, Local: local}, nil
}

// withRetries runs fn, and again up to opts.MaxRetries times while it
// fails on the network (a refused or reset connection, a timeout, a DNS
// failure), as podman's --retry does; other errors (no such image, denied,
// bad input) return at once.
func withRetries(ctx context.Context, maxRetries uint, delay time.Duration, warn io.Writer, fn func() error) error {
	for attempt := uint(0); ; attempt++ {
		err := fn()
		if err == nil || attempt >= maxRetries || !retryable(err) {
			return err
		}
		wait := delay
		if wait == 0 {
			wait = time.Second << attempt
		}
		if warn != nil {
			fmt.Fprintf(warn, "Warning: Failed, retrying in %s ... (%d/%d). Error: %v\n", wait, attempt+1, maxRetries, err)
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

func retryable(err error) bool {
	var ne net.Error
	var dnsErr *net.DNSError
	return errors.As(err, &ne) || errors.As(err, &dnsErr) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH)
}

// localForPolicy returns the local image that satisfies policy missing,
// never or newer, or nil when a pull is needed. never without a local
// image is an error.
func (s *Service) localForPolicy(ctx context.Context, name, policy string, sys *types.SystemContext, ro RegistryOptions) (*define.Image, error) {
	lookup := strings.TrimPrefix(name, "docker://")
	img, matched, err := s.resolve(lookup)
	if err != nil {
		if errors.Is(err, define.ErrNoSuchImage) && policy != PullNever {
			return nil, nil
		}
		return nil, err
	}
	// An image for another platform than asked for does not count.
	if (ro.Arch != "" || ro.OS != "") && policy != PullNever {
		di, err := s.describe(img)
		if err != nil {
			return nil, err
		}
		if (ro.Arch != "" && di.Arch != ro.Arch) || (ro.OS != "" && di.Os != ro.OS) || (ro.Variant != "" && di.Variant != ro.Variant) {
			return nil, nil
		}
		return di, nil
	}
	if policy == PullNewer && matched != "" && !strings.HasPrefix(matched, "localhost/") {
		if named, err := reference.ParseNormalizedNamed(matched); err == nil {
			if newer, err := s.remoteDiffers(ctx, named, img.Digest.String(), img.Digests, sys); err != nil {
				logrus.Warnf("checking %s for a newer image: %v; using the local image", matched, err)
			} else if newer {
				return nil, nil
			}
		}
	}
	return s.describe(img)
}
