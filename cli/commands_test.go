package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// The verb table names every command the way the command calls itself, so
// building just the one a command line names finds it.
func TestVerbTableMatchesCommands(t *testing.T) {
	d := &Deps{}
	seen := map[string]bool{}
	for _, v := range verbs() {
		c := v.build(d)
		if c.Name() != v.names[0] || !slices.Equal(c.Aliases, v.names[1:]) && !(len(c.Aliases) == 0 && len(v.names) == 1) {
			t.Errorf("table says %v, command says %s %v", v.names, c.Name(), c.Aliases)
		}
		for _, n := range v.names {
			if seen[n] {
				t.Errorf("%s listed twice", n)
			}
			seen[n] = true
		}
	}
}

func TestCommandName(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ps", "-a"}, "ps"},
		{[]string{"--root", "/x", "--runroot=/y", "run", "busybox"}, "run"},
		{[]string{"--storage-opt", "a=b", "--log-level", "debug", "images"}, "images"},
		{[]string{"--help"}, ""},
		{[]string{"-h", "ps"}, ""},
		{nil, ""},
	} {
		if got := commandName(tc.args); got != tc.want {
			t.Errorf("commandName(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// A lazily built root has just the named verb; an unknown name gets the
// whole tree (for cobra's suggestions).
func TestLazyTree(t *testing.T) {
	root, _ := NewRoot([]string{"--root", "/tmp/x", "ps", "-a"})
	if n := len(root.Commands()); n != 1 || root.Commands()[0].Name() != "ps" {
		t.Errorf("tree for ps has %d commands", n)
	}
	root, _ = NewRoot([]string{"pss"})
	if n := len(root.Commands()); n != len(verbs()) {
		t.Errorf("tree for an unknown verb has %d commands, want %d", n, len(verbs()))
	}
}

// A verb berth does not know, or none at all, fails as podman does
// (cobra with TraverseChildren would print the help and exit 0).
func TestUnknownOrMissingVerb(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuch"}, "Error: unrecognized command `berth nosuch`\nTry 'berth --help' for more information\n"},
		{[]string{"--root", "/nonexistent", "nosuch", "x"}, "Error: unrecognized command `berth nosuch`\n"},
		{nil, "Error: missing command 'berth COMMAND'\n"},
	} {
		var out, errOut strings.Builder
		code := Run(context.Background(), tc.args, strings.NewReader(""), &out, &errOut)
		if code != 125 || !strings.HasPrefix(errOut.String(), tc.want) {
			t.Errorf("berth %q: exit %d, stderr %q; want 125 and %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}
