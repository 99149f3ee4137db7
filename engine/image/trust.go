package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.podman.io/storage/pkg/ioutils"
)

// defaultPolicyPath is where containers tools keep the signature policy.
const defaultPolicyPath = "/etc/containers/policy.json"

// PolicyPath is the policy.json that `image trust` reads and writes:
// override when given, else the system file pulls fall back to.
func PolicyPath(override string) string {
	if override != "" {
		return override
	}
	return defaultPolicyPath
}

// TrustEntry is one requirement of policy.json as podman's `image trust
// show` describes it.
type TrustEntry struct {
	Transport      string   `json:"transport"`
	Name           string   `json:"name,omitempty"`
	RepoName       string   `json:"repo_name,omitempty"`
	Keys           []string `json:"keys,omitempty"`
	SignatureStore string   `json:"sigstore,omitempty"`
	Type           string   `json:"type"`
	GPGId          string   `json:"gpg_id,omitempty"`
}

// policyRequirement is the part of a policy.json requirement trust reads;
// requirements are kept as raw JSON so `trust set` rewrites the others
// unchanged.
type policyRequirement struct {
	Type     string   `json:"type"`
	KeyPath  string   `json:"keyPath,omitempty"`
	KeyPaths []string `json:"keyPaths,omitempty"`
}

type policyFile struct {
	Default    []json.RawMessage                       `json:"default"`
	Transports map[string]map[string][]json.RawMessage `json:"transports,omitempty"`
}

func readPolicyFile(path string, missingOK bool) (*policyFile, error) {
	p := &policyFile{}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && missingOK {
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("could not read trust policies: %w", err)
	}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("could not read trust policies: parsing %s: %w", path, err)
	}
	return p, nil
}

// trustTypeDescription maps policy.json's types to podman's short names.
func trustTypeDescription(t string) string {
	switch t {
	case "insecureAcceptAnything":
		return "accept"
	case "signedBy":
		return "signed"
	}
	return t
}

// TrustShow describes the policy at path: the default first, then each
// transport's scopes in order ("docker" shown as "repository").
// GPG identities are not read (this build has no GPG); signedBy rows list
// their key files in Keys.
func TrustShow(path string) ([]TrustEntry, error) {
	p, err := readPolicyFile(path, false)
	if err != nil {
		return nil, err
	}
	var out []TrustEntry
	add := func(tmpl TrustEntry, reqs []json.RawMessage) error {
		for _, raw := range reqs {
			var r policyRequirement
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("could not read trust policies: %w", err)
			}
			e := tmpl
			e.Type = trustTypeDescription(r.Type)
			if r.KeyPath != "" {
				e.Keys = append(e.Keys, r.KeyPath)
			}
			e.Keys = append(e.Keys, r.KeyPaths...)
			if r.Type == "sigstoreSigned" {
				e.GPGId = "N/A"
			}
			out = append(out, e)
		}
		return nil
	}
	if err := add(TrustEntry{Transport: "all", Name: "* (default)", RepoName: "default"}, p.Default); err != nil {
		return nil, err
	}
	transports := sortedKeys(p.Transports)
	for _, t := range transports {
		shown := t
		if t == "docker" {
			shown = "repository"
		}
		for _, scope := range sortedKeys(p.Transports[t]) {
			if err := add(TrustEntry{Transport: shown, Name: scope, RepoName: scope}, p.Transports[t][scope]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TrustTypes are the values `image trust set --type` accepts.
var TrustTypes = []string{"accept", "reject", "signedBy", "sigstoreSigned"}

// TrustSet makes the requirement for scope ("default" or a registry,
// repository or *.domain) trustType with keys, in the policy at path (created
// when missing), replacing what the scope had. The file is replaced
// atomically so a failure leaves the old policy.
func TrustSet(path, scope, trustType string, keys []string) error {
	if !slices.Contains(TrustTypes, trustType) {
		return fmt.Errorf("invalid choice: %s (choose from 'accept', 'reject', 'signedBy', 'sigstoreSigned')", trustType)
	}
	signed := trustType == "signedBy" || trustType == "sigstoreSigned"
	if signed && len(keys) == 0 {
		return fmt.Errorf("at least one public key must be defined for type '%s'", trustType)
	}
	if !signed && len(keys) > 0 {
		return fmt.Errorf("%d public keys unexpectedly provided for type '%s'", len(keys), trustType)
	}
	if scope == "" || strings.ContainsAny(scope, " \t\n") {
		return fmt.Errorf("invalid registry name %q", scope)
	}
	var reqs []json.RawMessage
	addReq := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		reqs = append(reqs, b)
		return nil
	}
	switch trustType {
	case "accept":
		_ = addReq(map[string]string{"type": "insecureAcceptAnything"})
	case "reject":
		_ = addReq(map[string]string{"type": "reject"})
	default:
		for _, k := range keys {
			abs, err := filepath.Abs(k)
			if err != nil {
				return err
			}
			if _, err := os.Stat(abs); err != nil {
				return fmt.Errorf("public key file: %w", err)
			}
			r := map[string]string{"type": trustType, "keyPath": abs}
			if trustType == "signedBy" {
				r["keyType"] = "GPGKeys"
			}
			_ = addReq(r)
		}
	}
	p, err := readPolicyFile(path, true)
	if err != nil {
		return err
	}
	if scope == "default" {
		p.Default = reqs
	} else {
		if p.Transports == nil {
			p.Transports = map[string]map[string][]json.RawMessage{}
		}
		if p.Transports["docker"] == nil {
			p.Transports["docker"] = map[string][]json.RawMessage{}
		}
		p.Transports["docker"][scope] = reqs
	}
	if p.Default == nil {
		// policy.json requires a default; podman's own default rejects
		// nothing, and an empty list would reject every image.
		p.Default = []json.RawMessage{json.RawMessage(`{"type":"insecureAcceptAnything"}`)}
	}
	b, err := json.MarshalIndent(p, "", "    ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return ioutils.AtomicWriteFile(path, append(b, '\n'), 0o644)
}
