package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.podman.io/image/v5/signature/sigstore"
)

// wantRefused checks that a command failed with 125 and one line of
// error naming want.
func wantRefused(t *testing.T, r Result, want string) {
	t.Helper()
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), want) || strings.Count(strings.TrimSpace(r.Stderr()), "\n") != 0 {
		t.Errorf("want one-line refusal naming %q, exit 125:\n%s", want, r)
	}
}

// TestPushFlags covers push's --compress, sigstore signing, --platform,
// --retry and the refused signing/encryption flags, and pull's
// --disable-content-trust and --decryption-key.
func TestPushFlags(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	rgImportFixtures(t, env)
	dir := env.TmpDir
	layerTypes := func(d string) []string {
		var man struct{ Layers []struct{ MediaType string } }
		b, _ := os.ReadFile(filepath.Join(d, "manifest.json"))
		if err := json.Unmarshal(b, &man); err != nil {
			t.Fatalf("manifest of %s: %v", d, err)
		}
		var out []string
		for _, l := range man.Layers {
			out = append(out, l.MediaType)
		}
		return out
	}
	// dir: stores layers uncompressed unless --compress.
	env.MustBerth(t, "push", "-q", "--format", "oci", rgTwoLayer, "dir:"+dir+"/plain")
	env.MustBerth(t, "push", "-q", "--format", "oci", "--compress", "--disable-content-trust", rgTwoLayer, "dir:"+dir+"/gz")
	if lt := layerTypes(dir + "/plain"); len(lt) != 2 || strings.HasSuffix(lt[0], "gzip") {
		t.Errorf("push without --compress to dir: layers %v", lt)
	}
	if lt := layerTypes(dir + "/gz"); len(lt) != 2 || !strings.HasSuffix(lt[0], "tar+gzip") {
		t.Errorf("push --compress to dir: layers %v, want gzip", lt)
	}

	// A sigstore key signs the pushed manifest; the registry gets it as
	// a sigstore attachment when registries.d asks for those.
	reg := StartRegistry(t, RegistryOptions{})
	home := filepath.Join(dir, "home")
	rd := filepath.Join(home, ".config", "containers", "registries.d")
	if err := os.MkdirAll(rd, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(rd, "default.yaml"), []byte("default-docker:\n  use-sigstore-attachments: true\n"), 0o644)
	env.Environ = append(env.Environ, "HOME="+home)
	keys, err := sigstore.GenerateKeyPair([]byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	keyFile, passFile := filepath.Join(dir, "cosign.key"), filepath.Join(dir, "pass")
	if err := os.WriteFile(keyFile, keys.PrivateKey, 0o600); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(passFile, []byte("s3cret\n"), 0o600)
	df := filepath.Join(dir, "digest")
	env.MustBerth(t, append([]string{"push"}, append(reg.Flags(), "-q", "--digestfile", df, "--sign-by-sigstore-private-key", keyFile,
		"--sign-passphrase-file", passFile, rgTwoLayer, reg.Ref("signed:1"))...)...)
	d, _ := os.ReadFile(df)
	if sigs := reg.ManifestLayers(t, "signed", strings.Replace(string(d), ":", "-", 1)+".sig"); len(sigs) != 1 {
		t.Errorf("signed push: %d signatures attached, want 1", len(sigs))
	}
	_ = os.WriteFile(passFile, []byte("wrong\n"), 0o600)
	if r := env.Berth(append([]string{"push"}, append(reg.Flags(), "-q", "--sign-by-sigstore-private-key", keyFile, "--sign-passphrase-file", passFile,
		rgTwoLayer, reg.Ref("signed:2"))...)...); r.ExitCode() == 0 {
		t.Errorf("push signed with a wrong passphrase succeeded:\n%s", r)
	}

	// --platform pushes the image when it is for that platform.
	env.MustBerth(t, "push", "-q", "--platform", "linux/"+runtime.GOARCH, rgTwoLayer, "dir:"+dir+"/plat")
	wantRefused(t, env.Berth("push", "--platform", "linux/s390x", rgTwoLayer, "dir:"+dir+"/other"), "platform linux/s390x")
	if _, err := os.Stat(dir + "/other"); err == nil {
		t.Errorf("refused --platform push wrote its destination")
	}

	wantRefused(t, env.Berth("push", "--sign-by", "ABCD", rgTwoLayer, "dir:"+dir+"/x"), "--sign-by is not supported")
	wantRefused(t, env.Berth("push", "--encryption-key", "jwe:/k.pem", rgTwoLayer, "dir:"+dir+"/x"), "--encryption-key")
	wantRefused(t, env.Berth("push", "--sign-passphrase-file", passFile, rgTwoLayer, "dir:"+dir+"/x"), "--sign-passphrase-file requires")
	wantRefused(t, env.Berth("pull", "--decryption-key", "/k.pem", "dir:"+dir+"/plain"), "--decryption-key is not supported")
	env.MustBerth(t, "pull", "-q", "--disable-content-trust", "dir:"+dir+"/plain")

	// --retry tries again when the registry cannot be reached.
	r := env.Berth("push", "--tls-verify=false", "--retry", "1", "--retry-delay", "10ms", rgTwoLayer, "127.0.0.1:1/x:1")
	if r.ExitCode() == 0 || strings.Count(r.Stderr(), "retrying in 10ms") != 1 {
		t.Errorf("push --retry 1 to a closed port:\n%s", r)
	}
}
