package format

import (
	"bytes"
	"encoding/json"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

// funcMap returns the template functions of docker and podman --format
// (json, join, lower, upper, title, split, truncate, pad) plus berth's own
// humanSize and humanDuration, with extra overriding them by name. Go's
// builtins (println, printf, len, index, …) are always there.
func funcMap(extra template.FuncMap) template.FuncMap {
	m := template.FuncMap{
		"json":          jsonFunc,
		"join":          strings.Join,
		"lower":         strings.ToLower,
		"upper":         strings.ToUpper,
		"title":         title,
		"split":         strings.Split,
		"truncate":      truncate,
		"pad":           pad,
		"humanSize":     HumanSize,
		"humanDuration": HumanDuration,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// jsonFunc is {{json .X}}: compact JSON on one line, without HTML escaping,
// like docker's.
func jsonFunc(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// title upper-cases the first letter of every space-separated word, what
// docker's title (strings.Title, now deprecated) does for the ASCII words
// found in container metadata.
func title(s string) string {
	var b strings.Builder
	prev := ' '
	for _, r := range s {
		if unicode.IsSpace(prev) {
			b.WriteRune(unicode.ToTitle(r))
		} else {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// truncate keeps the first n characters (runes) of s.
func truncate(s string, n int) string {
	if n < 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// pad surrounds s with prefix spaces before and suffix spaces after.
func pad(s string, prefix, suffix int) string {
	if prefix < 0 {
		prefix = 0
	}
	if suffix < 0 {
		suffix = 0
	}
	return strings.Repeat(" ", prefix) + s + strings.Repeat(" ", suffix)
}
