//go:build !berth_lean

package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/signature"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
)

// systemContext returns the image/v5 settings derived from Options.
func (s *Service) systemContext() *types.SystemContext {
	return &types.SystemContext{
		SignaturePolicyPath:      s.opts.SignaturePolicyPath,
		SystemRegistriesConfPath: s.opts.RegistriesConf,
		BigFilesTemporaryDir:     s.opts.TmpDir,
		BlobInfoCacheDir:         s.opts.BlobInfoCacheDir,
	}
}

// policyContext loads the signature policy (path, else the service's,
// else the system's), or accepts anything when no policy is configured on
// this host.
func (s *Service) policyContext(path string) (*signature.PolicyContext, error) {
	var (
		policy *signature.Policy
		err    error
	)
	if path == "" {
		path = s.opts.SignaturePolicyPath
	}
	switch {
	case path != "":
		policy, err = signature.NewPolicyFromFile(path)
	case fileExists(defaultPolicyPath):
		policy, err = signature.DefaultPolicy(s.systemContext())
	default:
		policy = &signature.Policy{Default: signature.PolicyRequirements{signature.NewPRInsecureAcceptAnything()}}
	}
	if err != nil {
		return nil, fmt.Errorf("loading signature policy: %w", err)
	}
	pc, err := signature.NewPolicyContext(policy)
	if err != nil {
		return nil, fmt.Errorf("signature policy: %w", err)
	}
	return pc, nil
}

// copyImage copies src to dest with the service's policy, returning the
// manifest written. destSys, when not nil, replaces the destination's
// system context (for per-destination settings such as extra archive tags).
func (s *Service) copyImage(ctx context.Context, dest, src types.ImageReference, report io.Writer, destSys *types.SystemContext, tweaks ...func(*copy.Options)) ([]byte, error) {
	sys := s.systemContext()
	if destSys == nil {
		destSys = sys
	}
	co := &copy.Options{
		SourceCtx:      sys,
		DestinationCtx: destSys,
		ReportWriter:   report,
	}
	for _, t := range tweaks {
		t(co)
	}
	pc, err := s.policyContext(co.SourceCtx.SignaturePolicyPath)
	if err != nil {
		return nil, err
	}
	defer pc.Destroy() //nolint:errcheck // nothing to do about a failure to free policy state
	man, err := copy.Image(ctx, pc, dest, src, co)
	if err != nil {
		return nil, fmt.Errorf("copying image: %w", err)
	}
	return man, nil
}

// storageRef returns a containers-storage reference for name (may be nil)
// and/or image ID in this service's store.
func (s *Service) storageRef(name string, id string) (types.ImageReference, error) {
	var named = namedOrNil(name)
	ref, err := istorage.Transport.NewStoreReference(s.cs(), named, id)
	if err != nil {
		return nil, fmt.Errorf("storage reference %q@%s: %w", name, id, err)
	}
	return ref, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil || !errors.Is(err, os.ErrNotExist)
}
