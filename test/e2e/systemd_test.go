package e2e

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// unitExecLines returns the values of key in a unit (Exec lines with their
// continuations joined), in order.
func unitExecLines(unit, key string) []string {
	joined := strings.ReplaceAll(unit, "\\\n", " ")
	var out []string
	for _, l := range strings.Split(joined, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			out = append(out, v)
		}
	}
	return out
}

// execArgv splits an Exec line into words the way systemd does for what
// generate systemd writes: blanks separate, "..." is one word, and the
// specifiers %t (runDir), %n (unit), %N (unit without .service), %% and
// $$ are expanded.
func execArgv(t *testing.T, line, runDir, unit string) []string {
	t.Helper()
	var words []string
	for rest := strings.TrimSpace(line); rest != ""; rest = strings.TrimSpace(rest) {
		var w string
		if rest[0] == '"' {
			end := 1
			for ; end < len(rest) && (rest[end] != '"' || rest[end-1] == '\\'); end++ {
			}
			u, err := strconv.Unquote(rest[:end+1])
			if err != nil {
				t.Fatalf("unquote %q: %v", rest[:end+1], err)
			}
			w, rest = u, rest[end+1:]
		} else {
			i := strings.IndexAny(rest, " \t")
			if i < 0 {
				i = len(rest)
			}
			w, rest = rest[:i], rest[i:]
		}
		w = strings.NewReplacer("%t", runDir, "%n", unit, "%N", strings.TrimSuffix(unit, ".service"), "%%", "%", "$$", "$").Replace(w)
		words = append(words, w)
	}
	return words
}

// runExec runs one Exec line of a unit as systemd would (env from the
// unit's name, NOTIFY_SOCKET when notify is set) and fails on error.
func runExec(t *testing.T, line, runDir, unit, notify string) string {
	t.Helper()
	// "-" in front: systemd ignores the command's failure; here it must
	// succeed all the same.
	argv := execArgv(t, strings.TrimPrefix(line, "-"), runDir, unit)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "PODMAN_SYSTEMD_UNIT="+unit)
	if notify != "" {
		cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+notify)
	}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

func TestGenerateSystemdExisting(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	id := env.MustBerth(t, "run", "-d", "--name", "gsys", "busybox", "sleep", "1000")
	unit := env.MustBerth(t, "generate", "systemd", "--name", "--restart-policy", "always", "--after", "x.service", "gsys")
	for _, want := range []string{"# container-gsys.service", "Restart=always", "After=x.service",
		"ExecStart=" + berthBinary + " start gsys", "Type=forking", "TimeoutStopSec=70", "Environment=PODMAN_SYSTEMD_UNIT=%n"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	// PIDFile is conmon's, which must exist for Type=forking.
	pf := unitExecLines(unit, "PIDFile")
	if len(pf) != 1 {
		t.Fatalf("PIDFile lines: %v", pf)
	}
	if b, err := os.ReadFile(pf[0]); err != nil || strings.TrimSpace(string(b)) == "" {
		t.Errorf("PIDFile %s: %q %v", pf[0], b, err)
	}
	// By ID, into files, in JSON.
	dir := t.TempDir()
	cmd := env.Command(context.Background(), "generate", "systemd", "--files", "--format", "json", id)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("generate --files: %v", err)
	}
	want := filepath.Join(dir, "container-"+id+".service")
	if !strings.Contains(string(out), want) {
		t.Errorf("--files printed %s, want %s", out, want)
	}
	if _, err := os.Stat(want); err != nil {
		t.Error(err)
	}

	r := env.Berth("generate", "systemd", "nosuch")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "nosuch does not refer to a container or pod") {
		t.Errorf("unknown name: %s", r)
	}
	r = env.Berth("generate", "systemd", "--restart-policy", "sometimes", "gsys")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "sometimes is not a valid restart policy") {
		t.Errorf("bad policy: %s", r)
	}
}

