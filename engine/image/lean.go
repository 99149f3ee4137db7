//go:build berth_lean

package image

import (
	"context"
	"io"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/types"
)

// This is the lean build of the package (tag berth_lean): the local image
// store only, without image/v5's copy machinery, transports, signature
// policy and registry clients, whose package initialisation is half of a
// berth process's start-up. Everything that moves image data to or from
// somewhere returns ErrNeedsFull, before doing anything, and the lean CLI
// hands the whole command line to the complete binary (berth-full).

// pull answers from the store what a policy lets it answer (missing or
// never, a registry name); anything that needs a registry or a transport
// is the full build's.
func (s *Service) pull(ctx context.Context, name string, opts PullOptions) ([]*define.Image, bool, error) {
	if err := ValidPullPolicy(opts.Policy); err != nil {
		return nil, false, err
	}
	policy := orDefault(opts.Policy, PullAlways)
	if name == "" || opts.AllTags || policy == PullAlways || policy == PullNewer ||
		(namesTransport(name) && !strings.HasPrefix(name, "docker://")) {
		return nil, false, ErrNeedsFull
	}
	img, err := s.localForPolicy(ctx, name, policy, nil, opts.RegistryOptions)
	if err != nil || img == nil {
		if err == nil {
			err = ErrNeedsFull
		}
		return nil, false, err
	}
	return []*define.Image{img}, true, nil
}

func (s *Service) remoteDiffers(context.Context, reference.Named, string, []digest.Digest, *types.SystemContext) (bool, error) {
	return false, ErrNeedsFull
}

// Push needs the full build.
func (s *Service) Push(context.Context, string, string, PushOptions) (Pushed, error) {
	return Pushed{}, ErrNeedsFull
}

// Save needs the full build.
func (s *Service) Save(context.Context, []string, SaveOptions) error { return ErrNeedsFull }

// Load needs the full build.
func (s *Service) Load(context.Context, LoadOptions) ([]string, error) { return nil, ErrNeedsFull }

// Import needs the full build.
func (s *Service) Import(context.Context, io.Reader, ImportOptions) (*define.Image, error) {
	return nil, ErrNeedsFull
}

// Commit needs the full build.
func (s *Service) Commit(context.Context, string, CommitOptions) (*define.Image, error) {
	return nil, ErrNeedsFull
}

// AuthKey needs the full build.
func AuthKey(string, RegistryOptions) (string, error) { return "", ErrNeedsFull }

// Login needs the full build.
func Login(context.Context, string, LoginOptions) (string, error) { return "", ErrNeedsFull }

// ExistingLogin needs the full build.
func ExistingLogin(context.Context, string, RegistryOptions, bool) (string, error) {
	return "", ErrNeedsFull
}

// Logout needs the full build.
func Logout(string, RegistryOptions) error { return ErrNeedsFull }

// ManifestCreate needs the full build.
func (s *Service) ManifestCreate(string, bool) (string, error) { return "", ErrNeedsFull }

// ManifestAdd needs the full build.
func (s *Service) ManifestAdd(context.Context, string, string, ManifestAddOptions) (digest.Digest, error) {
	return "", ErrNeedsFull
}

// ManifestRemove needs the full build.
func (s *Service) ManifestRemove(string, digest.Digest) error { return ErrNeedsFull }

// ManifestInspect needs the full build.
func (s *Service) ManifestInspect(context.Context, string, RegistryOptions) ([]byte, error) {
	return nil, ErrNeedsFull
}

// Search needs the full build.
func (s *Service) Search(context.Context, string, SearchOptions) ([]SearchResult, error) {
	return nil, ErrNeedsFull
}

// ManifestAnnotate needs the full build.
func (s *Service) ManifestAnnotate(string, digest.Digest, ManifestAnnotateOptions) error {
	return ErrNeedsFull
}

// ManifestExists needs the full build (lists are the full build's).
func (s *Service) ManifestExists(string) bool { return false }

// ManifestDelete needs the full build.
func (s *Service) ManifestDelete(string) (string, error) { return "", ErrNeedsFull }

// ManifestPush needs the full build.
func (s *Service) ManifestPush(context.Context, string, string, ManifestPushOptions) (digest.Digest, error) {
	return "", ErrNeedsFull
}

// CommitConfig needs the full build.
func (s *Service) CommitConfig(context.Context, ConfigCommit) (*define.Image, error) {
	return nil, ErrNeedsFull
}

// ConfigCommit is the full build's; the lean one only names it.
type ConfigCommit struct {
	Parent    string
	Config    dockerspec.DockerOCIImageConfig
	CreatedBy string
	Author    string
}

// ArtifactTransferOptions are the options of artifact pull and push.
type ArtifactTransferOptions struct {
	RegistryOptions
	ReportWriter io.Writer
	MaxRetries   uint
}

// ArtifactPull needs a registry client: the full build's.
func (s *Service) ArtifactPull(context.Context, string, ArtifactTransferOptions) (digest.Digest, error) {
	return "", ErrNeedsFull
}

// ArtifactPush needs a registry client: the full build's.
func (s *Service) ArtifactPush(context.Context, string, string, ArtifactTransferOptions) (digest.Digest, error) {
	return "", ErrNeedsFull
}
