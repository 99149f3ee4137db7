package service

import (
	"fmt"
	"strings"
	"time"

	"github.com/berth-dev/berth/engine"
	"github.com/berth-dev/berth/engine/secrets"
	"github.com/berth-dev/berth/internal/errdefs"
)

// SecretInfo is one secret as `secret inspect` and the libpod API show it
// (podman's SecretInfoReport).
type SecretInfo struct {
	ID         string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Spec       SecretSpec
	SecretData string `json:",omitempty"`
}

// SecretSpec is the user's side of a secret.
type SecretSpec struct {
	Name   string
	Driver SecretDriverSpec
	Labels map[string]string
}

// SecretDriverSpec names the driver and its options.
type SecretDriverSpec struct {
	Name    string
	Options map[string]string
}

// SecretCreateOptions are the flags of `secret create`.
type SecretCreateOptions = secrets.StoreOptions

// SecretCreate stores a secret and returns its ID.
func SecretCreate(rt *engine.Runtime, name string, data []byte, o SecretCreateOptions) (string, error) {
	return rt.Secrets().Store(name, data, o)
}

// secretFilterKeys are podman's `secret ls` filters.
var secretFilterKeys = []string{"name", "id", "label"}

// CheckSecretFilters validates key=value filters before any work.
func CheckSecretFilters(filters []string) error {
	for _, f := range filters {
		if _, _, err := splitFilter(f, secretFilterKeys); err != nil {
			return err
		}
	}
	return nil
}

// SecretList lists the secrets matching filters (values of one key OR-ed,
// keys AND-ed; name and id are regular expressions, as in podman).
func SecretList(rt *engine.Runtime, filters []string) ([]SecretInfo, error) {
	if err := CheckSecretFilters(filters); err != nil {
		return nil, err
	}
	all, err := rt.Secrets().List()
	if err != nil {
		return nil, err
	}
	byKey := map[string][]string{}
	for _, f := range filters {
		k, v, _ := strings.Cut(f, "=")
		byKey[k] = append(byKey[k], v)
	}
	out := []SecretInfo{}
	for _, s := range all {
		ok := true
		for k, vals := range byKey {
			hit := false
			for _, v := range vals {
				switch k {
				case "name":
					hit = hit || matchRegexp(v, s.Name)
				case "id":
					hit = hit || matchRegexp(v, s.ID)
				case "label":
					hit = hit || matchLabel(v, s.Labels)
				}
			}
			ok = ok && hit
		}
		if ok {
			out = append(out, secretInfo(&s))
		}
	}
	return out, nil
}

// SecretInspect returns one secret; showSecret adds its data.
func SecretInspect(rt *engine.Runtime, nameOrID string, showSecret bool) (*SecretInfo, error) {
	m := rt.Secrets()
	if !showSecret {
		s, err := m.Lookup(nameOrID)
		if err != nil {
			return nil, err
		}
		info := secretInfo(s)
		return &info, nil
	}
	s, data, err := m.LookupData(nameOrID)
	if err != nil {
		return nil, err
	}
	info := secretInfo(s)
	info.SecretData = string(data)
	return &info, nil
}

// SecretRemove removes a secret and returns its ID.
func SecretRemove(rt *engine.Runtime, nameOrID string) (string, error) {
	return rt.Secrets().Delete(nameOrID)
}

// SecretExists reports whether a secret of that name or ID exists.
func SecretExists(rt *engine.Runtime, nameOrID string) (bool, error) {
	_, err := rt.Secrets().Lookup(nameOrID)
	if err == nil {
		return true, nil
	}
	if errdefs.IsNotFound(err) {
		return false, nil
	}
	return false, err
}

func secretInfo(s *secrets.Secret) SecretInfo {
	labels := s.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return SecretInfo{ID: s.ID, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
		Spec: SecretSpec{Name: s.Name, Labels: labels, Driver: SecretDriverSpec{Name: s.Driver, Options: s.DriverOptions}}}
}

// Secret store limits and checks the CLI applies before opening the
// runtime.
const (
	SecretDriverFile = secrets.DriverFile
	SecretMaxSize    = secrets.MaxSize
)

// CheckSecretName validates a secret name as podman does.
func CheckSecretName(name string) error { return secrets.CheckName(name) }

// CheckSecretDriver refuses every driver but the file driver.
func CheckSecretDriver(name string) error {
	if name != secrets.DriverFile {
		return fmt.Errorf("%s: %w", name, secrets.ErrInvalidDriver)
	}
	return nil
}
