package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rawBerth runs berth with only --root and --runroot before args (no
// --log-level, which the harness adds), for the tests of the global
// log flags. It returns stdout, stderr and the exit code.
func rawBerth(t *testing.T, env *Env, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBinary, append([]string{"--root", env.Root, "--runroot", env.RunRoot}, args...)...)
	cmd.Env = append(os.Environ(), env.Environ...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("berth %q: %v", args, err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

func TestGlobalVersionFlag(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	v := env.MustBerth(t, "version", "--format", "{{.Client.Version}}")
	for _, flag := range []string{"--version", "-v"} {
		out, errOut, code := rawBerth(t, env, flag)
		if code != 0 || out != "berth version "+v+"\n" || errOut != "" {
			t.Errorf("berth %s: exit %d, stdout %q, stderr %q; want %q", flag, code, out, errOut, "berth version "+v+"\n")
		}
	}
	// After a verb -v is the verb's own (rm -v: volumes), not the version.
	if _, errOut, code := rawBerth(t, env, "rm", "-v", "nosuch"); code == 0 || strings.Contains(errOut, "berth version") {
		t.Errorf("rm -v nosuch: exit %d, stderr %q", code, errOut)
	}
}

func TestGlobalLogLevelErrors(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	const bad = `Log Level "foo" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic` + "\n"
	for _, args := range [][]string{{"--log-level", "foo", "ps"}, {"-l", "foo", "ps"}, {"ps", "--log-level", "foo"}, {"--log-level=foo", "version"}} {
		out, errOut, code := rawBerth(t, env, args...)
		if code != 1 || errOut != bad || out != "" {
			t.Errorf("berth %q: exit %d, stdout %q, stderr %q; want exit 1 and %q", args, code, out, errOut, bad)
		}
	}
	const both = "Setting --log-level and --debug is not allowed\n"
	for _, args := range [][]string{{"-D", "--log-level", "error", "ps"}, {"--debug", "-l", "info", "ps"}} {
		if _, errOut, code := rawBerth(t, env, args...); code != 1 || errOut != both {
			t.Errorf("berth %q: exit %d, stderr %q; want exit 1 and %q", args, code, errOut, both)
		}
	}
	// -D is --log-level debug; -l takes any level podman accepts, in any case.
	for _, args := range [][]string{{"-D", "ps"}, {"-l", "ERROR", "ps"}, {"-l", "warning", "ps", "-q"}, {"-D", "--log-level", "warn", "ps"}} {
		if _, errOut, code := rawBerth(t, env, args...); code != 0 {
			t.Errorf("berth %q: exit %d, stderr %q", args, code, errOut)
		}
	}
	env.ImportBusybox(t)
	if _, errOut, _ := rawBerth(t, env, "-D", "run", "--rm", "--network", "none", "busybox", "true"); !strings.Contains(errOut, "level=debug") {
		t.Errorf("-D run logged no debug line: %q", errOut)
	}
	// An unknown global flag is podman's 125 with a pointer to --help.
	if _, errOut, code := rawBerth(t, env, "--bogus", "ps"); code != 125 || errOut != "Error: unknown flag: --bogus\nSee 'berth --help'\n" {
		t.Errorf("--bogus ps: exit %d, stderr %q", code, errOut)
	}
}

func TestGlobalOut(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "outc", "busybox")
	file := filepath.Join(env.Dir, "out.txt")
	if err := os.WriteFile(file, []byte("old content that is longer\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := env.Berth("--out", file, "ps", "-a", "--format", "{{.Names}}")
	if r.ExitCode() != 0 || r.Stdout() != "" {
		t.Fatalf("--out: %s", r)
	}
	if data, _ := os.ReadFile(file); string(data) != "outc\n" {
		t.Errorf("--out file holds %q, want %q", data, "outc\n")
	}
	if r := env.Berth("--noout", "ps", "-a", "--format", "{{.Names}}"); r.ExitCode() != 0 || r.Stdout() != "" {
		t.Errorf("--noout: %s", r)
	}
	// --noout still runs the command.
	if r := env.Berth("--noout", "rm", "outc"); r.ExitCode() != 0 || r.Stdout() != "" {
		t.Errorf("--noout rm: %s", r)
	}
	if names := paPsNames(t, env); len(names) != 0 {
		t.Errorf("--noout rm left %v", names)
	}
	bad := filepath.Join(env.Dir, "missing", "out.txt")
	r = env.Berth("--out", bad, "create", "--name", "never", "busybox")
	want := "unable to open file for standard output: open " + bad + ": no such file or directory\n"
	if r.ExitCode() != 1 || r.Stderr() != want {
		t.Errorf("--out into a missing directory: exit %d, stderr %q; want 1, %q", r.ExitCode(), r.Stderr(), want)
	}
	paExpectNoContainers(t, env)
}

func TestGlobalPaths(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	tmp, vols, nets := filepath.Join(env.Dir, "gtmp"), filepath.Join(env.Dir, "gvols"), filepath.Join(env.Dir, "gnets")
	env.GlobalArgs = append(env.GlobalArgs, "--tmpdir", tmp, "--volumepath", vols, "--network-config-dir", nets)
	env.MustBerth(t, "volume", "create", "gv")
	if _, err := os.Stat(filepath.Join(vols, "gv", "_data")); err != nil {
		t.Errorf("--volumepath: %v", err)
	}
	if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.Mountpoint}}", "gv"); got != filepath.Join(vols, "gv", "_data") {
		t.Errorf("volume mountpoint %q", got)
	}
	// A container writes to the volume; its exit goes through conmon's
	// cleanup, which must see the same directories.
	if got := env.MustBerth(t, "run", "--rm", "--network", "none", "-v", "gv:/data", "busybox", "sh", "-c", "echo hi > /data/f; cat /data/f"); got != "hi" {
		t.Errorf("run = %q", got)
	}
	if data, _ := os.ReadFile(filepath.Join(vols, "gv", "_data", "f")); string(data) != "hi\n" {
		t.Errorf("volume file holds %q", data)
	}
	for _, p := range []string{"alive", "exits", "locks"} {
		if _, err := os.Stat(filepath.Join(tmp, p)); err != nil {
			t.Errorf("--tmpdir: %v", err)
		}
	}
	env.MustBerth(t, "network", "create", "--subnet", "10.242.77.0/24", "glpaths")
	defer env.Berth("network", "rm", "-f", "glpaths")
	if _, err := os.Stat(filepath.Join(nets, "glpaths.json")); err != nil {
		t.Errorf("--network-config-dir: %v", err)
	}
	if got := env.MustBerth(t, "network", "ls", "--format", "{{.Name}}", "--filter", "name=glpaths"); got != "glpaths" {
		t.Errorf("network ls = %q", got)
	}
}

func TestGlobalTransientStore(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "--transient-store", "create", "--name", "tr", "busybox")
	if got := env.MustBerth(t, "--transient-store", "ps", "-a", "--format", "{{.Names}}"); got != "tr" {
		t.Errorf("ps -a = %q, want tr", got)
	}
	if _, err := os.Stat(filepath.Join(env.RunRoot, "berth", "berth.db")); err != nil {
		t.Errorf("transient database: %v", err)
	}
	// The container's storage record is on the run root, not the graph root.
	if ids := paStorageContainers(t, env); len(ids) != 0 {
		t.Errorf("graph root holds containers %v", ids)
	}
	if got := env.MustBerth(t, "--transient-store", "run", "--rm", "--network", "none", "busybox", "echo", "ok"); got != "ok" {
		t.Errorf("run = %q", got)
	}
	env.MustBerth(t, "--transient-store", "rm", "tr")
}

