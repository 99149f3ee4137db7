package hooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

func writeHook(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestApply(t *testing.T) {
	low, high := t.TempDir(), t.TempDir()
	writeHook(t, low, "a.json", `{"version":"1.0.0","hook":{"path":"/bin/true"},"when":{"always":true},"stages":["prestart","poststop"]}`)
	writeHook(t, low, "b.json", `{"version":"1.0.0","hook":{"path":"/bin/false"},"when":{"always":true},"stages":["prestart"]}`)
	// b.json in the later directory replaces the first one.
	writeHook(t, high, "b.json", `{"version":"1.0.0","hook":{"path":"/bin/sh","args":["sh","-c","x"]},"when":{"commands":["^/bin/sleep$"]},"stages":["createRuntime"]}`)
	writeHook(t, high, "c.json", `{"version":"1.0.0","hook":{"path":"/bin/true"},"when":{"annotations":{"^io\\.x$":"^on$"},"hasBindMounts":true,"or":true},"stages":["poststart"]}`)
	writeHook(t, high, "notes.txt", `ignored`)

	spec := &rspec.Spec{Process: &rspec.Process{Args: []string{"/bin/sleep", "1"}}, Annotations: map[string]string{"io.x": "on"}}
	if err := Apply(spec, []string{low, high}); err != nil {
		t.Fatal(err)
	}
	h := spec.Hooks
	//lint:ignore SA1019 prestart is what the hook file asks for
	if h == nil || len(h.Prestart) != 1 || h.Prestart[0].Path != "/bin/true" || len(h.Poststop) != 1 ||
		len(h.CreateRuntime) != 1 || h.CreateRuntime[0].Path != "/bin/sh" || len(h.Poststart) != 1 {
		t.Fatalf("hooks = %+v", h)
	}

	other := &rspec.Spec{Process: &rspec.Process{Args: []string{"/bin/cat"}}}
	if err := Apply(other, []string{low, high}); err != nil {
		t.Fatal(err)
	}
	if len(other.Hooks.CreateRuntime) != 0 || len(other.Hooks.Poststart) != 0 {
		t.Errorf("unmatched hooks applied: %+v", other.Hooks)
	}
	if err := Apply(&rspec.Spec{}, []string{filepath.Join(low, "missing")}); err != nil {
		t.Errorf("missing directory: %v", err)
	}
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"version":"2.0.0","hook":{"path":"/bin/true"},"when":{"always":true},"stages":["prestart"]}`, `unexpected hook version "2.0.0" (expecting 1.0.0)`},
		{`{"version":"1.0.0","hook":{},"when":{"always":true},"stages":["prestart"]}`, "missing required property: hook.path"},
		{`{"version":"1.0.0","hook":{"path":"/bin/true"},"when":{"always":true}}`, "missing required property: stages"},
		{`{"version":"1.0.0","hook":{"path":"/bin/true"},"when":{"always":true},"stages":["later"]}`, `unknown stage "later"`},
		{`{"version":"1.0.0","hook":{"path":"/bin/true"},"when":{"commands":["("]},"stages":["prestart"]}`, `invalid command "("`},
		{`{`, "unexpected end of JSON input"},
	} {
		dir := t.TempDir()
		writeHook(t, dir, "h.json", tc.body)
		err := Apply(&rspec.Spec{}, []string{dir})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "parsing hook") {
			t.Errorf("%s: got %v, want %q", tc.body, err, tc.want)
		}
	}
}
