// Package detachkeys parses docker's detach-keys format, shared by the
// CLI's flags and the API's query parameters.
package detachkeys

import (
	"fmt"
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
