package systemd

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// quoted matches an argument that starts and ends with a quote: systemd
// would strip those, so it must be quoted again to reach berth intact.
var quoted = regexp.MustCompile(`^(["'].*["'])$`)

// EscapeArg makes arg one word of a systemd Exec line: `$` and `%` are
// doubled (systemd expands both) and an argument with blanks or outer
// quotes is double-quoted.
func EscapeArg(arg string) string {
	arg = strings.ReplaceAll(arg, "$", "$$")
	arg = strings.ReplaceAll(arg, "%", "%%")
	if strings.ContainsAny(arg, " \t\n") || quoted.MatchString(arg) {
		arg = strconv.Quote(arg)
	}
	return arg
}

// escapeArgs applies EscapeArg to every argument.
func escapeArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = EscapeArg(a)
	}
	return out
}

// formatCommand joins args into an Exec line with each option on its own
// continuation line, as podman formats its units.
func formatCommand(args []string) string {
	var b strings.Builder
	for i, a := range args {
		switch {
		case i == 0:
		case strings.HasPrefix(a, "-"):
			b.WriteString(" \\\n\t")
		default:
			b.WriteString(" ")
		}
		b.WriteString(a)
	}
	return b.String()
}

// dropValueFlags removes the given flags (with their values, in both the
// `--f v` and `--f=v` spellings) from the options part of args (all but
// the last nArg positional arguments). bools are flags without a value.
func dropValueFlags(args []string, nArg int, valued, bools []string) []string {
	var out []string
	opts := args[:len(args)-nArg]
	for i := 0; i < len(opts); i++ {
		a := opts[i]
		name, _, hasValue := strings.Cut(a, "=")
		switch {
		case contains(bools, name):
			continue
		case contains(valued, name):
			if !hasValue {
				i++
			}
			continue
		}
		out = append(out, a)
	}
	return append(out, args[len(args)-nArg:]...)
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// runFlags parses the options of a recorded run/create command just far
// enough to know which of the flags a unit needs are already there. Unknown
// flags are skipped; a value-taking flag among them may swallow the next
// argument, which is why the positional count is taken from here.
func runFlags(args []string) (*pflag.FlagSet, error) {
	fs := pflag.NewFlagSet("args", pflag.ContinueOnError)
	fs.ParseErrorsAllowlist.UnknownFlags = true
	fs.Usage = func() {}
	fs.SetInterspersed(false)
	fs.BoolP("detach", "d", false, "")
	fs.String("name", "", "")
	fs.Bool("replace", false, "")
	fs.StringArrayP("env", "e", nil, "")
	fs.String("sdnotify", "", "")
	fs.String("restart", "", "")
	fs.String("pod", "", "")
	fs.String("pod-id-file", "", "")
	// -h is --hostname for run, not help.
	fs.StringP("help", "h", "", "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return fs, nil
}
