package image

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine/define"
	"github.com/berth-dev/berth/internal/errdefs"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"
)

// Pull policies, as `pull --policy` and `run --pull` name them.
const (
	PullAlways  = "always"
	PullMissing = "missing"
	PullNever   = "never"
	PullNewer   = "newer"
)

// PullOptions configures Pull.
type PullOptions struct {
	RegistryOptions
	// Policy is one of the Pull* constants; empty means always, as for
	// the pull command.
	Policy string
	// AllTags pulls every tag of the repository (docker transport, name
	// without tag or digest).
	AllTags bool
	// ReportWriter receives "Trying to pull ..." and the copy progress
	// (bars on a terminal, one line per blob otherwise); nil is quiet.
	ReportWriter io.Writer
	// MaxRetries is how many times a pull that failed on the network is
	// tried again (podman's --retry; 0: never).
	MaxRetries uint
	// RetryDelay is the pause between tries (0: 1s, doubling each time).
	RetryDelay time.Duration
	// RetryWarn, when set, receives podman's warning before each retry.
	RetryWarn io.Writer
}

// ValidPullPolicy checks a policy name ("" is valid: the caller's default).
func ValidPullPolicy(p string) error {
	switch p {
	case "", PullAlways, PullMissing, PullNever, PullNewer:
		return nil
	}
	return fmt.Errorf("unsupported pull policy %q: must be always, missing, never or newer: %w", p, define.ErrInvalidArg)
}

// PullReport says what Pull did.
type PullReport struct {
	// Images are the images pulled, or the local one a policy chose.
	Images []*define.Image
	// Local is true when the policy found the image locally and nothing
	// was fetched.
	Local bool
}

// Manifest formats of push --format.
const (
	ManifestFormatOCI  = "oci"
	ManifestFormatV2S2 = "v2s2"
)

// Pushed is what a push wrote: the manifest's digest and length (docker
// prints both on its last line).
type Pushed struct {
	Digest digest.Digest
	Size   int
}

// PushOptions configures Push.
type PushOptions struct {
	RegistryOptions
	// Format forces the manifest type: "oci" or "v2s2"; empty keeps the
	// stored one when the destination accepts it.
	Format string
	// CompressionFormat is gzip, zstd or zstd:chunked; it recompresses
	// layers that are already compressed otherwise.
	CompressionFormat string
	// CompressionLevel, when not nil, is the compression level.
	CompressionLevel *int
	// RemoveSignatures drops signatures instead of copying them.
	RemoveSignatures bool
	// ReportWriter receives the copy progress; nil is quiet.
	ReportWriter io.Writer
	// ForceCompression, when not nil, says whether layers are recompressed
	// with CompressionFormat even when the destination already has them
	// compressed otherwise (podman's --force-compression; default: true
	// when a format is given).
	ForceCompression *bool
	// DirCompress compresses the layers a dir: destination stores
	// (podman's --compress; dir: keeps them uncompressed otherwise).
	DirCompress bool
	// SigstoreKeyFile, when set, signs the pushed manifest with that
	// sigstore private key; SigstorePassphrase unlocks it.
	SigstoreKeyFile    string
	SigstorePassphrase []byte
	// MaxRetries, RetryDelay and RetryWarn are podman's --retry and
	// --retry-delay, as for PullOptions.
	MaxRetries uint
	RetryDelay time.Duration
	RetryWarn  io.Writer
}

// WriteDigestFile writes a pushed digest for --digestfile.
func WriteDigestFile(path string, d digest.Digest) error {
	if err := os.WriteFile(path, []byte(d.String()), 0o644); err != nil {
		return fmt.Errorf("writing digest file: %w", err)
	}
	return nil
}

// Archive formats accepted by Save.
const (
	FormatDockerArchive = "docker-archive"
	FormatOCIArchive    = "oci-archive"
	FormatOCIDir        = "oci-dir"
	FormatDockerDir     = "docker-dir"
)

// SaveOptions configures Save.
type SaveOptions struct {
	// Format is one of the Format* constants; default docker-archive.
	Format string
	// Output is the destination path. When empty, the archive is written
	// to Writer (directory formats need Output).
	Output string
	Writer io.Writer
	// ReportWriter receives copy progress lines; nil is quiet.
	ReportWriter io.Writer
}

// LoadOptions configures Load.
type LoadOptions struct {
	// Input is the archive path; when empty the archive is read from
	// Reader (spooled to a temporary file first, as the transports need
	// random access).
	Input  string
	Reader io.Reader
	// ReportWriter receives copy progress lines; nil is quiet.
	ReportWriter io.Writer
}

// ImportOptions configures Import.
type ImportOptions struct {
	// Changes are docker --change instructions applied to the new config.
	Changes []string
	// Message is recorded as the history comment.
	Message string
	// Reference names the image ("busybox" → localhost/busybox:latest);
	// empty leaves it dangling.
	Reference string
	// OS and Arch default to the host's.
	OS, Arch string
}

