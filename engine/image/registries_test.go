//go:build !berth_lean

package image

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	"go.podman.io/image/v5/types"
)

func TestAuthKey(t *testing.T) {
	for in, want := range map[string]string{
		"quay.io":                   "quay.io",
		"docker://quay.io/ns/repo":  "quay.io/ns/repo",
		"https://localhost:5000/":   "localhost:5000",
		"http://127.0.0.1:5000":     "127.0.0.1:5000",
		"registry.example.com/team": "registry.example.com/team",
	} {
		if got, err := AuthKey(in, RegistryOptions{}); err != nil || got != want {
			t.Errorf("AuthKey(%q) = %q, %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"user@host", "/abs/path", "a b"} {
		if _, err := AuthKey(bad, RegistryOptions{}); !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("AuthKey(%q) error = %v, want ErrInvalidArg", bad, err)
		}
	}
}

func TestPolicyAndFormatNames(t *testing.T) {
	for _, p := range []string{"", PullAlways, PullMissing, PullNever, PullNewer} {
		if err := ValidPullPolicy(p); err != nil {
			t.Errorf("ValidPullPolicy(%q) = %v", p, err)
		}
	}
	if err := ValidPullPolicy("sometimes"); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("ValidPullPolicy(sometimes) = %v", err)
	}
	for in, want := range map[string]string{"": "", "oci": "application/vnd.oci.image.manifest.v1+json", "v2s2": "application/vnd.docker.distribution.manifest.v2+json"} {
		if got, err := manifestMIMEType(in); err != nil || got != want {
			t.Errorf("manifestMIMEType(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := manifestMIMEType("v2s1"); !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("manifestMIMEType(v2s1) = %v", err)
	}
	for in, want := range map[string]string{"": "", "latest": "localhost/latest:latest", "quay.io/a/b:1": "quay.io/a/b:1", "Bad Name": ""} {
		got := strings.Join(annotationName(in), ",")
		if got != want {
			t.Errorf("annotationName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPullCandidates resolves short names against a registries.conf of
// the test's own (no drop-in directory, so the host's aliases do not
// interfere).
func TestPullCandidates(t *testing.T) {
	dir := t.TempDir()
	write := func(mode string) *types.SystemContext {
		p := filepath.Join(dir, mode+".conf")
		body := `unqualified-search-registries = ["one.example", "two.example"]
short-name-mode = "` + mode + `"
[aliases]
"myalias" = "three.example/team/image"
`
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return &types.SystemContext{SystemRegistriesConfPath: p, SystemRegistriesConfDirPath: filepath.Join(dir, "none.d")}
	}
	perm := write("permissive")
	got, desc, _, err := pullCandidates(perm, "img:2")
	if err != nil || len(got) != 2 || got[0].String() != "one.example/img:2" || got[1].String() != "two.example/img:2" || desc == "" {
		t.Errorf("permissive short name = %v, %q, %v", got, desc, err)
	}
	got, _, _, err = pullCandidates(perm, "myalias")
	if err != nil || len(got) != 1 || got[0].String() != "three.example/team/image:latest" {
		t.Errorf("alias = %v, %v", got, err)
	}
	got, desc, _, err = pullCandidates(perm, "quay.io/full/name")
	if err != nil || len(got) != 1 || got[0].String() != "quay.io/full/name:latest" || desc != "" {
		t.Errorf("qualified name = %v, %q, %v", got, desc, err)
	}
	// The prompt path is taken only on a terminal: make sure this process
	// has none, whatever the developer runs the test from.
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	stdin, stdout := os.Stdin, os.Stdout
	os.Stdin, os.Stdout = devnull, devnull
	_, _, _, err = pullCandidates(write("enforcing"), "img")
	os.Stdin, os.Stdout = stdin, stdout
	if err == nil || !strings.Contains(err.Error(), "one.example/img:latest, two.example/img:latest") || !errors.Is(err, define.ErrInvalidArg) {
		t.Errorf("enforcing ambiguous short name without a terminal: %v, want an invalid-argument error listing both candidates", err)
	}
}
