package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// remoteCLI runs berth against env's service at uri (--url) and compares
// with the same command run locally on env's root.
type remoteCLI struct {
	t   *testing.T
	env *Env
	uri string
}

func (r remoteCLI) run(args ...string) Result {
	return r.env.Berth(append([]string{"--url", r.uri}, args...)...)
}

// durations are the times ps prints ("Up 2 seconds", "3 seconds ago"):
// the libpod API carries start and exit times in whole seconds, so the
// remote side may round them a second differently.
var durations = regexp.MustCompile(`(Less than a second|About a minute|About an hour|\d+ (second|minute|hour)s?)`)

// spaces are a table's column padding, which follows the durations' width.
var spaces = regexp.MustCompile(` {2,}`)

// same checks that the remote command prints what the local one prints
// (output, error and exit code), durations aside. The local command runs
// before and after, and either may match, so that a clock ticking over
// does not fail the test.
func (r remoteCLI) same(args ...string) Result {
	r.t.Helper()
	before := r.env.Berth(args...)
	remote := r.run(args...)
	after := r.env.Berth(args...)
	norm := func(s string) string { return spaces.ReplaceAllString(durations.ReplaceAllString(s, "N"), " ") }
	for _, local := range []Result{before, after} {
		// A failed exec's error comes through the stream, as "\r\n" lines.
		rerr := strings.ReplaceAll(remote.Stderr(), "\r\n", "\n")
		if norm(local.Stdout()) == norm(remote.Stdout()) && local.Stderr() == rerr && local.ExitCode() == remote.ExitCode() {
			return remote
		}
	}
	r.t.Errorf("remote and local differ for %q\nlocal:\n%s\nremote:\n%s", args, after, remote)
	return remote
}