// TestGenerateSystemdNew runs a --new unit's commands by hand (systemd is
// not PID 1 here): ExecStart creates and starts the container and tells
// the notify socket it is ready with conmon as main PID; ExecStop and
// ExecStopPost remove it and its ID file.
func TestGenerateSystemdNew(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "run", "-d", "--name", "gnew", "-e", "GREETING=hi there", "busybox", "sleep", "1000")
	unit := env.MustBerth(t, "generate", "systemd", "--new", "--name", "gnew")
	env.MustBerth(t, "rm", "-f", "-t", "0", "gnew")
	for _, want := range []string{"Type=notify", "NotifyAccess=all", "--sdnotify=conmon", "--replace", "--cidfile=%t/%n.ctr-id"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	runDir := t.TempDir()
	sock := filepath.Join(runDir, "notify.sock")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	const name = "container-gnew.service"
	start := unitExecLines(unit, "ExecStart")
	runExec(t, start[0], runDir, name, sock)

	buf := make([]byte, 512)
	_ = l.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := l.Read(buf)
	if err != nil {
		t.Fatalf("no sd-notify message: %v", err)
	}
	msg := string(buf[:n])
	if !strings.Contains(msg, "READY=1") || !strings.Contains(msg, "MAINPID=") {
		t.Errorf("sd-notify message %q", msg)
	}
	conmon := env.MustBerth(t, "inspect", "--format", "{{.State.ConmonPid}}", "gnew")
	if !strings.Contains(msg, "MAINPID="+conmon+"\n") {
		t.Errorf("MAINPID in %q is not conmon's %s", msg, conmon)
	}
	if got := env.MustBerth(t, "exec", "gnew", "sh", "-c", "echo $GREETING"); got != "hi there" {
		t.Errorf("env in the new container: %q", got)
	}
	idFile := filepath.Join(runDir, name+".ctr-id")
	if _, err := os.Stat(idFile); err != nil {
		t.Fatal(err)
	}
	// A restart after a crash: the name is taken, --replace takes it over.
	_ = os.Remove(idFile)
	runExec(t, start[0], runDir, name, "")
	if got := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}} {{.State}}"); got != "gnew running" {
		t.Errorf("after the second ExecStart: %q", got)
	}

	runExec(t, unitExecLines(unit, "ExecStop")[0], runDir, name, "")
	runExec(t, unitExecLines(unit, "ExecStopPost")[0], runDir, name, "")
	if got := env.MustBerth(t, "ps", "-a", "-q"); got != "" {
		t.Errorf("containers left after ExecStopPost: %q", got)
	}
	if _, err := os.Stat(idFile); !os.IsNotExist(err) {
		t.Errorf("ID file left: %v", err)
	}
	// Stopping a stopped unit again is quiet, as systemd may do it.
	runExec(t, unitExecLines(unit, "ExecStop")[0], runDir, name, "")
	runExec(t, unitExecLines(unit, "ExecStopPost")[0], runDir, name, "")
}

// TestGenerateSystemdPodNew runs the units of a pod made with --new: the
// pod's ExecStartPre/ExecStart create and start it and write the infra
// conmon PID file, the member's ExecStart joins it by the pod ID file.
func TestGenerateSystemdPodNew(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--name", "gpod")
	env.MustBerth(t, "create", "--pod", "gpod", "--name", "gpodweb", "busybox", "sleep", "1000")
	out := env.MustBerth(t, "generate", "systemd", "--new", "--name", "gpod")
	units := strings.Split(out, "\n\n# ")
	if len(units) != 2 || !strings.HasPrefix(units[0], "# pod-gpod.service") || !strings.HasPrefix(units[1], "container-gpodweb.service") {
		t.Fatalf("units:\n%s", out)
	}
	pod, member := units[0], units[1]
	if !strings.Contains(pod, "Requires=container-gpodweb.service") || !strings.Contains(member, "BindsTo=pod-gpod.service") {
		t.Errorf("dependencies:\n%s", out)
	}
	env.MustBerth(t, "pod", "rm", "-f", "gpod")

	runDir := t.TempDir()
	for _, l := range unitExecLines(pod, "ExecStartPre") {
		runExec(t, l, runDir, "pod-gpod.service", "")
	}
	runExec(t, unitExecLines(pod, "ExecStart")[0], runDir, "pod-gpod.service", "")
	pidFile := filepath.Join(runDir, "pod-gpod.pid")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	infra := env.MustBerth(t, "pod", "inspect", "--format", "{{.InfraContainerID}}", "gpod")
	if conmon := env.MustBerth(t, "inspect", "--format", "{{.State.ConmonPid}}", infra); string(b) != conmon {
		t.Errorf("infra conmon PID file has %q, want %s", b, conmon)
	}
	runExec(t, unitExecLines(member, "ExecStart")[0], runDir, "container-gpodweb.service", "")
	if got := env.MustBerth(t, "ps", "--filter", "pod=gpod", "--format", "{{.Names}}"); !strings.Contains(got, "gpodweb") {
		t.Errorf("member not running in the pod: %q", got)
	}
	runExec(t, unitExecLines(member, "ExecStop")[0], runDir, "container-gpodweb.service", "")
	runExec(t, unitExecLines(member, "ExecStopPost")[0], runDir, "container-gpodweb.service", "")
	runExec(t, unitExecLines(pod, "ExecStop")[0], runDir, "pod-gpod.service", "")
	runExec(t, unitExecLines(pod, "ExecStopPost")[0], runDir, "pod-gpod.service", "")
	if got := env.MustBerth(t, "pod", "ps", "-q"); got != "" {
		t.Errorf("pods left: %q", got)
	}
}
