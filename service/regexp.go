package service

import "regexp"

// matchRegexp reports whether pattern (podman accepts regular expressions
// in name filters) matches s; an invalid pattern matches nothing.
func matchRegexp(pattern, s string) bool {
	re, err := regexp.Compile(pattern)
	return err == nil && re.MatchString(s)
}