// CommitOptions configures Commit.
type CommitOptions struct {
	// Changes are docker --change instructions applied on top of the base
	// image's config.
	Changes []string
	// Message is recorded as the history comment of the new layer.
	Message string
	// Author goes to the config's author field.
	Author string
	// Reference names the new image; empty leaves it dangling.
	Reference string
	// Config, when set, replaces the base image's config before Changes
	// are applied: the container's own env, cmd, workdir... as docker
	// and podman commit them.
	Config *v1.ImageConfig
	// Format is "oci" (default) or "docker" (Docker schema 2 manifest).
	Format string
	// CreatedBy is the history entry's created_by: a build records the
	// instruction that made the layer there (and finds it again there as
	// its layer cache).
	CreatedBy string
	// ConfigExt, when set, is written with the config: docker's fields
	// (Healthcheck, OnBuild, Shell) that a build sets.
	ConfigExt *dockerspec.DockerOCIImageConfigExt
	// DropEmptyFiles are paths (relative, "etc/hosts") left out of the
	// new layer when they are empty regular files: the mount points the
	// OCI runtime creates for the files berth bind-mounts (a build's RUN
	// must not bake them into the image).
	DropEmptyFiles []string
	// IncludeVolumes adds the container's volume destinations to the
	// config's Volumes (commit --include-volumes).
	IncludeVolumes bool
	// Overlay, when set, is laid over the container's config (commit
	// --config FILE): Env and Labels by key, Volumes and ports added, the
	// other fields replaced where set.
	Overlay *v1.ImageConfig
}

// ErrBadCredentials is returned when a registry refuses a login.
var ErrBadCredentials = errdefs.New(errdefs.ErrUnauthorized, "invalid username/password")

// LoginOptions configures Login. AuthFile, CertDir and TLSVerify of the
// embedded RegistryOptions apply; the credentials are Username/Password.
type LoginOptions struct {
	RegistryOptions
	Username, Password string
	// CompatAuthFile, when set, receives the credentials in docker's
	// config.json format instead of the auth file (--compat-auth-file).
	CompatAuthFile string
}

// ErrNotLoggedIn is returned by Logout when key has no credentials.
var ErrNotLoggedIn = errdefs.New(errdefs.ErrNotFound, "not logged in")

// ManifestAddOptions configures ManifestAdd.
type ManifestAddOptions struct {
	RegistryOptions
	// All adds every instance when the image is itself a list.
	All bool
	// OS, Arch, Variant override the platform read from the image config.
	OS, Arch, Variant string
	// Annotations go on the instance's descriptor.
	Annotations map[string]string
}

// IsManifestListType reports whether a manifest MIME type is a list.
func IsManifestListType(mime string) bool { return manifest.MIMETypeIsMultiImage(mime) }

// ManifestPushOptions configures ManifestPush.
type ManifestPushOptions struct {
	RegistryOptions
	// Format is "oci" (an OCI index, the default) or "v2s2" (a Docker
	// manifest list); the instances are converted to match.
	Format string
	// RemoveSignatures drops signatures instead of copying them.
	RemoveSignatures bool
	// ReportWriter receives the copy progress; nil is quiet.
	ReportWriter io.Writer
}

// RegistryOptions are the per-command settings for talking to registries
// and reading remote images: credentials, TLS, the signature policy and
// the platform to pick from a manifest list. The zero value uses the
// system defaults (auth.json, registries.conf, certs.d, policy.json).
type RegistryOptions struct {
	// AuthFile is the auth.json to read (and for login, write); empty
	// uses ${XDG_RUNTIME_DIR}/containers/auth.json, or
	// /run/containers/0/auth.json for root without XDG_RUNTIME_DIR.
	AuthFile string
	// Creds is "user[:password]" and wins over AuthFile.
	Creds string
	// CertDir holds the client certificates and CA (*.crt, *.cert, *.key)
	// for every registry of the call, instead of /etc/containers/certs.d.
	CertDir string
	// TLSVerify, when not nil, forces (true) or disables (false) TLS
	// verification; false also allows plain HTTP. nil leaves it to
	// registries.conf ("insecure = true").
	TLSVerify *bool
	// SignaturePolicyPath overrides the service's policy.json.
	SignaturePolicyPath string
	// OS, Arch and Variant choose the instance of a manifest list; empty
	// means the host's.
	OS, Arch, Variant string
}

// LoopbackInsecure lets a registry on a loopback address be reached over
// plain HTTP, as dockerd does (127.0.0.0/8 is an insecure registry by
// default), unless the caller chose already. The docker API's callers
// expect it; the CLI's follow podman (registries.conf, --tls-verify).
func (o *RegistryOptions) LoopbackInsecure(ref string) {
	if o.TLSVerify != nil {
		return
	}
	host, _, _ := strings.Cut(strings.TrimPrefix(ref, "docker://"), "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		f := false
		o.TLSVerify = &f
	}
}

// orDefault returns v, or def when v is empty.
func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ManifestAnnotateOptions are the fields `manifest annotate` sets on an
// instance (or, with Index, the annotations of the list itself).
type ManifestAnnotateOptions struct {
	Annotations                  map[string]string
	Arch, OS, OSVersion, Variant string
	OSFeatures                   []string
	// Index annotates the list instead of an instance.
	Index bool
}

// SearchOptions are the options of Search.
type SearchOptions struct {
	RegistryOptions
	// Limit bounds the results per registry (0: the registry's default).
	Limit int
	// ListTags lists the tags of the repository named instead.
	ListTags bool
}

// SearchResult is one repository (or, with ListTags, one tag) found, in
// podman's search fields.
type SearchResult struct {
	Index       string
	Name        string
	Description string
	Stars       int
	Official    bool
	Automated   bool
	Tag         string
}