func TestRemoteMatchesLocal(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	r := remoteCLI{t: t, env: env, uri: apiService(t, env)}

	env.MustBerth(t, "run", "-d", "--name", "sleeper", "--label", "app=web", "busybox", "sleep", "1000")
	env.MustBerth(t, "create", "--name", "idle", "busybox", "true")
	if out := env.Berth("run", "--name", "talker", "busybox", "sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 3"); out.ExitCode() != 3 {
		t.Fatalf("run talker:\n%s", out)
	}

	for _, args := range [][]string{
		{"ps"}, {"ps", "-a"}, {"ps", "-a", "-q"}, {"ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.Command}} {{.State}} {{.Labels}}"},
		{"ps", "-a", "--filter", "label=app=web", "--format", "{{.Names}}"}, {"ps", "-a", "--filter", "status=exited", "-q"},
		{"ps", "-n", "1", "--format", "{{.Names}}"}, {"ps", "-a", "--format", "json"},
		{"inspect", "sleeper"}, {"container", "inspect", "--format", "{{.Name}} {{.State.Status}} {{.Config.Labels}}", "talker", "idle"},
		{"logs", "talker"}, {"logs", "--tail", "1", "talker"},
		{"wait", "talker"},
		{"inspect", "nosuch"}, {"stop", "nosuch"}, {"logs", "nosuch"}, {"rm", "nosuch"}, {"wait", "nosuch"},
	} {
		r.same(args...)
	}
	for _, args := range [][]string{{"exec", "sleeper", "sh", "-c", "echo o; echo e >&2; exit 4"}, {"exec", "-e", "V=1", "-w", "/tmp", "sleeper", "sh", "-c", "echo $V; pwd"},
		{"exec", "sleeper", "nosuchcmd"}, {"exec", "idle", "true"}, {"exec", "-l", "echo", "latest"}} {
		r.same(args...)
	}
	if out := r.run("exec", "-d", "sleeper", "true"); out.ExitCode() != 0 || len(strings.TrimSpace(out.Stdout())) != 64 {
		t.Errorf("remote exec -d: want the session ID:\n%s", out)
	}
	// exec -i sends stdin over the hijacked connection; -t reads the
	// terminal's stream.
	for _, args := range [][]string{{"exec", "-i", "sleeper", "sh", "-c", "cat; echo done >&2; exit 5"}, {"exec", "-t", "sleeper", "echo", "tty"},
		{"exec", "-it", "sleeper", "sh", "-c", "read l; echo got $l"}} {
		local := env.BerthStdin(strings.NewReader("hello\n"), args...)
		remote := env.BerthStdin(strings.NewReader("hello\n"), append([]string{"--url", r.uri}, args...)...)
		if local.Stdout() != remote.Stdout() || local.Stderr() != remote.Stderr() || local.ExitCode() != remote.ExitCode() {
			t.Errorf("remote and local differ for %q\nlocal:\n%s\nremote:\n%s", args, local, remote)
		}
	}
	if out := r.run("logs", "talker"); out.Stdout() != "out1\nout2\n" || out.Stderr() != "err1\n" {
		t.Errorf("remote logs split the streams wrongly:\n%s", out)
	}

	// The verbs act on the service's containers and print what local
	// berth prints.
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"pause", "sleeper"}, "sleeper\n"},
		{[]string{"unpause", "sleeper"}, "sleeper\n"},
		{[]string{"stop", "-t", "0", "sleeper"}, "sleeper\n"},
		{[]string{"start", "idle", "sleeper"}, "idle\nsleeper\n"},
		{[]string{"restart", "-t", "0", "sleeper"}, "sleeper\n"},
		{[]string{"kill", "sleeper"}, "sleeper\n"},
		{[]string{"wait", "sleeper"}, "137\n"},
		{[]string{"rm", "idle", "talker"}, "idle\ntalker\n"},
	} {
		out := r.run(step.args...)
		if out.ExitCode() != 0 || out.Stdout() != step.want {
			t.Errorf("remote %q: want %q on stdout:\n%s", step.args, step.want, out)
		}
	}
	if got := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}} {{.State}}"); got != "sleeper exited" {
		t.Errorf("local ps after the remote verbs = %q, want only sleeper, exited", got)
	}

	// create and run -d build the container on the service from the same
	// flags; it is configured as the local twin is.
	twin := []string{"-e", "A=1", "--label", "x=y", "-v", "rvol:/data", "-w", "/data", "--stop-signal", "SIGINT",
		"busybox", "sh", "-c", "echo hi > f; sleep 1000"}
	if out := r.run(append([]string{"run", "-d", "--name", "rrun"}, twin...)...); out.ExitCode() != 0 || len(strings.TrimSpace(out.Stdout())) != 64 {
		t.Errorf("remote run -d: want the ID:\n%s", out)
	}
	env.MustBerth(t, append([]string{"run", "-d", "--name", "lrun"}, twin...)...)
	conf := "{{.Config.Labels}} {{.Config.WorkingDir}} {{.Config.Cmd}} {{.Config.StopSignal}} {{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}}{{end}} {{.State.Status}}"
	if rc, lc := env.MustBerth(t, "inspect", "--format", conf, "rrun"), env.MustBerth(t, "inspect", "--format", conf, "lrun"); rc != lc {
		t.Errorf("remote run -d made %q, local run -d %q", rc, lc)
	}
	if e := env.MustBerth(t, "inspect", "--format", "{{.Config.Env}}", "rrun"); !strings.Contains(e, "A=1") {
		t.Errorf("remote run -d env = %s, want A=1", e)
	}
	if out := r.run("create", "--name", "rcreated", "busybox", "true"); out.ExitCode() != 0 {
		t.Errorf("remote create:\n%s", out)
	}
	if got := env.MustBerth(t, "ps", "-a", "--filter", "name=rcreated", "--format", "{{.State}}"); got != "created" {
		t.Errorf("remote create made a container in state %q", got)
	}
	if out := r.run("init", "rcreated"); out.ExitCode() != 0 || out.Stdout() != "rcreated\n" {
		t.Errorf("remote init:\n%s", out)
	}
	if got := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "rcreated"); got != "created" {
		t.Errorf("remote init left the container %q, want created (in the runtime)", got)
	}
	for _, args := range [][]string{{"create", "--cpu-shares", "10", "busybox"}, {"run", "-a", "stdout", "busybox", "true"}} {
		if out := r.run(args...); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "is not supported with --remote") {
			t.Errorf("remote %q: want exit 125 and not supported:\n%s", args, out)
		}
	}
	env.MustBerth(t, "rm", "-f", "rrun", "lrun", "rcreated")

	// logs -f follows until the container exits.
	env.MustBerth(t, "run", "-d", "--name", "ticker", "busybox", "sh", "-c", "for i in 1 2 3; do echo tick$i; sleep 0.5; done")
	if out := r.run("logs", "-f", "ticker"); out.ExitCode() != 0 || out.Stdout() != "tick1\ntick2\ntick3\n" {
		t.Errorf("remote logs -f:\n%s", out)
	}
	env.MustBerth(t, "rm", "ticker")

	// An attached run streams the container and exits with its code.
	before := env.MustBerth(t, "ps", "-a", "-q")
	for _, args := range [][]string{{"run", "--rm", "busybox", "sh", "-c", "echo o; echo e >&2; exit 3"}, {"run", "--rm", "-i", "busybox", "cat"},
		{"run", "--rm", "-t", "busybox", "echo", "tty"}, {"run", "--rm", "-it", "busybox", "sh", "-c", "read l; echo got $l"},
		{"run", "--rm", "busybox", "nosuchcmd"}} {
		local := env.BerthStdin(strings.NewReader("hello\n"), args...)
		remote := env.BerthStdin(strings.NewReader("hello\n"), append([]string{"--url", r.uri}, args...)...)
		name := regexp.MustCompile(`container [a-z]+_[a-z]+:`)
		if local.Stdout() != remote.Stdout() || name.ReplaceAllString(local.Stderr(), "") != name.ReplaceAllString(remote.Stderr(), "") || local.ExitCode() != remote.ExitCode() {
			t.Errorf("remote and local differ for %q\nlocal:\n%s\nremote:\n%s", args, local, remote)
		}
	}
	if after := env.MustBerth(t, "ps", "-a", "-q"); after != before {
		t.Errorf("attached runs with --rm left containers: %q, before %q", after, before)
	}

	// Volumes and networks.
	if out := r.run("volume", "create", "--label", "k=v", "rvol2"); out.Stdout() != "rvol2\n" {
		t.Errorf("remote volume create:\n%s", out)
	}
	for _, args := range [][]string{{"volume", "ls"}, {"volume", "ls", "--filter", "label=k=v", "-q"}, {"volume", "inspect", "rvol2"},
		{"volume", "inspect", "rvol2", "novol"}, {"volume", "ls", "--filter", "bogus=1"}, {"network", "ls"}, {"network", "ls", "--format", "json"}} {
		r.same(args...)
	}
	if out := r.run("volume", "rm", "rvol2", "novol"); out.Stdout() != "rvol2\n" || out.ExitCode() != 1 || !strings.Contains(out.Stderr(), "no such volume") {
		t.Errorf("remote volume rm rvol2 novol: want rvol2 removed, exit 1 for novol:\n%s", out)
	}
	if out := r.run("network", "create", "--label", "k=v", "rnet"); out.Stdout() != "rnet\n" {
		t.Errorf("remote network create:\n%s", out)
	}
	if got := env.MustBerth(t, "network", "ls", "--filter", "label=k=v", "--format", "{{.Name}} {{.Driver}}"); got != "rnet bridge" {
		t.Errorf("local network ls after a remote create = %q", got)
	}
	if out := r.run("network", "rm", "rnet"); out.Stdout() != "rnet\n" || out.ExitCode() != 0 {
		t.Errorf("remote network rm:\n%s", out)
	}
	r.same("network", "rm", "nonet")

	// version and info come from the service.
	if v := r.run("version"); v.ExitCode() != 0 || !strings.Contains(v.Stdout(), "Client:") || !strings.Contains(v.Stdout(), "\nServer:") {
		t.Errorf("remote version:\n%s", v)
	}
	if got := r.run("info", "--format", "{{.Store.GraphRoot}}"); strings.TrimSpace(got.Stdout()) != env.Root {
		t.Errorf("remote info graph root:\n%s\nwant %s", got, env.Root)
	}

	// What does not work remotely says so, and runs nothing locally.
	for _, args := range [][]string{{"mount", "sleeper"}, {"port", "sleeper"}, {"start", "-a", "sleeper"}, {"inspect", "--type", "image", "busybox"}} {
		out := r.run(args...)
		if out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "is not supported with --remote") || out.Stdout() != "" {
			t.Errorf("remote %q: want exit 125 and 'not supported with --remote':\n%s", args, out)
		}
	}
	if out := env.Berth("--url", "unix://"+filepath.Join(env.Dir, "none.sock"), "ps"); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "cannot connect to the berth service at unix://") {
		t.Errorf("remote ps on a missing socket:\n%s", out)
	}
}

