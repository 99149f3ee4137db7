//go:build !berth_lean

package image

import (
	"fmt"
	"os"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/shortnames"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"
	"golang.org/x/term"
)

// sysContext is systemContext plus the call's registry settings.
func (s *Service) sysContext(ro RegistryOptions) (*types.SystemContext, error) {
	sys := s.systemContext()
	sys.AuthFilePath = ro.AuthFile
	sys.DockerCertPath = ro.CertDir
	sys.OSChoice, sys.ArchitectureChoice, sys.VariantChoice = ro.OS, ro.Arch, ro.Variant
	if ro.SignaturePolicyPath != "" {
		sys.SignaturePolicyPath = ro.SignaturePolicyPath
	}
	if ro.TLSVerify != nil {
		sys.DockerInsecureSkipTLSVerify = types.NewOptionalBool(!*ro.TLSVerify)
		sys.OCIInsecureSkipTLSVerify = !*ro.TLSVerify
		sys.DockerDaemonInsecureSkipTLSVerify = !*ro.TLSVerify
	}
	if ro.Creds != "" {
		user, pass, _ := strings.Cut(ro.Creds, ":")
		if user == "" {
			return nil, fmt.Errorf("invalid --creds %q: the user name is empty: %w", ro.Creds, define.ErrInvalidArg)
		}
		sys.DockerAuthConfig = &types.DockerAuthConfig{Username: user, Password: pass}
	}
	if ro.AuthFile != "" {
		// An explicit auth file that does not exist is a typo, not "no
		// credentials" (podman checks the same).
		if _, err := os.Stat(ro.AuthFile); err != nil && ro.Creds == "" {
			return nil, fmt.Errorf("credential file is not accessible: %v: %w", err, define.ErrInvalidArg)
		}
	}
	return sys, nil
}

// pullCandidates resolves a docker name (no transport) to the fully
// qualified references to try, in order, with a description of how they
// were found ("" for a fully qualified name). Short names go through
// registries.conf: an alias wins, then every unqualified-search registry.
// Without a terminal, a short name with several candidates in enforcing
// mode is an error that lists them, so that scripts learn what to write.
func pullCandidates(sys *types.SystemContext, name string) (_ []reference.Named, description string, _ *shortnames.Resolved, _ error) {
	resolved, err := shortnames.Resolve(sys, name)
	if err != nil {
		if cands, ok := ambiguousCandidates(sys, name); ok {
			return nil, "", nil, fmt.Errorf("short-name %q is ambiguous and cannot be resolved without a terminal: use a fully qualified name, one of: %s: %w",
				name, strings.Join(cands, ", "), define.ErrInvalidArg)
		}
		return nil, "", nil, fmt.Errorf("resolving %q: %v: %w", name, err, define.ErrInvalidArg)
	}
	out := make([]reference.Named, 0, len(resolved.PullCandidates))
	for _, c := range resolved.PullCandidates {
		out = append(out, c.Value)
	}
	return out, resolved.Description(), resolved, nil
}

// ambiguousCandidates reports the candidates of a short name when
// resolution failed only because it needs a prompt (enforcing mode, no
// terminal, several unqualified-search registries).
func ambiguousCandidates(sys *types.SystemContext, name string) ([]string, bool) {
	if term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())) {
		return nil, false
	}
	mode, err := sysregistriesv2.GetShortNameMode(sys)
	if err != nil || mode != types.ShortNameModeEnforcing || !shortnames.IsShortName(name) {
		return nil, false
	}
	regs, err := sysregistriesv2.UnqualifiedSearchRegistries(sys)
	if err != nil || len(regs) < 2 {
		return nil, false
	}
	var out []string
	for _, r := range regs {
		named, err := reference.ParseNormalizedNamed(r + "/" + name)
		if err != nil {
			return nil, false
		}
		out = append(out, reference.TagNameOnly(named).String())
	}
	return out, true
}
