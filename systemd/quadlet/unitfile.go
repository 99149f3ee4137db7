// Package quadlet turns quadlet files (.container, .volume, .network,
// .pod, .kube, .image) into systemd service units that run berth, as
// podman's quadlet generator does. It is pure conversion over files it is
// given; finding them (Dirs, Discover) reads directories only.
package quadlet

import (
	"fmt"
	"io"
	"strings"

	"github.com/coreos/go-systemd/v22/unit"
)

// entry is one Key=Value line.
type entry struct{ key, value string }

// section is one [Name] group, its entries in file order.
type section struct {
	name    string
	entries []entry
}

// unitFile is a parsed unit file: sections in file order, so that the
// generated unit keeps the author's layout.
type unitFile struct {
	sections []*section
}

// parseUnit reads a unit file with go-systemd's parser (continuation
// lines, comments).
func parseUnit(r io.Reader) (*unitFile, error) {
	secs, err := unit.DeserializeSections(r)
	if err != nil {
		return nil, err
	}
	f := &unitFile{}
	for _, s := range secs {
		sec := f.section(s.Section, true)
		for _, e := range s.Entries {
			sec.entries = append(sec.entries, entry{e.Name, e.Value})
		}
	}
	return f, nil
}

// section returns the named section, created at the end if add is set.
func (f *unitFile) section(name string, add bool) *section {
	for _, s := range f.sections {
		if s.name == name {
			return s
		}
	}
	if !add {
		return nil
	}
	s := &section{name: name}
	f.sections = append(f.sections, s)
	return s
}

// values returns every value of key in section (an empty value resets the
// list, as in systemd).
func (f *unitFile) values(sec, key string) []string {
	s := f.section(sec, false)
	if s == nil {
		return nil
	}
	var out []string
	for _, e := range s.entries {
		if e.key == key {
			if e.value == "" {
				out = nil
				continue
			}
			out = append(out, e.value)
		}
	}
	return out
}

// lookup returns the last value of key in section.
func (f *unitFile) lookup(sec, key string) (string, bool) {
	v := f.values(sec, key)
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// lookupBool parses a systemd boolean.
func (f *unitFile) lookupBool(sec, key string) (value, ok bool, err error) {
	v, ok := f.lookup(sec, key)
	if !ok {
		return false, false, nil
	}
	switch strings.ToLower(v) {
	case "1", "yes", "true", "on":
		return true, true, nil
	case "0", "no", "false", "off":
		return false, true, nil
	}
	return false, true, fmt.Errorf("invalid boolean %q for %s", v, key)
}

// add appends Key=Value to section (created at the end if missing).
func (f *unitFile) add(sec, key, value string) {
	s := f.section(sec, true)
	s.entries = append(s.entries, entry{key, value})
}

// rename renames a section (Container becomes X-Container: systemd ignores
// X- sections, and they show where the unit came from).
func (f *unitFile) rename(from, to string) {
	if s := f.section(from, false); s != nil {
		s.name = to
	}
}

// checkKeys refuses keys of sec that are not in known.
func (f *unitFile) checkKeys(sec string, known map[string]bool) error {
	s := f.section(sec, false)
	if s == nil {
		return nil
	}
	for _, e := range s.entries {
		if !known[e.key] {
			return fmt.Errorf("unsupported key '%s' in group '%s'", e.key, sec)
		}
	}
	return nil
}

// String writes the unit file.
func (f *unitFile) String() string {
	var b strings.Builder
	for i, s := range f.sections {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[%s]\n", s.name)
		for _, e := range s.entries {
			fmt.Fprintf(&b, "%s=%s\n", e.key, e.value)
		}
	}
	return b.String()
}

// splitWords splits a value into words as systemd does for Exec lines:
// blanks separate, single or double quotes group (with backslash escapes
// inside double quotes).
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '"' || c == '\'':
			q := c
			inWord = true
			i++
			for ; i < len(s) && s[i] != q; i++ {
				if s[i] == '\\' && q == '"' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated quote in %q", s)
			}
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// quoteWord quotes a word for an Exec line when it needs it.
func quoteWord(w string) string {
	if w == "" || strings.ContainsAny(w, " \t\n\"'\\") {
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
		return `"` + r.Replace(w) + `"`
	}
	return w
}

// execLine joins words into an Exec line value.
func execLine(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = quoteWord(w)
	}
	return strings.Join(q, " ")
}
