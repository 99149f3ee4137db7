package generate

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/spec"
	"github.com/docker/go-units"
)

// logSettings is --log-driver and --log-opt, checked.
type logSettings struct {
	driver, path, tag string
	sizeMax           int64
	opts              map[string]string
}

// logConfig validates --log-driver and --log-opt as podman does: path=
// (k8s-file), max-size= (decimal units like podman's: conmon starts the
// log afresh when it would grow past it), tag= (journald's CONTAINER_TAG)
// and docker's max-file=, mode= and max-buffer-size=, which are kept for
// inspect only (conmon keeps no rotated files, nor does podman), and
// docker's syslog-* options for the syslog driver.
func logConfig(s *spec.ContainerSpec) (logSettings, error) {
	lc := logSettings{driver: s.LogDriver}
	switch lc.driver {
	case "json-file":
		lc.driver = "k8s-file" // podman does the same mapping
	case "", "k8s-file", "none", "passthrough", "journald", "syslog":
	default:
		return lc, invalid("--log-driver %q: supported drivers are k8s-file, json-file, journald, syslog, none and passthrough", s.LogDriver)
	}
	for _, o := range s.LogOpts {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return lc, invalid("--log-opt %q: must be KEY=VALUE", o)
		}
		switch k {
		case "path":
			if !strings.HasPrefix(v, "/") {
				return lc, invalid("--log-opt %q: path must be absolute", o)
			}
			lc.path = v
		case "max-size":
			n, err := units.FromHumanSize(v)
			if err != nil || n <= 0 {
				return lc, invalid("--log-opt %q: max-size must be a positive size such as 10mb", o)
			}
			lc.sizeMax = n
		case "max-file":
			if n, err := strconv.Atoi(v); err != nil || n < 1 {
				return lc, invalid("--log-opt %q: max-file must be a positive integer", o)
			}
		case "tag":
			lc.tag = v
		case "labels-regex", "env-regex":
			if _, err := regexp.Compile(v); err != nil {
				return lc, invalid("--log-opt %q: %v", o, err)
			}
		case "labels", "env":
			// docker's extra attributes, shown by logs --details.
		case "mode", "max-buffer-size":
		case "syslog-address", "syslog-facility", "syslog-format", "syslog-tls-ca-cert", "syslog-tls-cert", "syslog-tls-key", "syslog-tls-skip-verify":
			// docker's syslog driver's; the engine checks them.
			if lc.driver != "syslog" {
				return lc, invalid("--log-opt %q: only the syslog log driver takes %s", o, k)
			}
		default:
			return lc, invalid("--log-opt %q: unknown option %s", o, k)
		}
		if lc.opts == nil {
			lc.opts = map[string]string{}
		}
		lc.opts[k] = v
	}
	switch {
	case lc.path != "" && lc.driver != "" && lc.driver != "k8s-file":
		return lc, invalid("--log-opt path=%s: only the k8s-file log driver writes a file", lc.path)
	case lc.sizeMax > 0 && lc.driver != "" && lc.driver != "k8s-file":
		return lc, invalid("--log-opt max-size: only the k8s-file log driver has a size to cap")
	}
	return lc, nil
}
