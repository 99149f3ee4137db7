//go:build !berth_lean

package image

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/pkg/docker/config"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"
)

// registryOnly is a Service without a store: login and logout need the
// registry settings but never the image store.
var registryOnly = &Service{}

// AuthKey turns what a user typed for login/logout ("quay.io",
// "docker://quay.io/ns", "https://localhost:5000/") into the key of
// auth.json: a registry, optionally with a repository path. Empty uses the
// first unqualified-search registry, as podman does.
func AuthKey(arg string, ro RegistryOptions) (string, error) {
	key := strings.TrimPrefix(arg, "docker://")
	key = strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	key = strings.TrimSuffix(key, "/")
	if key == "" {
		sys, err := registryOnly.sysContext(ro)
		if err != nil {
			return "", err
		}
		regs, err := sysregistriesv2.UnqualifiedSearchRegistries(sys)
		if err != nil || len(regs) == 0 {
			return "", fmt.Errorf("please provide a registry to log in to: %w", define.ErrInvalidArg)
		}
		key = regs[0]
	}
	if strings.ContainsAny(key, " \t@") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("invalid registry %q: %w", arg, define.ErrInvalidArg)
	}
	return key, nil
}

// Login checks the credentials against the registry of key and stores
// them in the auth file. It returns the auth file (or helper) written.
func Login(ctx context.Context, key string, opts LoginOptions) (string, error) {
	ro := opts.RegistryOptions
	ro.Creds = ""
	sys, err := loginSystemContext(ro)
	if err != nil {
		return "", err
	}
	host, _, _ := strings.Cut(key, "/")
	if err := docker.CheckAuth(ctx, sys, opts.Username, opts.Password, host); err != nil {
		var unauth docker.ErrUnauthorizedForCredentials
		if errors.As(err, &unauth) {
			return "", fmt.Errorf("logging into %q: %w", key, ErrBadCredentials)
		}
		return "", fmt.Errorf("authenticating creds for %q: %w", key, err)
	}
	if opts.CompatAuthFile != "" {
		sys.AuthFilePath, sys.DockerCompatAuthFilePath = "", opts.CompatAuthFile
	}
	where, err := config.SetCredentials(sys, key, opts.Username, opts.Password)
	if err != nil {
		return "", fmt.Errorf("storing credentials for %q: %w", key, err)
	}
	return where, nil
}

// ExistingLogin returns the user name stored for key, or "" when there are
// no stored credentials. With check, the stored credentials are verified
// against the registry first (an error means they no longer work).
func ExistingLogin(ctx context.Context, key string, ro RegistryOptions, check bool) (string, error) {
	sys, err := loginSystemContext(ro)
	if err != nil {
		return "", err
	}
	auth, err := config.GetCredentials(sys, key)
	if err != nil {
		return "", fmt.Errorf("reading credentials for %q: %w", key, err)
	}
	if auth.Username == "" {
		return "", nil
	}
	if check {
		host, _, _ := strings.Cut(key, "/")
		if err := docker.CheckAuth(ctx, sys, auth.Username, auth.Password, host); err != nil {
			return "", err
		}
	}
	return auth.Username, nil
}

// Logout removes the credentials of key (or of every registry when key is
// empty) from the auth file.
func Logout(key string, ro RegistryOptions) error {
	sys, err := loginSystemContext(ro)
	if err != nil {
		return err
	}
	if key == "" {
		if err := config.RemoveAllAuthentication(sys); err != nil {
			return fmt.Errorf("removing all credentials: %w", err)
		}
		return nil
	}
	if err := config.RemoveAuthentication(sys, key); err != nil {
		if errors.Is(err, config.ErrNotLoggedIn) {
			return fmt.Errorf("not logged into %s: %w", key, ErrNotLoggedIn)
		}
		return fmt.Errorf("logging out of %q: %w", key, err)
	}
	return nil
}

// loginSystemContext is the system context for login and logout: the
// registry settings, and an auth file that may not exist yet.
func loginSystemContext(ro RegistryOptions) (*types.SystemContext, error) {
	authFile := ro.AuthFile
	ro.AuthFile = ""
	sys, err := registryOnly.sysContext(ro)
	if err != nil {
		return nil, err
	}
	sys.AuthFilePath = authFile
	return sys, nil
}