func TestRemoteConnections(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	env.Environ = append(env.Environ, "BERTH_CONNECTIONS_CONF="+filepath.Join(env.Dir, "connections.json"))
	env.MustBerth(t, "create", "--name", "c1", "busybox", "true")

	env.MustBerth(t, "system", "connection", "add", "svc", uri)
	env.MustBerth(t, "system", "connection", "add", "--identity", "/k", "--port", "2222", "far", "root@example.com")
	if got, want := env.MustBerth(t, "system", "connection", "ls", "--format", "{{.Name}} {{.URI}} {{.Identity}} {{.Default}}"),
		"far ssh://root@example.com:2222/run/berth/berth.sock /k false\nsvc "+uri+"  true"; got != want {
		t.Errorf("connection ls = %q, want %q", got, want)
	}
	// --connection, the default connection with --remote, and the
	// environment all reach the service.
	for _, args := range [][]string{{"--connection", "svc", "ps", "-a", "--format", "{{.Names}}"}, {"--remote", "ps", "-a", "--format", "{{.Names}}"}, {"-r", "ps", "-a", "--format", "{{.Names}}"}} {
		if got := env.MustBerth(t, args...); got != "c1" {
			t.Errorf("%q = %q, want c1", args, got)
		}
	}
	env.Environ = append(env.Environ, "CONTAINER_CONNECTION=svc")
	if got := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}"); got != "c1" {
		t.Errorf("CONTAINER_CONNECTION=svc ps = %q, want c1", got)
	}
	if out := env.Berth("mount", "c1"); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "`berth mount` is not supported with --remote") {
		t.Errorf("mount with CONTAINER_CONNECTION set:\n%s", out)
	}
	env.Environ = env.Environ[:len(env.Environ)-1]

	env.MustBerth(t, "system", "connection", "default", "far")
	env.MustBerth(t, "system", "connection", "rename", "svc", "local")
	if out := env.Berth("--connection", "svc", "ps"); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), `"svc" destination is not defined`) {
		t.Errorf("--connection to a renamed connection:\n%s", out)
	}
	if out := env.Berth("system", "connection", "default", "nope"); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), `"nope" destination is not defined`) {
		t.Errorf("default nope:\n%s", out)
	}
	env.MustBerth(t, "system", "connection", "rm", "far")
	if got := env.MustBerth(t, "system", "connection", "ls", "-q"); got != "local" {
		t.Errorf("ls -q after rm = %q, want local", got)
	}
	env.MustBerth(t, "system", "connection", "rm", "-a")
	if got := env.MustBerth(t, "system", "connection", "ls", "--format", "json"); strings.TrimSpace(got) != "[]" {
		t.Errorf("ls after rm -a = %q, want []", got)
	}
}

