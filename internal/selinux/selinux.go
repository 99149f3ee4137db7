// Package selinux turns --security-opt label=... into the SELinux process
// and mount labels of a container, with podman's option syntax and
// semantics (go-selinux's InitLabels): the labels start from the policy's
// container contexts with a random MCS level, and each option overrides a
// part of them.
//
// Everything the package knows about the host comes through a Host, so
// tests can play an SELinux host on a machine without it.
package selinux

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/berth-dev/berth/engine/define"
)

// Options are the parsed label= security options.
type Options struct {
	// Disable turns labelling off (label=disable).
	Disable bool
	// Nested lets the container see and use SELinux (label=nested).
	Nested bool
	// User, Role, Type and Level replace those parts of the process label
	// (User and Level also of the mount label); FileType replaces the
	// mount label's type.
	User, Role, Type, Level, FileType string
	// raw keeps the options as given, for messages.
	raw []string
}

// Parse checks label= option values: "disable", "nested", or one of
// user, role, type, level, filetype followed by ":" and a value.
func Parse(values []string) (Options, error) {
	o := Options{raw: values}
	for _, v := range values {
		switch v {
		case "disable":
			o.Disable = true
			continue
		case "nested":
			o.Nested = true
			continue
		}
		k, val, ok := strings.Cut(v, ":")
		var dst *string
		switch k {
		case "user":
			dst = &o.User
		case "role":
			dst = &o.Role
		case "type":
			dst = &o.Type
		case "level":
			dst = &o.Level
		case "filetype":
			dst = &o.FileType
		}
		if !ok || dst == nil || val == "" {
			return o, fmt.Errorf("bad label option %q, valid options 'disable', 'nested' or 'user, role, level, type, filetype' followed by ':' and a value: %w", v, define.ErrInvalidArg)
		}
		*dst = val
	}
	return o, nil
}

// labels reports whether o asks for labels (anything but disable).
func (o Options) labels() bool {
	return o.User != "" || o.Role != "" || o.Type != "" || o.Level != "" || o.FileType != ""
}

// Host is where the kernel reports SELinux and where its policy lives.
type Host struct {
	// FS is the selinuxfs mount point.
	FS string
	// ConfigDir holds the config file naming the policy and the
	// policies' directories (/etc/selinux).
	ConfigDir string
}

// Default is the running host.
var Default = Host{FS: "/sys/fs/selinux", ConfigDir: "/etc/selinux"}

// Enabled reports whether the host runs SELinux: selinuxfs is mounted
// (its enforce file exists; kernels with SELinux built in but off keep an
// empty mount point). Where it is not, this is one failed stat.
func (h Host) Enabled() bool {
	_, err := os.Stat(filepath.Join(h.FS, "enforce"))
	return err == nil
}

// Labels returns the process and mount labels for o ("" for none). Where
// the host has no SELinux, asking for labels (or nested) is an error and
// label=disable is what the container gets anyway. Containers that ask
// for nothing get no labels: the rootfs is not mounted with a context yet,
// so a confined default label could not read it.
func (h Host) Labels(o Options) (process, mount string, err error) {
	if o.Disable {
		return "", "", nil
	}
	if !o.labels() && !o.Nested {
		return "", "", nil
	}
	if !h.Enabled() {
		return "", "", fmt.Errorf("selinux label %q specified, but SELinux is not enabled on this host: %w", strings.Join(o.raw, ","), define.ErrInvalidArg)
	}
	if !o.labels() {
		return "", "", nil
	}
	pdef, fdef := h.containerContexts()
	level, err := randomLevel()
	if err != nil {
		return "", "", err
	}
	p, f := parseContext(pdef), parseContext(fdef)
	p.level, f.level = level, level
	if o.User != "" {
		p.user, f.user = o.User, o.User
	}
	if o.Role != "" {
		p.role = o.Role
	}
	if o.Type != "" {
		p.typ = o.Type
	}
	if o.Level != "" {
		p.level, f.level = o.Level, o.Level
	}
	if o.FileType != "" {
		f.typ = o.FileType
	}
	return p.String(), f.String(), nil
}

// containerContexts reads the policy's container process and file
// contexts from its lxc_contexts, falling back to those of the targeted
// policy.
func (h Host) containerContexts() (process, file string) {
	process, file = "system_u:system_r:container_t:s0", "system_u:object_r:container_file_t:s0"
	policy := "targeted"
	if f, err := os.Open(filepath.Join(h.ConfigDir, "config")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "SELINUXTYPE="); ok && v != "" {
				policy = v
			}
		}
		f.Close()
	}
	f, err := os.Open(filepath.Join(h.ConfigDir, policy, "contexts", "lxc_contexts"))
	if err != nil {
		return process, file
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(strings.TrimSpace(v), `"`)
		switch strings.TrimSpace(k) {
		case "process":
			process = v
		case "file":
			file = v
		}
	}
	return process, file
}

// context is an SELinux context user:role:type:level.
type context struct{ user, role, typ, level string }

func parseContext(s string) context {
	parts := strings.SplitN(s, ":", 4)
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	return context{parts[0], parts[1], parts[2], parts[3]}
}

func (c context) String() string {
	return c.user + ":" + c.role + ":" + c.typ + ":" + c.level
}

// randomLevel picks an MCS level s0:cX,cY with two distinct categories
// below 1024, the range container policies use. Collisions with running
// containers are not tracked; one in about half a million pairs.
func randomLevel() (string, error) {
	pick := func() (int64, error) {
		n, err := rand.Int(rand.Reader, big.NewInt(1024))
		if err != nil {
			return 0, fmt.Errorf("selinux: random MCS level: %w", err)
		}
		return n.Int64(), nil
	}
	a, err := pick()
	if err != nil {
		return "", err
	}
	b := a
	for b == a {
		if b, err = pick(); err != nil {
			return "", err
		}
	}
	if a > b {
		a, b = b, a
	}
	return fmt.Sprintf("s0:c%d,c%d", a, b), nil
}
