package selinux

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

// fakeHost plays a host with (enabled) or without SELinux; contexts, when
// not "", is the targeted policy's lxc_contexts.
func fakeHost(t *testing.T, enabled bool, contexts string) Host {
	t.Helper()
	dir := t.TempDir()
	h := Host{FS: filepath.Join(dir, "selinuxfs"), ConfigDir: filepath.Join(dir, "etc")}
	if enabled {
		if err := os.MkdirAll(h.FS, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(h.FS, "enforce"), []byte("1"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if contexts != "" {
		d := filepath.Join(h.ConfigDir, "mls", "contexts")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(h.ConfigDir, "config"), []byte("SELINUX=enforcing\nSELINUXTYPE=mls\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "lxc_contexts"), []byte(contexts), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestParse(t *testing.T) {
	o, err := Parse([]string{"type:spc_t", "level:s0:c1,c2", "user:u", "role:r", "filetype:f_t", "nested"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Type != "spc_t" || o.Level != "s0:c1,c2" || o.User != "u" || o.Role != "r" || o.FileType != "f_t" || !o.Nested || o.Disable {
		t.Errorf("Parse = %+v", o)
	}
	for _, bad := range []string{"foo", "type", "type:", "color:red", "Disable", ""} {
		_, err := Parse([]string{bad})
		if err == nil || !strings.Contains(err.Error(), "bad label option") || !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("Parse(%q) error = %v", bad, err)
		}
	}
}

var levelRE = regexp.MustCompile(`^s0:c(\d+),c(\d+)$`)

func TestLabels(t *testing.T) {
	parse := func(v ...string) Options {
		o, err := Parse(v)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	off, on := fakeHost(t, false, ""), fakeHost(t, true, "")

	// No SELinux: nothing asked or disable is fine, anything else is not.
	for _, o := range []Options{parse(), parse("disable"), parse("disable", "type:x_t")} {
		if p, m, err := off.Labels(o); p != "" || m != "" || err != nil {
			t.Errorf("disabled host %+v: %q %q %v", o, p, m, err)
		}
	}
	for _, o := range []Options{parse("type:spc_t"), parse("level:s0:c1,c2"), parse("nested"), parse("filetype:x_t")} {
		_, _, err := off.Labels(o)
		if err == nil || !strings.Contains(err.Error(), "SELinux is not enabled on this host") || !errors.Is(err, define.ErrInvalidArg) {
			t.Errorf("disabled host %+v: error %v", o, err)
		}
	}

	// SELinux: no labels unless asked; options override parts of the
	// policy's container contexts with a random MCS level.
	if p, m, err := on.Labels(parse()); p != "" || m != "" || err != nil {
		t.Errorf("nothing asked: %q %q %v", p, m, err)
	}
	if p, m, err := on.Labels(parse("type:spc_t", "disable")); p != "" || m != "" || err != nil {
		t.Errorf("disable: %q %q %v", p, m, err)
	}
	p, m, err := on.Labels(parse("type:spc_t"))
	if err != nil {
		t.Fatal(err)
	}
	pc, mc := parseContext(p), parseContext(m)
	if pc.user != "system_u" || pc.role != "system_r" || pc.typ != "spc_t" || mc.typ != "container_file_t" || mc.role != "object_r" {
		t.Errorf("type:spc_t gives %q %q", p, m)
	}
	if sm := levelRE.FindStringSubmatch(pc.level); sm == nil || sm[1] == sm[2] || pc.level != mc.level {
		t.Errorf("levels %q %q, want one random s0:cX,cY", pc.level, mc.level)
	}
	p, m, err = on.Labels(parse("user:u", "role:r", "level:s0:c3,c4", "filetype:f_t"))
	if err != nil {
		t.Fatal(err)
	}
	if p != "u:r:container_t:s0:c3,c4" || m != "u:object_r:f_t:s0:c3,c4" {
		t.Errorf("all options give %q %q", p, m)
	}

	// The policy's own contexts are the base.
	mls := fakeHost(t, true, "process = \"system_u:system_r:my_t:s0\"\nfile = \"system_u:object_r:my_file_t:s0\"\n")
	p, m, err = mls.Labels(parse("level:s0"))
	if err != nil || p != "system_u:system_r:my_t:s0" || m != "system_u:object_r:my_file_t:s0" {
		t.Errorf("lxc_contexts base: %q %q %v", p, m, err)
	}
}
