package engine

import (
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// logAttrs are docker's extra log attributes of the container, as `logs
// --details` shows them: the labels named by --log-opt labels= (or
// matching labels-regex=) and the environment variables named by env=
// (or matching env-regex=), sorted by name, each key=value query-escaped,
// joined by commas. They do not change while the container exists, so
// they are derived from its configuration rather than stored per line.
func (c *Container) logAttrs() (string, error) {
	opts := c.config.LogOpts
	if opts["labels"]+opts["labels-regex"]+opts["env"]+opts["env-regex"] == "" {
		return "", nil
	}
	extra := map[string]string{}
	for _, l := range strings.Split(opts["labels"], ",") {
		if v, ok := c.config.Labels[l]; ok {
			extra[l] = v
		}
	}
	if re := opts["labels-regex"]; re != "" {
		r, err := regexp.Compile(re)
		if err != nil {
			return "", err
		}
		for k, v := range c.config.Labels {
			if r.MatchString(k) {
				extra[k] = v
			}
		}
	}
	env := map[string]string{}
	if s, err := c.Spec(); err == nil && s.Process != nil {
		for _, e := range s.Process.Env {
			if k, v, ok := strings.Cut(e, "="); ok {
				env[k] = v
			}
		}
	}
	for _, k := range strings.Split(opts["env"], ",") {
		if v, ok := env[k]; ok {
			extra[k] = v
		}
	}
	if re := opts["env-regex"]; re != "" {
		r, err := regexp.Compile(re)
		if err != nil {
			return "", err
		}
		for k, v := range env {
			if r.MatchString(k) {
				extra[k] = v
			}
		}
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = url.QueryEscape(k) + "=" + url.QueryEscape(extra[k])
	}
	return strings.Join(keys, ","), nil
}
