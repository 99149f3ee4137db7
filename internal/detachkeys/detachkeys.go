// Package detachkeys parses docker's detach-keys format, shared by the
// CLI's flags and the API's query parameters.
package detachkeys

import (
	"fmt"
	"io"
	"strings"
)

// Parse reads "ctrl-p,ctrl-q" (the default, for ""): single characters
// or ctrl-<a-z @ [ \ ] ^ _>, as the bytes to watch for on stdin.
func Parse(s string) ([]byte, error) {
	if s == "" {
		s = "ctrl-p,ctrl-q"
	}
	var keys []byte
	for _, k := range strings.Split(s, ",") {
		lk := strings.ToLower(k)
		switch {
		case len(k) == 1:
			keys = append(keys, k[0])
		case strings.HasPrefix(lk, "ctrl-") && len(k) == 6:
			c := lk[5]
			switch {
			case c >= 'a' && c <= 'z':
				keys = append(keys, c-'a'+1)
			case c == '@':
				keys = append(keys, 0)
			case c >= '[' && c <= '_': // [ \ ] ^ _
				keys = append(keys, c-'['+27)
			default:
				return nil, fmt.Errorf("invalid detach keys %q: unknown key %q", s, k)
			}
		default:
			return nil, fmt.Errorf("invalid detach keys %q: unknown key %q", s, k)
		}
	}
	return keys, nil
}

// Scanner finds the detach key sequence in a byte stream split over
// arbitrary reads. Bytes that might start the sequence are held back until
// it is clear whether they do.
// NewScanner watches for keys; no keys never detach.
func NewScanner(keys []byte) *Scanner { return &Scanner{keys: keys} }

type Scanner struct {
	keys    []byte
	matched int
}

// Feed returns the bytes to forward and whether the sequence completed.
func (d *Scanner) Feed(p []byte) (out []byte, detached bool) {
	if len(d.keys) == 0 {
		return p, false
	}
	out = make([]byte, 0, len(p)+d.matched)
	for _, b := range p {
		for {
			if b == d.keys[d.matched] {
				d.matched++
				if d.matched == len(d.keys) {
					return out, true
				}
				break
			}
			if d.matched == 0 {
				out = append(out, b)
				break
			}
			// Mismatch after a partial match: release the first held byte
			// and retry the rest of the held prefix plus b.
			held := d.keys[:d.matched]
			out = append(out, held[0])
			d.matched = longestPrefixSuffix(d.keys, held[1:])
			out = append(out, held[1:len(held)-d.matched]...)
		}
	}
	return out, false
}

// Flush returns held-back bytes at end of input.
func (d *Scanner) Flush() []byte {
	held := append([]byte(nil), d.keys[:d.matched]...)
	d.matched = 0
	return held
}

// longestPrefixSuffix is the length of the longest suffix of s that is a
// prefix of keys.
func longestPrefixSuffix(keys, s []byte) int {
	for l := min(len(s), len(keys)-1); l > 0; l-- {
		if string(s[len(s)-l:]) == string(keys[:l]) {
			return l
		}
	}
	return 0
}

// Copy sends in to w until in ends (held bytes flushed, then closeWrite)
// or the keys are typed: then it reports true, having sent nothing of
// them, and leaves w open for the caller to close.
func Copy(w io.Writer, in io.Reader, keys []byte, closeWrite func()) (detached bool) {
	sc := NewScanner(keys)
	buf := make([]byte, 8192)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			out, hit := sc.Feed(buf[:n])
			if len(out) > 0 {
				if _, werr := w.Write(out); werr != nil {
					return false
				}
			}
			if hit {
				return true
			}
		}
		if err != nil {
			if rest := sc.Flush(); len(rest) > 0 {
				_, _ = w.Write(rest)
			}
			closeWrite()
			return false
		}
	}
}
