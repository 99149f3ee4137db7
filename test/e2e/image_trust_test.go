package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cp --pause (and --extract) are podman 5's hidden deprecated no-ops:
// accepted either way, the copy happens and a running container keeps
// running.
func TestCpPauseAccepted(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "c", "busybox", "sleep", "60")
	in := filepath.Join(env.TmpDir, "in.txt")
	if err := os.WriteFile(in, []byte("hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "cp", "--pause", in, "c:/in.txt")
	env.MustBerth(t, "cp", "--pause=false", "c:/in.txt", filepath.Join(env.TmpDir, "out.txt"))
	if b, err := os.ReadFile(filepath.Join(env.TmpDir, "out.txt")); err != nil || string(b) != "hi\n" {
		t.Errorf("cp --pause round trip: %q, %v", b, err)
	}
	if st := strings.TrimSpace(env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "c")); st != "running" {
		t.Errorf("container is %s after cp --pause, want running", st)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "c")
}

// image trust set writes the policy.json a pull then enforces (a temp
// file through --policypath / --signature-policy, never the system one);
// trust show describes it as podman does.
func TestImageTrustPolicy(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	rgImportFixtures(t, env)
	reg := StartRegistry(t, RegistryOptions{})
	ref := reg.Ref("trust/img:1")
	env.MustBerth(t, append(append([]string{"push", "-q"}, reg.Flags()...), rgTwoLayer, ref)...)
	policy := filepath.Join(env.TmpDir, "policy.json")
	pull := func() Result {
		return env.Berth(append(append([]string{"pull", "-q", "--signature-policy", policy}, reg.Flags()...), ref)...)
	}

	env.MustBerth(t, "image", "trust", "set", "--policypath", policy, "--type", "reject", "default")
	if r := pull(); r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "rejected") {
		t.Fatalf("pull after trust set --type reject default succeeded or said no reason:\n%s", r)
	}
	show := env.MustBerth(t, "image", "trust", "show", "--policypath", policy)
	if f := strings.Fields(show); len(f) != 4 || f[0] != "all" || f[3] != "reject" {
		t.Errorf("trust show: %q, want the default's reject row", show)
	}

	// A registry's own entry wins over the default.
	env.MustBerth(t, "image", "trust", "set", "--policypath", policy, "-t", "accept", reg.Addr)
	if r := pull(); r.ExitCode() != 0 {
		t.Fatalf("pull after trust set --type accept %s:\n%s", reg.Addr, r)
	}
	var entries []struct{ Transport, Name, Type string }
	if err := json.Unmarshal([]byte(env.MustBerth(t, "image", "trust", "show", "--policypath", policy, "--json", reg.Addr)), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Transport != "repository" || entries[0].Name != reg.Addr || entries[0].Type != "accept" {
		t.Errorf("trust show --json %s: %+v", reg.Addr, entries)
	}
	raw := env.MustBerth(t, "image", "trust", "show", "--policypath", policy, "--raw")
	if !strings.Contains(raw, `"insecureAcceptAnything"`) || !strings.Contains(raw, `"reject"`) {
		t.Errorf("trust show --raw: %s", raw)
	}

	// Bad input: one line, exit 125, the file unchanged.
	before, _ := os.ReadFile(policy)
	wantRefused(t, env.Berth("image", "trust", "set", "--policypath", policy, "-t", "bogus", "default"), "invalid choice: bogus")
	wantRefused(t, env.Berth("image", "trust", "set", "--policypath", policy, "-t", "signedBy", "default"), "at least one public key")
	wantRefused(t, env.Berth("image", "trust", "set", "--policypath", policy, "-t", "accept", "-f", policy, "default"), "public keys unexpectedly provided")
	if after, _ := os.ReadFile(policy); string(after) != string(before) {
		t.Errorf("a refused trust set changed the policy:\n%s", after)
	}
}

// image sign signs with GPG, which this build cannot do.
func TestImageSignRefused(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	wantRefused(t, env.Berth("image", "sign", "--sign-by", "ABCD", "--directory", env.TmpDir, "busybox"), "GPG signing is not available")
}
