// Package apparmor confines containers with AppArmor the way podman does:
// where the host enforces AppArmor, every container that does not ask
// otherwise runs under berth's default profile, which is generated from
// a template and loaded into the kernel the first time it is needed.
//
// Everything the package knows about the host comes through a Host, so
// tests can play an AppArmor host on a machine without it.
package apparmor

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// Profile is the name of berth's default profile. The suffix is the
// template's version: bump it whenever the template changes, so that a
// host that still has the old profile loaded (profiles live until
// reboot) loads the new one under its new name instead of reusing it.
const Profile = "berth-default-1"

// Unconfined is the profile name that turns confinement off.
const Unconfined = "unconfined"

// Host is where the kernel reports AppArmor and where its tools live.
type Host struct {
	// ParamFile reads "Y" when the AppArmor module is enabled.
	ParamFile string
	// FSDir is AppArmor's securityfs directory; its profiles file lists
	// the loaded profiles.
	FSDir string
	// ProfileDir holds the abstractions and tunables the default profile
	// includes when present.
	ProfileDir string
	// Parser is apparmor_parser; "" looks in /sbin, then $PATH.
	Parser string
}

// Default is the running host.
var Default = Host{
	ParamFile:  "/sys/module/apparmor/parameters/enabled",
	FSDir:      "/sys/kernel/security/apparmor",
	ProfileDir: "/etc/apparmor.d",
}

// Enabled reports whether the host enforces AppArmor: the module is on and
// its securityfs is mounted (runc's test, which podman uses too). Where
// the module is absent this is one failed open.
func (h Host) Enabled() bool {
	b, err := os.ReadFile(h.ParamFile)
	if err != nil || len(b) == 0 || b[0] != 'Y' {
		return false
	}
	st, err := os.Stat(h.FSDir)
	return err == nil && st.IsDir()
}

// Loaded reports whether the kernel holds a profile called name.
func (h Host) Loaded(name string) (bool, error) {
	f, err := os.Open(filepath.Join(h.FSDir, "profiles"))
	if err != nil {
		return false, fmt.Errorf("apparmor: %w", err)
	}
	defer f.Close()
	// Lines read "name (mode)".
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), name+" ") {
			return true, nil
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("apparmor: reading loaded profiles: %w", err)
	}
	return false, nil
}

// Resolve returns the profile a container runs under, given the user's
// apparmor= security option ("" when none) and --privileged, following
// podman: the default profile unless the container is privileged or asks
// for another; "unconfined" turns confinement off; a named profile must
// already be loaded. Where the host has no AppArmor the result is "" and
// naming a profile is an error. The default profile is loaded here when
// the kernel does not have it yet.
func (h Host) Resolve(requested string, privileged bool) (string, error) {
	if !h.Enabled() {
		if requested != "" && requested != Unconfined {
			return "", fmt.Errorf("apparmor profile %q specified, but AppArmor is not enabled on this host: %w", requested, define.ErrInvalidArg)
		}
		return "", nil
	}
	switch {
	case requested == Unconfined:
		return Unconfined, nil
	case requested == "" && privileged:
		return "", nil
	case requested == "", requested == Profile:
		if err := h.EnsureLoaded(Profile); err != nil {
			return "", err
		}
		return Profile, nil
	}
	ok, err := h.Loaded(requested)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("AppArmor profile %q specified but not loaded: %w", requested, define.ErrInvalidArg)
	}
	return requested, nil
}

// EnsureLoaded loads berth's default profile when name is it and the
// kernel does not have it (after a reboot, say); other names are left to
// the runtime. Call it before starting a container whose spec names a
// profile.
func (h Host) EnsureLoaded(name string) error {
	if name != Profile {
		return nil
	}
	if ok, err := h.Loaded(name); err != nil || ok {
		return err
	}
	return h.load(name)
}

// load renders the default profile as name and hands it to
// `apparmor_parser -Kr` (replace, do not write the cache).
func (h Host) load(name string) error {
	parser, err := h.parser()
	if err != nil {
		return err
	}
	version, err := parserVersion(parser)
	if err != nil {
		return err
	}
	var prof bytes.Buffer
	if err := h.render(&prof, name, version); err != nil {
		return err
	}
	cmd := exec.Command(parser, "-Kr")
	cmd.Stdin = &prof
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apparmor: loading profile %s: %w: %s", name, err, bytes.TrimSpace(out))
	}
	return nil
}

// parser finds apparmor_parser: /sbin is not always in $PATH.
func (h Host) parser() (string, error) {
	if h.Parser != "" {
		return h.Parser, nil
	}
	if _, err := os.Stat("/sbin/apparmor_parser"); err == nil {
		return "/sbin/apparmor_parser", nil
	}
	p, err := exec.LookPath("apparmor_parser")
	if err != nil {
		return "", fmt.Errorf("apparmor: apparmor_parser is needed to load the default profile %s: %w", Profile, err)
	}
	return p, nil
}

// parserVersion runs `apparmor_parser --version` and returns the version
// as major*1e5 + minor*1e3 + patch.
func parserVersion(parser string) (int, error) {
	out, err := exec.Command(parser, "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("apparmor: %s --version: %w", parser, err)
	}
	return parseVersion(string(out))
}

// parseVersion reads the first line of `apparmor_parser --version`:
// "AppArmor parser version 3.0.8".
func parseVersion(out string) (int, error) {
	first, _, _ := strings.Cut(out, "\n")
	fields := strings.Fields(first)
	if len(fields) == 0 {
		return 0, errors.New("apparmor: empty apparmor_parser --version output")
	}
	var major, minor, patch int
	v := fields[len(fields)-1]
	if n, _ := fmt.Sscanf(v, "%d.%d.%d", &major, &minor, &patch); n == 0 {
		return 0, fmt.Errorf("apparmor: cannot read a version in %q", first)
	}
	return major*100000 + minor*1000 + patch, nil
}
