package e2e

import (
	"slices"
	"strings"
	"testing"
)

// before= and since= name a container (name or ID) and keep those created
// before or after it; they were accepted and matched nothing.
func TestPsFilterBeforeSince(t *testing.T) {
	t.Parallel()
	env, _, ex3, _ := pbPsSetup(t) // created in this order: up, ex3, cr
	cases := []struct {
		filters []string
		want    []string
	}{
		{[]string{"before=cr"}, []string{"ex3", "up"}},
		{[]string{"before=" + ex3[:12]}, []string{"up"}},
		{[]string{"before=up"}, nil},
		{[]string{"since=up"}, []string{"cr", "ex3"}},
		{[]string{"since=" + ex3}, []string{"cr"}},
		{[]string{"since=cr"}, nil},
		{[]string{"since=up", "before=cr"}, []string{"ex3"}},
		// Several of one key: the earliest container counts (podman).
		{[]string{"before=cr", "before=ex3"}, []string{"up"}},
	}
	for _, c := range cases {
		args := []string{"-a"}
		for _, f := range c.filters {
			args = append(args, "--filter", f)
		}
		if got := pbPsNames(t, env, args...); !slices.Equal(got, c.want) {
			t.Errorf("ps %v = %q, want %q", args, got, c.want)
		}
	}
	paExpectError(t, env.Berth("ps", "-a", "--filter", "before=nosuch"), 125, "nosuch", "no such container")
}

// Several label filters must all hold (podman, docker); unknown keys are
// refused rather than ignored.
func TestPsFilterLabelsAndKeys(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "both", "--label", "a=1", "--label", "b=2", "busybox")
	env.MustBerth(t, "create", "--name", "onlya", "--label", "a=1", "busybox")
	if got := pbPsNames(t, env, "-a", "--filter", "label=a", "--filter", "label=b=2"); !slices.Equal(got, []string{"both"}) {
		t.Errorf("ps --filter label=a --filter label=b=2 = %q, want [both]", got)
	}
	if got := pbPsNames(t, env, "-a", "--filter", "label!=b", "--filter", "label!=c"); !slices.Equal(got, []string{"onlya"}) {
		t.Errorf("ps --filter label!=b --filter label!=c = %q, want [onlya]", got)
	}
	for _, bad := range []string{"health=bogus", "nosuchkey=1"} {
		k, _, _ := strings.Cut(bad, "=")
		paExpectError(t, env.Berth("ps", "-a", "--filter", bad), 125, "invalid filter", k)
	}
}

// {{.Label "k"}} is docker's, {{.Labels.k}} podman's (Labels is a map).
func TestPsFormatLabel(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "create", "--name", "l", "--label", "app=web", "--label", "tier=front", "busybox")
	env.MustBerth(t, "create", "--name", "nol", "busybox")
	got := env.MustBerth(t, "ps", "-a", "--filter", "name=^l$", "--format", `{{.Label "app"}}|{{.Labels.tier}}|{{.Label "none"}}|{{.Labels}}`)
	if got != "web|front||map[app:web tier:front]" {
		t.Errorf(`ps --format {{.Label "app"}}|{{.Labels.tier}}|{{.Label "none"}}|{{.Labels}} = %q, want "web|front||map[app:web tier:front]"`, got)
	}
	got = env.MustBerth(t, "ps", "-a", "--filter", "name=nol", "--format", `{{.Label "app"}}|{{.Labels.app}}`)
	if got != "|<no value>" {
		t.Errorf(`ps --format {{.Label "app"}}|{{.Labels.app}} of an unlabelled container = %q, want "|<no value>" (podman)`, got)
	}
	got = env.MustBerth(t, "ps", "-a", "--filter", "name=^l$", "--format", `table {{.Names}}\t{{.Label "app"}}`)
	if lines := strings.Split(got, "\n"); len(lines) != 2 || !strings.Contains(lines[1], "web") {
		t.Errorf(`ps --format table ... {{.Label "app"}} = %q`, got)
	}
}
