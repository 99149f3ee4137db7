package apparmor

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

// fakeHost plays an AppArmor host: param reads enabled ("Y"/"N", "" for no
// module), and the kernel has the profiles named in loaded.
func fakeHost(t *testing.T, enabled string, loaded ...string) Host {
	t.Helper()
	dir := t.TempDir()
	h := Host{
		ParamFile:  filepath.Join(dir, "enabled"),
		FSDir:      filepath.Join(dir, "securityfs"),
		ProfileDir: "/etc/apparmor.d",
		Parser:     filepath.Join(dir, "no-parser"),
	}
	if enabled != "" {
		if err := os.WriteFile(h.ParamFile, []byte(enabled+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(h.FSDir, 0o755); err != nil {
			t.Fatal(err)
		}
		var list strings.Builder
		for _, p := range loaded {
			list.WriteString(p + " (enforce)\n")
		}
		if err := os.WriteFile(filepath.Join(h.FSDir, "profiles"), []byte(list.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestEnabled(t *testing.T) {
	if fakeHost(t, "").Enabled() || fakeHost(t, "N").Enabled() {
		t.Error("enabled without the module, or with it off")
	}
	if !fakeHost(t, "Y").Enabled() {
		t.Error("not enabled with the module on and securityfs mounted")
	}
	h := fakeHost(t, "Y")
	h.FSDir = filepath.Join(t.TempDir(), "not-mounted")
	if h.Enabled() {
		t.Error("enabled without securityfs")
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name       string
		host       Host
		requested  string
		privileged bool
		want       string
		wantErr    string
	}{
		{name: "disabled default", host: fakeHost(t, ""), want: ""},
		{name: "disabled unconfined", host: fakeHost(t, "N"), requested: "unconfined", want: ""},
		{name: "disabled named", host: fakeHost(t, ""), requested: "my-prof", wantErr: `apparmor profile "my-prof" specified, but AppArmor is not enabled on this host`},
		{name: "disabled default named", host: fakeHost(t, ""), requested: Profile, wantErr: "not enabled on this host"},
		{name: "enabled default", host: fakeHost(t, "Y", Profile), want: Profile},
		{name: "enabled default asked by name", host: fakeHost(t, "Y", Profile), requested: Profile, want: Profile},
		{name: "enabled unconfined", host: fakeHost(t, "Y", Profile), requested: "unconfined", want: "unconfined"},
		{name: "enabled privileged", host: fakeHost(t, "Y", Profile), privileged: true, want: ""},
		{name: "enabled privileged named", host: fakeHost(t, "Y", "my-prof"), requested: "my-prof", privileged: true, want: "my-prof"},
		{name: "enabled named loaded", host: fakeHost(t, "Y", "other", "my-prof"), requested: "my-prof", want: "my-prof"},
		{name: "enabled named prefix only", host: fakeHost(t, "Y", "my-prof-2"), requested: "my-prof", wantErr: `AppArmor profile "my-prof" specified but not loaded`},
		{name: "enabled named not loaded", host: fakeHost(t, "Y", Profile), requested: "nope", wantErr: `AppArmor profile "nope" specified but not loaded`},
		{name: "enabled default without parser", host: fakeHost(t, "Y"), wantErr: "no-parser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.host.Resolve(tt.requested, tt.privileged)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve = %q, %v; want error %q", got, err, tt.wantErr)
				}
				if strings.Contains(tt.wantErr, "specified") && !errors.Is(err, define.ErrInvalidArg) {
					t.Errorf("error %v is not an invalid argument", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Resolve = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// The default profile is loaded with `apparmor_parser -Kr` when the kernel
// does not have it, and not again once it has.
func TestResolveLoadsDefault(t *testing.T) {
	h := fakeHost(t, "Y")
	dir := t.TempDir()
	h.Parser = filepath.Join(dir, "apparmor_parser")
	script := `#!/bin/sh
if [ "$1" = --version ]; then echo "AppArmor parser version 3.0.8"; exit 0; fi
echo "$@" > ` + dir + `/args
cat > ` + dir + `/stdin
`
	if err := os.WriteFile(h.Parser, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := h.Resolve("", false)
	if err != nil || got != Profile {
		t.Fatalf("Resolve = %q, %v", got, err)
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	prof, _ := os.ReadFile(filepath.Join(dir, "stdin"))
	if strings.TrimSpace(string(args)) != "-Kr" || !strings.Contains(string(prof), "profile "+Profile+" flags=") {
		t.Errorf("parser ran with %q and profile:\n%s", args, prof)
	}

	// Loaded now: the parser is not run again.
	os.Remove(filepath.Join(dir, "args"))
	if err := os.WriteFile(filepath.Join(h.FSDir, "profiles"), []byte(Profile+" (enforce)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := h.Resolve("", false); err != nil || got != Profile {
		t.Fatalf("Resolve = %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "args")); err == nil {
		t.Error("parser ran for a loaded profile")
	}
}

// The rendered profile is accepted by the real apparmor_parser (parsed and
// compiled, not loaded: -Q -K work without AppArmor in the kernel), with
// and without the host's include files.
func TestDefaultProfileParses(t *testing.T) {
	parser, err := exec.LookPath("apparmor_parser")
	if err != nil {
		if _, serr := os.Stat("/sbin/apparmor_parser"); serr != nil {
			t.Fatalf("apparmor_parser not found (Debian package apparmor, installed by scripts/setup.sh): %v", err)
		}
		parser = "/sbin/apparmor_parser"
	}
	version, err := parserVersion(parser)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"/etc/apparmor.d", t.TempDir()} {
		h := Host{ProfileDir: dir}
		var prof bytes.Buffer
		if err := h.render(&prof, Profile, version); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(prof.String(), "deny mount,") || !strings.Contains(prof.String(), "ptrace (trace,read) peer="+Profile) {
			t.Errorf("profile lacks its rules:\n%s", prof.String())
		}
		cmd := exec.Command(parser, "-Q", "-K")
		cmd.Stdin = &prof
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("apparmor_parser -Q -K (includes from %s): %v\n%s\n%s", dir, err, out, prof.String())
		}
	}
}

func TestRenderOldParser(t *testing.T) {
	var prof bytes.Buffer
	if err := (Host{ProfileDir: t.TempDir()}).render(&prof, "x", 207000); err != nil {
		t.Fatal(err)
	}
	s := prof.String()
	if !strings.HasPrefix(s, "@{PROC}=/proc/") || strings.Contains(s, "signal") || strings.Contains(s, "ptrace") || strings.Contains(s, "#include") {
		t.Errorf("profile for a 2.7 parser without includes:\n%s", s)
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"AppArmor parser version 3.0.8\nCopyright (C) 1999-2008 Novell Inc.\n", 300008},
		{"AppArmor parser version 2.9.1", 209001},
		{"AppArmor parser version 2.10", 210000},
		{"AppArmor parser version 4.0.0~beta3", 400000},
	}
	for _, tt := range tests {
		if got, err := parseVersion(tt.in); err != nil || got != tt.want {
			t.Errorf("parseVersion(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseVersion("garbage"); err == nil {
		t.Error("no error for garbage")
	}
}