func TestRemotePods(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	r := remoteCLI{t: t, env: env, uri: apiService(t, env)}
	podID := env.MustBerth(t, "pod", "create", "--name", "rp")
	env.MustBerth(t, "create", "--pod", "rp", "--name", "rp-member", "busybox", "sleep", "1000")

	for _, args := range [][]string{{"pod", "ps"}, {"pod", "ps", "--ctr-names", "--no-trunc"}, {"pod", "ps", "--format", "json"},
		{"pod", "ps", "--filter", "name=rp", "-q"}, {"pod", "start", "nopod"}, {"pod", "rm", "nopod"}} {
		r.same(args...)
	}
	for _, step := range []struct {
		args  []string
		state string
	}{
		{[]string{"pod", "start", "rp"}, "Running"},
		{[]string{"pod", "pause", "rp"}, "Paused"},
		{[]string{"pod", "unpause", "rp"}, "Running"},
		{[]string{"pod", "stop", "-t", "0", "rp"}, "Exited"},
	} {
		if out := r.run(step.args...); out.ExitCode() != 0 || out.Stdout() != podID+"\n" {
			t.Errorf("remote %q: want the pod ID %s:\n%s", step.args, podID, out)
		}
		if got := env.MustBerth(t, "pod", "ps", "--format", "{{.Status}}"); got != step.state {
			t.Errorf("after remote %q the pod is %q, want %q", step.args, got, step.state)
		}
	}
	r.same("pod", "ps")
	// An attached remote run in a pod whose infra is not running: the
	// service's attach inits the member, which starts the infra first.
	env.MustBerth(t, "pod", "create", "--name", "rp2")
	if out := r.run("run", "--rm", "--pod", "rp2", "busybox", "echo", "in-pod"); out.ExitCode() != 0 || out.Stdout() != "in-pod\n" {
		t.Errorf("remote run --pod with the infra stopped:\n%s", out)
	}
	env.MustBerth(t, "pod", "rm", "-f", "rp2")
	if out := r.run("pod", "rm", "rp"); out.ExitCode() != 0 || out.Stdout() != podID+"\n" {
		t.Errorf("remote pod rm:\n%s", out)
	}
	if got := env.MustBerth(t, "ps", "-a", "-q"); got != "" {
		t.Errorf("remote pod rm left containers: %q", got)
	}

	idFile := filepath.Join(env.Dir, "pod.id")
	out := r.run("pod", "create", "--name", "rp2", "--label", "a=b", "--pod-id-file", idFile)
	id := strings.TrimSpace(out.Stdout())
	if out.ExitCode() != 0 || len(id) != 64 {
		t.Fatalf("remote pod create:\n%s", out)
	}
	if b, err := os.ReadFile(idFile); err != nil || string(b) != id {
		t.Errorf("--pod-id-file holds %q (%v), want %s", b, err, id)
	}
	if got := env.MustBerth(t, "pod", "ps", "--no-trunc", "--format", "{{.ID}} {{.Name}} {{.Labels}} {{.NumberOfContainers}}"); got != id+" rp2 map[a:b] 1" {
		t.Errorf("local pod ps after a remote pod create = %q", got)
	}
	if out := r.run("pod", "create", "--memory", "10m"); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "not supported with --remote") {
		t.Errorf("remote pod create --memory: want not supported:\n%s", out)
	}
	env.MustBerth(t, "pod", "rm", "rp2")
}

