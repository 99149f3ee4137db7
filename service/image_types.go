package service

import "github.com/berth-dev/berth/engine/image"

// The option and result records of the image verbs, aliased from
// engine/image so that callers of service never import it. In the lean
// build (tag berth_lean) the transfer verbs return ErrNeedsFull.
type (
	RegistryOptions    = image.RegistryOptions
	PullOptions        = image.PullOptions
	PushOptions        = image.PushOptions
	LoginOptions       = image.LoginOptions
	ImportOptions      = image.ImportOptions
	LoadOptions        = image.LoadOptions
	SaveOptions        = image.SaveOptions
	CommitOptions      = image.CommitOptions
	HistoryEntry       = image.HistoryEntry
	ImageRemoveReport  = image.RemoveReport
	ManifestAddOptions = image.ManifestAddOptions
	ImageTree          = image.ImageTree
	TreeLayer          = image.TreeLayer
)

// The archive formats of Save.
const (
	FormatDockerArchive = image.FormatDockerArchive
	FormatOCIArchive    = image.FormatOCIArchive
	FormatOCIDir        = image.FormatOCIDir
	FormatDockerDir     = image.FormatDockerDir
)

// PullAlways is the default pull policy.
const PullAlways = image.PullAlways

var (
	// ErrNeedsFull is what the lean build answers for a verb only the
	// complete binary can do; the CLI hands the command line off on it.
	ErrNeedsFull = image.ErrNeedsFull
	// ErrNotLoggedIn is returned for a registry with no stored credentials.
	ErrNotLoggedIn = image.ErrNotLoggedIn
)

// ValidPullPolicy checks a --pull/--policy value.
func ValidPullPolicy(p string) error { return image.ValidPullPolicy(p) }
