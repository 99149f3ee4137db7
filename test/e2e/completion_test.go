package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	for shell, marker := range map[string]string{"bash": "__start_berth", "zsh": "#compdef berth", "fish": "complete -c berth", "powershell": "Register-ArgumentCompleter"} {
		out := env.MustBerth(t, "completion", shell)
		if !strings.Contains(out, marker) || !strings.HasSuffix(out, `# This file is generated with "berth completion `+shell+`"; DO NOT EDIT!`) {
			t.Errorf("completion %s: no %q or trailer:\n...%s", shell, marker, out[max(0, len(out)-200):])
		}
	}
	// --no-desc drops the descriptions cobra passes to the shell.
	if desc, noDesc := env.MustBerth(t, "completion", "fish"), env.MustBerth(t, "completion", "fish", "--no-desc"); desc == noDesc ||
		!strings.Contains(noDesc, "__completeNoDesc") {
		t.Errorf("completion fish --no-desc does not ask for completions without descriptions")
	}
	file := filepath.Join(env.Dir, "_berth")
	if r := env.Berth("completion", "zsh", "-f", file); r.ExitCode() != 0 || r.Stdout() != "" {
		t.Errorf("completion -f: %s", r)
	}
	if data, err := os.ReadFile(file); err != nil || !strings.HasPrefix(string(data), "#compdef berth") {
		t.Errorf("completion -f wrote %q (%v)", data, err)
	}
	for args, want := range map[string]string{
		"completion tcsh":     `Error: invalid argument "tcsh" for "berth completion"`,
		"completion":          "Error: accepts 1 arg(s), received 0",
		"completion bash zsh": "Error: accepts 1 arg(s), received 2",
	} {
		r := env.Berth(strings.Fields(args)...)
		if r.ExitCode() != 125 || strings.TrimSpace(r.Stderr()) != want || r.Stdout() != "" {
			t.Errorf("%s: exit %d, stderr %q; want 125, %q", args, r.ExitCode(), r.Stderr(), want)
		}
	}
}

func TestCompletionNames(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "alpha", "busybox")
	env.MustBerth(t, "create", "--name", "beta", "busybox")
	env.MustBerth(t, "volume", "create", "vol1")
	env.MustBerth(t, "pod", "create", "--infra=false", "--name", "pd1")
	complete := func(args ...string) string {
		t.Helper()
		return env.MustBerth(t, append([]string{"__completeNoDesc"}, args...)...)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rm", ""}, "alpha\nbeta\n:4"},
		{[]string{"container", "start", "a"}, "alpha\n:4"},
		{[]string{"rm", "alpha", "b"}, "beta\n:4"},
		{[]string{"rmi", "busy"}, "busybox:latest\n:4"},
		{[]string{"run", "busy"}, "busybox:latest\n:4"},
		{[]string{"run", "busybox", ""}, ":0"},
		{[]string{"volume", "rm", ""}, "vol1\n:4"},
		{[]string{"network", "inspect", "ber"}, "berth\n:4"},
		{[]string{"pod", "rm", ""}, "pd1\n:4"},
		{[]string{"completion", ""}, "bash\nzsh\nfish\npowershell\n:4"},
	} {
		got := complete(tc.args...)
		got, _, _ = strings.Cut(got, "\nCompletion ended")
		if got != tc.want {
			t.Errorf("__complete %q = %q, want %q", tc.args, got, tc.want)
		}
	}
}
