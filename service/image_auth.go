package service

import (
	"context"

	"github.com/berth-dev/berth/engine/image"
)

// RegistryKey is the auth-file key for a login/logout argument (a
// registry, a repository, or empty for the default registry).
func RegistryKey(arg string, ro RegistryOptions) (string, error) { return image.AuthKey(arg, ro) }

// CurrentLogin returns the user stored for key ("" when none); with check
// the stored credentials are tried against the registry first.
func CurrentLogin(ctx context.Context, key string, ro RegistryOptions, check bool) (string, error) {
	return image.ExistingLogin(ctx, key, ro, check)
}

// Login checks the credentials against the registry and stores them; it
// returns the file they were written to.
func Login(ctx context.Context, key string, opts LoginOptions) (string, error) {
	return image.Login(ctx, key, opts)
}

// Logout removes the stored credentials for key (every one when key is "").
func Logout(key string, ro RegistryOptions) error { return image.Logout(key, ro) }
