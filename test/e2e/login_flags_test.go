package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoginSecretAndCompatAuthFile logs in with the password of a berth
// secret, writing docker's config.json instead of the auth file.
func TestLoginSecretAndCompatAuthFile(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{Auth: true})
	env := NewEnv(t)
	xdg := filepath.Join(env.TmpDir, "xdg")
	_ = os.MkdirAll(xdg, 0o700)
	env.Environ = append(env.Environ, "XDG_RUNTIME_DIR="+xdg)
	defaultAuth := filepath.Join(xdg, "containers", "auth.json")
	compat := filepath.Join(env.TmpDir, "docker", "config.json")

	env.BerthStdin(strings.NewReader(reg.Password+"\n"), "secret", "create", "regpass", "-")
	env.BerthStdin(strings.NewReader("wrong"), "secret", "create", "badpass", "-")
	r := env.Berth("login", "--tls-verify=false", "--secret", "badpass", "-u", reg.User, reg.Addr)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "invalid username/password") {
		t.Errorf("login --secret with a wrong password:\n%s", r)
	}
	if got := env.MustBerth(t, "login", "--tls-verify=false", "--secret", "regpass", "-u", reg.User, "--compat-auth-file", compat, reg.Addr); got != "Login Succeeded!" {
		t.Errorf("login --secret printed %q", got)
	}
	var cfg struct {
		Auths map[string]struct{ Auth string } `json:"auths"`
	}
	if b, err := os.ReadFile(compat); err != nil || json.Unmarshal(b, &cfg) != nil || cfg.Auths[reg.Addr].Auth == "" {
		t.Errorf("--compat-auth-file %s: %s, %v", compat, b, err)
	}
	if _, err := os.Stat(defaultAuth); err == nil {
		t.Errorf("login --compat-auth-file also wrote %s", defaultAuth)
	}
	wantRefused(t, env.Berth("login", "--authfile", defaultAuth, "--compat-auth-file", compat, reg.Addr), "can not be set simultaneously")
	wantRefused(t, env.Berth("login", "--secret", "regpass", "-p", "x", reg.Addr), "--secret can not be used with --password")
	if r := env.Berth("login", "--tls-verify=false", "--secret", "nosuch", reg.Addr); r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "nosuch") {
		t.Errorf("login --secret of a missing secret:\n%s", r)
	}
}
