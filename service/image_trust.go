package service

import "github.com/berth-dev/berth/engine/image"

// TrustEntry is one row of `image trust show`.
type TrustEntry = image.TrustEntry

// TrustTypes are the values `image trust set --type` accepts.
var TrustTypes = image.TrustTypes

// PolicyPath is the policy.json `image trust` uses: override, else the
// system one pulls fall back to.
func PolicyPath(override string) string { return image.PolicyPath(override) }

// TrustShow describes the signature policy at path.
func TrustShow(path string) ([]TrustEntry, error) { return image.TrustShow(path) }

// TrustSet replaces scope's requirement in the policy at path.
func TrustSet(path, scope, trustType string, keys []string) error {
	return image.TrustSet(path, scope, trustType, keys)
}
