package cli

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func parseHealth(t *testing.T, args ...string) (*healthFlags, *pflag.FlagSet) {
	t.Helper()
	f := pflag.NewFlagSet("x", pflag.ContinueOnError)
	o := &healthFlags{}
	bindHealthFlags(f, o)
	if err := f.Parse(args); err != nil {
		t.Fatal(err)
	}
	return o, f
}

func TestHealthFlags(t *testing.T) {
	o, f := parseHealth(t)
	if h, err := o.toSpec(f); h != nil || err != nil {
		t.Errorf("no flags: %+v, %v; want nil", h, err)
	}

	o, f = parseHealth(t, "--health-cmd", "curl -f localhost", "--health-interval", "2s", "--health-retries", "4",
		"--health-timeout", "3s", "--health-start-period", "1m", "--health-on-failure", "kill", "--health-max-log-count", "0")
	h, err := o.toSpec(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(h.Test, []string{"CMD-SHELL", "curl -f localhost"}) || *h.Interval != 2*time.Second || *h.Retries != 4 ||
		*h.Timeout != 3*time.Second || *h.StartPeriod != time.Minute || h.OnFailure != "kill" || *h.MaxLogCount != 0 || h.MaxLogSize != nil {
		t.Errorf("spec = %+v", h)
	}

	o, f = parseHealth(t, "--health-interval", "disable", "--health-cmd", `["/bin/check","-q"]`)
	if h, err = o.toSpec(f); err != nil || *h.Interval != 0 || !slices.Equal(h.Test, []string{"CMD", "/bin/check", "-q"}) {
		t.Errorf("disable + JSON: %+v, %v", h, err)
	}
	for _, none := range [][]string{{"--health-cmd", "none"}, {"--no-healthcheck"}, {"--health-cmd", `["NONE"]`}} {
		o, f = parseHealth(t, none...)
		if h, err = o.toSpec(f); err != nil || !h.Disable {
			t.Errorf("%q: %+v, %v; want disabled", none, h, err)
		}
	}
}

func TestHealthFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--no-healthcheck", "--health-cmd", "true"}, "cannot specify both --no-healthcheck"},
		{[]string{"--health-cmd", "true", "--health-interval", "500ms"}, "healthcheck-interval must be at least 1 second"},
		{[]string{"--health-cmd", "true", "--health-timeout", "0s"}, "healthcheck-timeout must be at least 1 second"},
		{[]string{"--health-cmd", "true", "--health-retries", "0"}, "healthcheck-retries must be greater than 0"},
		{[]string{"--health-cmd", "true", "--health-start-period", "-1s"}, "--health-start-period"},
		{[]string{"--health-cmd", "true", "--health-on-failure", "boom"}, "--health-on-failure"},
		{[]string{"--health-cmd", "true", "--health-interval", "soon"}, "--health-interval"},
		{[]string{"--health-cmd", "[oops"}, "--health-cmd"},
		{[]string{"--health-cmd", "true", "--health-log-destination", "rel/dir"}, "--health-log-destination"},
		{[]string{"--health-startup-retries", "2"}, "--health-startup-cmd"},
	} {
		o, f := parseHealth(t, tc.args...)
		_, err := o.toSpec(f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want one naming %q", tc.args, err, tc.want)
		}
	}
}
