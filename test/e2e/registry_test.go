package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRegistryTLSAuthLogin drives login/logout and authenticated push and
// pull against a TLS registry whose CA only --cert-dir knows.
func TestRegistryTLSAuthLogin(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{TLS: true, Auth: true})
	env := NewEnv(t)
	// The default auth file lives under XDG_RUNTIME_DIR: give the test its
	// own so the user's logins are never touched.
	xdg := filepath.Join(env.TmpDir, "xdg")
	if err := os.MkdirAll(xdg, 0o700); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, "XDG_RUNTIME_DIR="+xdg)
	defaultAuth := filepath.Join(xdg, "containers", "auth.json")
	env.MustBerth(t, "import", busyboxTar, "fx-busybox")
	ref := reg.Ref("auth/busybox:1")

	// Unknown CA without --cert-dir.
	r := env.BerthStdin(strings.NewReader(reg.Password), "login", "-u", reg.User, "--password-stdin", reg.Addr)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "certificate") {
		t.Errorf("login without the CA: want a certificate error\n%s", r)
	}
	// Wrong password.
	r = env.Berth("login", "--cert-dir", reg.CertDir, "-u", reg.User, "-p", "wrong", reg.Addr)
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "invalid username/password") {
		t.Errorf("login with a wrong password:\n%s", r)
	}
	if _, err := os.Stat(defaultAuth); err == nil {
		t.Errorf("failed logins wrote %s", defaultAuth)
	}
	// Push without credentials is refused.
	if r := env.Berth("push", "--cert-dir", reg.CertDir, "fx-busybox", ref); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "authentication required") {
		t.Errorf("push without login:\n%s", r)
	}
	// No terminal, no password: a clear error, no prompt.
	if r := env.Berth("login", "--cert-dir", reg.CertDir, "-u", reg.User, reg.Addr); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "terminal") {
		t.Errorf("login without a password and without a terminal:\n%s", r)
	}

	r = env.BerthStdin(strings.NewReader(reg.Password+"\n"), "login", "--cert-dir", reg.CertDir, "-u", reg.User, "--password-stdin", reg.Addr)
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "Login Succeeded!" {
		t.Fatalf("login:\n%s", r)
	}
	var auth struct {
		Auths map[string]struct{ Auth string } `json:"auths"`
	}
	if b, err := os.ReadFile(defaultAuth); err != nil || json.Unmarshal(b, &auth) != nil || auth.Auths[reg.Addr].Auth == "" {
		t.Fatalf("auth.json at %s: %s, %v", defaultAuth, b, err)
	}
	if got := env.MustBerth(t, "login", "--get-login", reg.Addr); got != reg.User {
		t.Errorf("login --get-login = %q", got)
	}
	// Logged in: push and pull with the stored credentials.
	env.MustBerth(t, "push", "-q", "--cert-dir", reg.CertDir, "fx-busybox", ref)
	other := NewEnv(t)
	other.Environ = env.Environ
	id := other.MustBerth(t, "pull", "-q", "--cert-dir", reg.CertDir, ref)
	if id != pbImageID(t, env, "fx-busybox") {
		t.Errorf("pulled %s, want %s", id, pbImageID(t, env, "fx-busybox"))
	}
	// --tls-verify=false skips the CA check.
	other.MustBerth(t, "pull", "-q", "--tls-verify=false", ref)

	// An explicit --authfile and REGISTRY_AUTH_FILE.
	authFile := filepath.Join(env.TmpDir, "my-auth.json")
	env.MustBerth(t, "login", "--authfile", authFile, "--cert-dir", reg.CertDir, "-u", reg.User, "-p", reg.Password, reg.Addr)
	third := NewEnv(t)
	if r := third.Berth("pull", "-q", "--cert-dir", reg.CertDir, ref); r.ExitCode() != 125 {
		t.Errorf("pull without credentials:\n%s", r)
	}
	third.Environ = append(third.Environ, "REGISTRY_AUTH_FILE="+authFile)
	third.MustBerth(t, "pull", "-q", "--cert-dir", reg.CertDir, ref)
	// --creds wins over any file.
	fourth := NewEnv(t)
	fourth.MustBerth(t, "pull", "-q", "--cert-dir", reg.CertDir, "--creds", reg.User+":"+reg.Password, ref)

	// Logout, twice.
	if got := env.MustBerth(t, "logout", reg.Addr); got != "Removed login credentials for "+reg.Addr {
		t.Errorf("logout printed %q", got)
	}
	if r := env.Berth("logout", reg.Addr); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "not logged into "+reg.Addr) {
		t.Errorf("second logout:\n%s", r)
	}
	if got := env.MustBerth(t, "logout", "--authfile", authFile, "-a"); got != "Removed login credentials for all registries" {
		t.Errorf("logout -a printed %q", got)
	}
	if r := env.Berth("login", "--get-login", "--authfile", authFile, reg.Addr); r.ExitCode() != 125 {
		t.Errorf("--get-login after logout:\n%s", r)
	}
}