func TestGlobalRuntimeFlagPassed(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.MustBerth(t, "create", "--name", "rf", "--network", "none", "busybox", "true")
	r := env.Berth("--runtime-flag", "bogus-flag", "start", "rf")
	if r.ExitCode() == 0 || !strings.Contains(r.Stderr(), "bogus-flag") {
		t.Errorf("start with --runtime-flag bogus-flag: %s", r)
	}
	// A flag the runtime knows is passed on (runc and crun have --debug).
	if got := env.MustBerth(t, "--runtime-flag", "debug", "run", "--rm", "--network", "none", "busybox", "echo", "ok"); got != "ok" {
		t.Errorf("run = %q", got)
	}
}

func TestGlobalHooksDir(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	dir, log := filepath.Join(env.Dir, "hooks"), filepath.Join(env.Dir, "hooks.log")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(env.Dir, "hook.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$1\" >> "+log+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	hook := func(name, stage, when string) {
		body := `{"version":"1.0.0","hook":{"path":"` + script + `","args":["hook.sh","` + stage + `"]},"when":` + when + `,"stages":["` + stage + `"]}`
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hook("01-prestart.json", "prestart", `{"always":true}`)
	hook("02-create.json", "createRuntime", `{"commands":["^echo$"]}`)
	hook("03-poststop.json", "poststop", `{"always":true}`)
	hook("04-never.json", "poststart", `{"annotations":{"^no\\.such$":".*"}}`)
	if got := env.MustBerth(t, "--hooks-dir", dir, "run", "--rm", "--network", "none", "busybox", "echo", "hi"); got != "hi" {
		t.Fatalf("run = %q", got)
	}
	var data []byte
	WaitFor(t, 10*time.Second, func() bool {
		data, _ = os.ReadFile(log)
		return strings.Contains(string(data), "poststop")
	})
	if string(data) != "createRuntime\nprestart\npoststop\n" && string(data) != "prestart\ncreateRuntime\npoststop\n" {
		t.Errorf("hooks ran: %q", data)
	}
	// Without --hooks-dir the defaults are read instead: none of ours run.
	_ = os.Remove(log)
	env.MustBerth(t, "run", "--rm", "--network", "none", "busybox", "echo", "hi")
	if _, err := os.Stat(log); err == nil {
		t.Errorf("hooks ran without --hooks-dir")
	}
	// A broken hook file fails the start and leaves the container created.
	if err := os.WriteFile(filepath.Join(dir, "05-bad.json"), []byte(`{"version":"1.0.0","hook":{"path":"`+script+`"},"when":{"always":true},"stages":["later"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "create", "--name", "hk", "--network", "none", "busybox", "true")
	r := env.Berth("--hooks-dir", dir, "start", "hk")
	paExpectError(t, r, 125, `parsing hook "`+filepath.Join(dir, "05-bad.json")+`": unknown stage "later"`)
	if st := paStatus(env, "hk"); st != "created" {
		t.Errorf("status after a failed start = %q, want created", st)
	}
}

func TestGlobalRemoteAliases(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	env.Environ = append(env.Environ, "BERTH_CONNECTIONS_CONF="+filepath.Join(env.Dir, "connections.json"))
	sock := "unix://" + filepath.Join(env.Dir, "none.sock")
	for _, args := range [][]string{{"-H", sock, "ps"}, {"--host", sock, "ps"}, {"--url", sock, "ps"}} {
		if r := env.Berth(args...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "cannot connect to the berth service at "+sock) {
			t.Errorf("%q: %s", args, r)
		}
	}
	for _, args := range [][]string{{"-c", "nosuch", "ps"}, {"--connection", "nosuch", "ps"}, {"--context", "nosuch", "ps"}} {
		if r := env.Berth(args...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `"nosuch" destination is not defined`) {
			t.Errorf("%q: %s", args, r)
		}
	}
	if r := env.Berth("-c", "a", "--context", "b", "ps"); r.ExitCode() != 125 ||
		r.Stderr() != "Error: read cli flags: use of --connection and --context at the same time is not allowed\n" {
		t.Errorf("-c with --context: %s", r)
	}
	// docker's default context is the local engine; -c after the verb
	// is the verb's own (run -c: --cpu-shares).
	env.MustBerth(t, "--context", "default", "create", "-c", "512", "--name", "cs", "busybox")
	if got := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}"); got != "cs" {
		t.Errorf("ps -a = %q", got)
	}
}

func TestGlobalSyslogAndConfig(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	r := env.Berth("--syslog", "ps")
	if _, err := os.Stat("/dev/log"); err != nil {
		if r.ExitCode() != 1 || r.Stderr() != "Failed to initialize syslog hook: Unix syslog delivery error\n" {
			t.Errorf("--syslog without a syslog socket: %s", r)
		}
	} else if r.ExitCode() != 0 {
		t.Errorf("--syslog: %s", r)
	}
	// --config is docker's client config directory: its config.json
	// holds the credentials.
	cfg := filepath.Join(env.Dir, "dockercfg")
	if err := os.MkdirAll(cfg, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{"registry.example.invalid":{"auth":"Z2x1c2VyOnB3"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := env.MustBerth(t, "--config", cfg, "login", "--get-login", "registry.example.invalid"); got != "gluser" {
		t.Errorf("login --get-login with --config = %q, want gluser", got)
	}
}
