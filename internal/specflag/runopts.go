package specflag

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// umaskRe is podman's accepted --umask form: one to four octal digits.
var umaskRe = regexp.MustCompile(`^[0-7]{1,4}$`)

// Umask parses --umask (octal, as podman takes it).
func Umask(v string) (uint32, error) {
	if !umaskRe.MatchString(v) {
		return 0, invalid("invalid umask string %s", v)
	}
	u, err := strconv.ParseUint(v, 8, 32)
	if err != nil || u > 0o777 {
		return 0, invalid("invalid umask string %s", v)
	}
	return uint32(u), nil
}

// Annotations parses --annotation KEY=VALUE values.
func Annotations(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(values))
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, invalid("annotations must be formatted KEY=VALUE")
		}
		out[k] = val
	}
	return out, nil
}

// LabelFiles reads --label-file files (KEY=VALUE or KEY a line, "#"
// comments and blank lines skipped) and then --label values, later ones
// winning, as podman does.
func LabelFiles(files, labels []string) (map[string]string, error) {
	out := map[string]string{}
	add := func(line string) error {
		k, v, _ := strings.Cut(line, "=")
		if k == "" {
			return invalid("invalid label %q: the key is empty", line)
		}
		out[k] = v
		return nil
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, invalid("%v", err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if err := add(line); err != nil {
				f.Close()
				return nil, fmt.Errorf("--label-file %s: %w", name, err)
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("--label-file %s: %w", name, err)
		}
	}
	for _, l := range labels {
		if err := add(l); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