func TestRemoteImages(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	id := env.ImportBusybox(t)
	r := remoteCLI{t: t, env: env, uri: apiService(t, env)}
	reg := StartRegistry(t, RegistryOptions{})
	ref := reg.Ref("remote/busybox:1")
	env.MustBerth(t, append(append([]string{"push"}, reg.Flags()...), "busybox", ref)...)
	env.MustBerth(t, "tag", "busybox", "localhost/second:tag")

	for _, args := range [][]string{{"images"}, {"images", "-q"}, {"images", "--no-trunc"}, {"images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"},
		{"images", "busybox"}, {"images", "--filter", "reference=*second*"}, {"image", "list", "--sort", "repository"}, {"rmi", "nosuch"}} {
		r.same(args...)
	}
	if out := r.run("images", "--filter", "since=busybox"); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "is not supported with --remote") {
		t.Errorf("remote images --filter since: want not supported:\n%s", out)
	}
	if out := r.run("rmi", "localhost/second:tag"); out.ExitCode() != 0 || out.Stdout() != "Untagged: localhost/second:tag\n" {
		t.Errorf("remote rmi of a second tag:\n%s", out)
	}
	if out := r.run(append(append([]string{"pull"}, reg.Flags()...), "-q", ref)...); out.ExitCode() != 0 || strings.TrimSpace(out.Stdout()) != strings.TrimSpace(id) {
		t.Errorf("remote pull %s: want the ID %s:\n%s", ref, id, out)
	}
	if got := env.MustBerth(t, "images", "--format", "{{.Repository}}:{{.Tag}}", ref); got != ref {
		t.Errorf("local images after a remote pull = %q, want %s", got, ref)
	}
	if out := r.run("pull", "--creds", "a:b", ref); out.ExitCode() != 125 || !strings.Contains(out.Stderr(), "not supported with --remote") {
		t.Errorf("remote pull --creds: want not supported:\n%s", out)
	}
	// A run -d of an image the service lacks pulls it there first.
	env.MustBerth(t, "rmi", ref)
	if out := r.run("run", "-d", "--tls-verify=false", "--name", "pulled", ref, "true"); out.ExitCode() != 0 {
		t.Errorf("remote run -d of a missing image (pull on the service):\n%s", out)
	}
	if got := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}} {{.Image}}"); got != "pulled "+ref {
		t.Errorf("local ps after the remote run -d = %q", got)
	}
}

// A remote `run -it` detaches on the detach keys as a local one does: the
// client returns 0 at once and the container runs on; --detach-keys
// replaces the sequence (the default keys then reach the container).
func TestRemoteRunDetachKeys(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)

	s := startTTY(t, env, 24, 80, "--url", uri, "run", "-it", "--name", "rdt", "busybox", "sh")
	s.expect("# ")
	s.send("echo one-$((40+2))\r")
	s.expect("one-42")
	s.send(keyCtrlP + keyCtrlQ)
	if code := s.wait(); code != 0 {
		t.Fatalf("remote detach: exit code %d, want 0; output:\n%q", code, s.output())
	}
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "rdt"); st != "running" {
		t.Fatalf("after a remote detach the container is %q, want running", st)
	}

	k := startTTY(t, env, 24, 80, "--url", uri, "run", "-it", "--detach-keys", "ctrl-x,y", "--name", "rdk", "busybox", "sh")
	k.expect("# ")
	k.send(keyCtrlP + keyCtrlQ + "echo still-$((1+1))\r")
	k.expect("still-2")
	k.send("\x18y")
	if code := k.wait(); code != 0 {
		t.Fatalf("remote detach with --detach-keys: exit code %d, want 0; output:\n%q", code, k.output())
	}
	if st := env.MustBerth(t, "inspect", "--format", "{{.State.Status}}", "rdk"); st != "running" {
		t.Fatalf("after a remote detach with --detach-keys the container is %q, want running", st)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "rdt", "rdk")
}