// TestRegistryCorruptBlob pulls through a proxy that damages layer blobs:
// each pull fails with a clear error, stores nothing (no image, no
// layer), and a retry through a healthy proxy succeeds.
func TestRegistryCorruptBlob(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	rgImportFixtures(t, env)
	env.MustBerth(t, "push", "-q", "--tls-verify=false", rgTwoLayer, reg.Ref("two:1"))
	proxy := StartBlobProxy(t, reg)
	ref := proxy.Addr + "/two:1"
	layers := reg.ManifestLayers(t, "two", "1")
	if len(layers) != 2 {
		t.Fatalf("two:1 has layers %v", layers)
	}
	top := layers[1]

	dst := NewEnv(t)
	layersFile := filepath.Join(dst.Root, "overlay-layers", "layers.json")
	if d := os.Getenv("BERTH_E2E_STORAGE_DRIVER"); d != "" && d != "overlay" {
		layersFile = filepath.Join(dst.Root, d+"-layers", "layers.json")
	}
	for _, tc := range []struct {
		mode int32
		want string
	}{
		{ProxyCorrupt, "digest"},
		{ProxyTruncate, ""},
	} {
		proxy.Damage(tc.mode, top)
		r := dst.Berth("pull", "--tls-verify=false", ref)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "Error: ") || !strings.Contains(strings.ToLower(r.Stderr()), tc.want) {
			t.Errorf("pull through a damaging proxy (mode %d): want a clear error mentioning %q\n%s", tc.mode, tc.want, r)
		}
		if out := dst.MustBerth(t, "images", "-a", "-q"); out != "" {
			t.Errorf("images after a failed pull: %q", out)
		}
		var layers []map[string]any
		if b, err := os.ReadFile(layersFile); err == nil {
			if err := json.Unmarshal(b, &layers); err != nil {
				t.Fatalf("%s: %v", layersFile, err)
			}
		}
		if len(layers) != 0 {
			t.Errorf("layers left after a failed pull (mode %d): %v", tc.mode, layers)
		}
	}
	proxy.Damage(ProxyPass, "")
	id := dst.MustBerth(t, "pull", "-q", "--tls-verify=false", ref)
	if want := pbImageID(t, env, rgTwoLayer); id != want {
		t.Errorf("retry pulled %s, want %s", id, want)
	}
	if got := dst.MustBerth(t, "run", "--rm", ref); got != "hello from layer two" {
		t.Errorf("run after retry = %q", got)
	}
}

// TestRegistryShortNames resolves short names through a test
// registries.conf: aliases, unqualified-search registries (ambiguous
// without a terminal in enforcing mode), mirrors and insecure registries.
func TestRegistryShortNames(t *testing.T) {
	t.Parallel()
	reg1 := StartRegistry(t, RegistryOptions{})
	reg2 := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	env.MustBerth(t, "import", busyboxTar, "fx-busybox")
	id := pbImageID(t, env, "fx-busybox")
	env.MustBerth(t, "push", "-q", "--tls-verify=false", "fx-busybox", reg2.Ref("lib/shorty:latest"))
	env.MustBerth(t, "push", "-q", "--tls-verify=false", "fx-busybox", reg1.Ref("mirrored/img:1"))

	conf := func(mode string) string {
		p := filepath.Join(env.TmpDir, "registries-"+mode+".conf")
		body := `unqualified-search-registries = ["` + reg1.Addr + `", "` + reg2.Addr + `"]
short-name-mode = "` + mode + `"

[aliases]
"aliased" = "` + reg2.Addr + `/lib/shorty"

[[registry]]
location = "` + reg1.Addr + `"
insecure = true

[[registry]]
location = "` + reg2.Addr + `"
insecure = true

[[registry]]
prefix = "example.invalid/remote"
location = "example.invalid/remote"
[[registry.mirror]]
location = "` + reg1.Addr + `/mirrored"
insecure = true
`
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	enforcing := NewEnv(t)
	enforcing.Environ = append(enforcing.Environ, "CONTAINERS_REGISTRIES_CONF="+conf("enforcing"))
	r := enforcing.Berth("pull", "lib/shorty")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "ambiguous") ||
		!strings.Contains(r.Stderr(), reg1.Addr+"/lib/shorty:latest") || !strings.Contains(r.Stderr(), reg2.Addr+"/lib/shorty:latest") {
		t.Errorf("ambiguous short name without a terminal: want an error listing both candidates\n%s", r)
	}
	// An alias is never ambiguous; insecure comes from registries.conf.
	r = enforcing.Berth("pull", "aliased")
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != id || !strings.Contains(r.Stderr(), "alias") {
		t.Errorf("pull of an alias:\n%s", r)
	}
	if got := pbImageID(t, enforcing, reg2.Addr+"/lib/shorty:latest"); got != id {
		t.Errorf("alias stored as %s", got)
	}
	// A mirror serves a registry that does not exist.
	if got := enforcing.MustBerth(t, "pull", "-q", "example.invalid/remote/img:1"); got != id {
		t.Errorf("pull through mirror = %q, want %s", got, id)
	}

	permissive := NewEnv(t)
	permissive.Environ = append(permissive.Environ, "CONTAINERS_REGISTRIES_CONF="+conf("permissive"))
	r = permissive.Berth("pull", "lib/shorty")
	if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != id ||
		!strings.Contains(r.Stderr(), "Trying to pull "+reg1.Addr+"/lib/shorty:latest") || !strings.Contains(r.Stderr(), "Trying to pull "+reg2.Addr+"/lib/shorty:latest") {
		t.Errorf("permissive short name: want both candidates tried, the second one found\n%s", r)
	}
	// And it is found locally by its short name afterwards.
	permissive.MustBerth(t, "run", "--rm", "--pull", "never", "lib/shorty", "true")
}

// TestRegistrySignaturePolicy honours a policy given with
// --signature-policy: reject refuses, a signedBy requirement refuses an
// unsigned image, insecureAcceptAnything accepts.
func TestRegistrySignaturePolicy(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	env.MustBerth(t, "import", busyboxTar, "fx-busybox")
	env.MustBerth(t, "push", "-q", "--tls-verify=false", "fx-busybox", reg.Ref("p/bb:1"))
	reject := filepath.Join(env.TmpDir, "reject.json")
	accept := filepath.Join(env.TmpDir, "accept.json")
	scoped := filepath.Join(env.TmpDir, "scoped.json")
	signed := filepath.Join(env.TmpDir, "signed.json")
	for p, body := range map[string]string{
		signed: `{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"` + filepath.Join(env.TmpDir, "key.gpg") + `"}]}`,
		reject: `{"default":[{"type":"reject"}]}`,
		accept: `{"default":[{"type":"insecureAcceptAnything"}]}`,
		scoped: `{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{"` + reg.Addr + `/p":[{"type":"reject"}]}}}`,
	} {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dst := NewEnv(t)
	for _, pol := range []string{reject, scoped, signed} {
		r := dst.Berth("pull", "--signature-policy", pol, "--tls-verify=false", reg.Ref("p/bb:1"))
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "rejected") {
			t.Errorf("pull with policy %s: want a rejection\n%s", filepath.Base(pol), r)
		}
	}
	if out := dst.MustBerth(t, "images", "-q"); out != "" {
		t.Errorf("rejected pulls stored images: %q", out)
	}
	dst.MustBerth(t, "pull", "-q", "--signature-policy", accept, "--tls-verify=false", reg.Ref("p/bb:1"))
}

// TestRegistryInterruptedPull interrupts a pull (SIGINT) while a layer is
// half downloaded: berth exits with an error and keeps no layer of it.
func TestRegistryInterruptedPull(t *testing.T) {
	t.Parallel()
	reg := StartRegistry(t, RegistryOptions{})
	env := NewEnv(t)
	rgImportFixtures(t, env)
	env.MustBerth(t, "push", "-q", "--tls-verify=false", rgTwoLayer, reg.Ref("two:1"))
	proxy := StartBlobProxy(t, reg)
	layers := reg.ManifestLayers(t, "two", "1")
	proxy.Damage(ProxyStall, layers[len(layers)-1])

	dst := NewEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	cmd := dst.Command(ctx, "pull", "--tls-verify=false", proxy.Addr+"/two:1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-proxy.Stalled:
	case <-ctx.Done():
		t.Fatal("the pull never reached the stalled blob")
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err == nil || cmd.ProcessState.ExitCode() != 125 || !strings.Contains(stderr.String(), "Error: ") {
		t.Errorf("interrupted pull: %v, exit %d\n%s", err, cmd.ProcessState.ExitCode(), stderr.String())
	}
	if out := dst.MustBerth(t, "images", "-a", "-q"); out != "" {
		t.Errorf("images after an interrupted pull: %q", out)
	}
	if b, err := os.ReadFile(filepath.Join(dst.Root, "overlay-layers", "layers.json")); err == nil && strings.Contains(string(b), `"id"`) {
		t.Errorf("layers left after an interrupted pull: %s", b)
	}
	proxy.Damage(ProxyPass, "")
	dst.MustBerth(t, "pull", "-q", "--tls-verify=false", proxy.Addr+"/two:1")
}
