package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunFlagsProcess: podman's create/run flags that shape the process,
// each observed inside a real container (values as podman 5 gives them).
func TestRunFlagsProcess(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("10.9.9.9 fromfile\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	labels := filepath.Join(t.TempDir(), "labels")
	if err := os.WriteFile(labels, []byte("# comment\na=file\nb=file\n\nempty\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		cmd  []string
		want string
	}{
		{"umask", []string{"--umask", "0077"}, []string{"sh", "-c", "umask"}, "0077"},
		{"umask short", []string{"--umask", "27"}, []string{"sh", "-c", "umask"}, "0027"},
		{"tz", []string{"--tz", "Asia/Tokyo"}, []string{"date", "+%Z"}, "JST"},
		{"tz utc", []string{"--tz", "Etc/UTC"}, []string{"date", "+%Z"}, "UTC"},
		{"domainname", []string{"--domainname", "example.org"}, []string{"cat", "/proc/sys/kernel/domainname"}, "example.org"},
		{"unsetenv", []string{"--unsetenv", "container", "-e", "A=1"}, []string{"sh", "-c", "echo ${container:-unset} $A"}, "unset 1"},
		// HOSTNAME and HOME come after, as in podman.
		{"unsetenv-all", []string{"--unsetenv-all", "--http-proxy=false", "-e", "A=1", "--hostname", "h"}, []string{"/bin/env"}, "HOSTNAME=h\nA=1\nHOME=/root"},
		{"env-merge", []string{"--env-merge", "P=${PATH}:/opt", "--env-merge", "Q=${NOPE:-dflt}"}, []string{"sh", "-c", "echo $P $Q"},
			"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt dflt"},
		{"http-proxy", nil, []string{"sh", "-c", "echo $http_proxy"}, "http://proxy.test:3128"},
		{"http-proxy=false", []string{"--http-proxy=false"}, []string{"sh", "-c", "echo ${http_proxy:-none}"}, "none"},
		{"hosts-file", []string{"--hosts-file", hosts}, []string{"grep", "-c", "fromfile", "/etc/hosts"}, "1"},
		{"hosts-file none", []string{"--hosts-file", "none"}, []string{"sh", "-c", "grep -c fromfile /etc/hosts; true"}, "0"},
		{"no-hostname", []string{"--no-hostname"}, []string{"sh", "-c", "test -e /etc/hostname && echo file || echo none"}, "none"},
		{"hostname file", nil, []string{"sh", "-c", "test -e /etc/hostname && echo file || echo none"}, "file"},
		{"chrootdirs", []string{"--hostname", "hh", "--chrootdirs", "/jail,/other"}, []string{"sh", "-c", "cat /jail/etc/hostname; head -1 /other/etc/hosts"}, "hh\n127.0.0.1\tlocalhost"},
		{"containerenv", nil, []string{"wc", "-c", "/run/.containerenv"}, "0 /run/.containerenv"},
	}
	for _, tc := range cases {
		args := append(append([]string{"run", "--rm", "--network", "none"}, tc.args...), "busybox")
		cmd := env.Command(t.Context(), append(args, tc.cmd...)...)
		cmd.Env = append(os.Environ(), "http_proxy=http://proxy.test:3128")
		out, err := cmd.CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != tc.want {
			t.Errorf("%s: %v: got %q (%v), want %q", tc.name, tc.args, got, err, tc.want)
		}
	}

	// -a stdin alone: run prints the container's ID (docker).
	r := env.BerthStdin(strings.NewReader("in\n"), "run", "--rm", "-i", "-a", "stdin", "--network", "none", "busybox", "sh", "-c", "cat; echo out")
	if id := strings.TrimSpace(r.Stdout()); r.ExitCode() != 0 || len(id) != 64 {
		t.Errorf("run -a stdin: want the container ID alone:\n%s", r)
	}

	// create -a prints the ID as every create does and records the
	// streams (inspect's Config.Attach*, as docker); a bad stream is
	// refused with nothing made.
	id := env.MustBerth(t, "create", "-a", "stdin", "-a", "stdout", "--network", "none", "busybox", "true")
	if got := env.MustBerth(t, "inspect", "--format", "{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}}", id); got != "true true false" {
		t.Errorf("create -a stdin -a stdout: inspect Attach* = %q", got)
	}
	env.MustBerth(t, "rm", id)
	if r := env.Berth("create", "--attach", "stdio", "busybox", "true"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `invalid stream "stdio"`) {
		t.Errorf("create --attach stdio:\n%s", r)
	}
	if ids := env.MustBerth(t, "ps", "-aq"); ids != "" {
		t.Errorf("containers left: %q", ids)
	}

	// A privileged container learns about itself from /run/.containerenv.
	out := env.MustBerth(t, "run", "--rm", "--network", "none", "--privileged", "--name", "priv", "busybox", "cat", "/run/.containerenv")
	for _, want := range []string{`engine="berth-`, `name="priv"`, `image="`, `rootless=0`} {
		if !strings.Contains(out, want) {
			t.Errorf("privileged /run/.containerenv = %q, want it to contain %s", out, want)
		}
	}

	// --annotation lands in the OCI spec; --label-file under -l.
	env.MustBerth(t, "create", "--name", "ann", "--annotation", "org.test/a=1", "--label-file", labels, "-l", "b=flag", "busybox")
	if got := paInspect(t, env, "ann", `{{index .Config.Annotations "org.test/a"}} {{.Config.Labels.a}} {{.Config.Labels.b}} [{{.Config.Labels.empty}}]`); got != "1 file flag []" {
		t.Errorf("annotations and labels = %q, want %q", got, "1 file flag []")
	}
	env.MustBerth(t, "rm", "ann")
}

// TestRunFlagsLifecycle: --replace, --rmi, --timeout, --pidfile and
// --conmon-pidfile.
func TestRunFlagsLifecycle(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)

	// --replace: a running container of the name is removed first, as
	// often as asked.
	var ids []string
	for range 3 {
		ids = append(ids, env.MustBerth(t, "run", "-d", "--replace", "--name", "r", "--network", "none", "busybox", "sleep", "1000"))
	}
	if got := paPsNames(t, env); len(got) != 1 || got[0] != "r" {
		t.Errorf("ps -a after three --replace runs = %v, want [r]", got)
	}
	if ids[0] == ids[2] {
		t.Errorf("--replace kept the container ID %s", ids[0])
	}
	env.MustBerth(t, "create", "--replace", "--name", "r", "busybox")
	env.MustBerth(t, "rm", "-f", "r")

	// --pidfile and --conmon-pidfile hold the PIDs inspect reports.
	dir := t.TempDir()
	pidFile, conmonFile := filepath.Join(dir, "pid"), filepath.Join(dir, "conmon.pid")
	env.MustBerth(t, "run", "-d", "--name", "p", "--network", "none", "--pidfile", pidFile, "--conmon-pidfile", conmonFile, "busybox", "sleep", "1000")
	for _, f := range []struct{ path, tmpl string }{{pidFile, "{{.State.Pid}}"}, {conmonFile, "{{.State.ConmonPid}}"}} {
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if want := paInspect(t, env, "p", f.tmpl); string(b) != want {
			t.Errorf("%s = %q, want %s %q", f.path, b, f.tmpl, want)
		}
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "p")

	// --timeout: conmon kills the container once the time is up; run
	// exits 255 and the exit code is -1, as with podman.
	start := time.Now()
	r := env.Berth("run", "--name", "t", "--network", "none", "--timeout", "2", "busybox", "sleep", "60")
	// conmon's timer has second granularity (glib may fire it early):
	// only "not at once" and "long before the sleep ends" are checked.
	if el := time.Since(start); r.ExitCode() != 255 || el < time.Second || el > 30*time.Second {
		t.Errorf("run --timeout 2 sleep 60: exit %d after %v, want 255 after 2s:\n%s", r.ExitCode(), el, r)
	}
	if got := paInspect(t, env, "t", "{{.State.Status}} {{.State.ExitCode}}"); got != "exited -1" {
		t.Errorf("after --timeout: status %q, want \"exited -1\"", got)
	}
	env.MustBerth(t, "rm", "t")

	// --link NAME:ALIAS: the linked container's address under both names
	// (docker's legacy links); it must exist and run.
	env.MustBerth(t, "run", "-d", "--name", "web", "busybox", "sleep", "1000")
	ip := paInspect(t, env, "web", "{{.NetworkSettings.IPAddress}}")
	out := env.MustBerth(t, "run", "--rm", "--link", "web:db", "busybox", "sh", "-c", "grep -w db /etc/hosts; grep -w web /etc/hosts")
	if want := ip + "\tdb\n" + ip + "\tweb"; ip == "" || out != want {
		t.Errorf("--link web:db: /etc/hosts lines %q, want %q", out, want)
	}
	paExpectError(t, env.Berth("run", "--rm", "--link", "nope", "busybox", "true"), 125, "could not get container for nope")
	env.MustBerth(t, "stop", "-t", "0", "web")
	paExpectError(t, env.Berth("run", "--rm", "--link", "web", "busybox", "true"), 125, "cannot link to a non running container: /web AS")
	env.MustBerth(t, "rm", "web")

	// --rmi removes the image after the container; kept when another
	// container uses it.
	env.MustBerth(t, "tag", "busybox", "localhost/gone:1")
	env.MustBerth(t, "run", "--rmi", "--network", "none", "localhost/gone:1", "true")
	if r := env.Berth("image", "exists", "localhost/gone:1"); r.ExitCode() != 1 {
		t.Errorf("image exists after run --rmi: exit %d, want 1", r.ExitCode())
	}
	if r := env.Berth("image", "exists", "busybox"); r.ExitCode() != 0 {
		t.Errorf("run --rmi of another tag removed busybox too:\n%s", r)
	}
	paExpectNoContainers(t, env)
}

// TestRunFlagsBadInput: bad values get podman's error, exit 125, and
// nothing is created.
func TestRunFlagsBadInput(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--replace"}, "cannot replace container without --name being set"},
		{[]string{"--umask", "0999"}, "invalid umask string 0999"},
		{[]string{"--umask", "abc"}, "invalid umask string abc"},
		{[]string{"--tz", "Nowhere/City"}, "finding timezone: stat /usr/share/zoneinfo/Nowhere/City: no such file or directory"},
		{[]string{"--tz", "Asia"}, "invalid timezone: is a directory"},
		{[]string{"--tz", "../../etc/passwd"}, "invalid timezone"},
		{[]string{"--annotation", "novalue"}, "annotations must be formatted KEY=VALUE"},
		{[]string{"--label-file", "/nonexistent/labels"}, "open /nonexistent/labels: no such file or directory"},
		{[]string{"--env-merge", "NOEQUALS"}, "missing `=` for --env-merge substitution NOEQUALS"},
		{[]string{"--domainname", "bad domain"}, "--domainname"},
		{[]string{"--domainname", "example.org", "--uts", "host"}, "cannot set the domain name of a shared UTS namespace"},
		{[]string{"--timeout", "-1"}, "invalid argument"},
		{[]string{"--hosts-file", "/nonexistent/hosts"}, "--hosts-file: stat /nonexistent/hosts: no such file or directory"},
		{[]string{"--gpus", "all"}, "--gpus is not supported by berth"},
		{[]string{"--decryption-key", "/k.pem"}, "--decryption-key is not supported by berth"},
		{[]string{"--chrootdirs", "rel"}, `--chrootdirs "rel": must be an absolute path`},
		{[]string{"--hosts-file", "image", "--no-hosts"}, "--no-hosts and --hosts-file cannot be set together"},
	}
	for _, tc := range cases {
		for _, verb := range []string{"create", "run"} {
			args := append(append([]string{verb}, tc.args...), "busybox", "true")
			paExpectError(t, env.Berth(args...), 125, tc.want)
		}
	}
	paExpectError(t, env.Berth("run", "--rmi", "--rm=false", "busybox", "true"), 125, "the --rmi option does not work without --rm")
	paExpectNoContainers(t, env)
}

// TestRunFlagsSeccompPolicy: --seccomp-policy image takes the profile in
// the image's io.containers.seccomp.profile label; default ignores it,
// and --privileged keeps no filter at all.
func TestRunFlagsSeccompPolicy(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	const profile = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`
	env.MustBerth(t, "import", "--change", "LABEL io.containers.seccomp.profile='"+profile+"'", BusyboxTar(), "sec")
	r := env.Berth("run", "--rm", "--network", "none", "--seccomp-policy", "image", "sec", "mkdir", "/x")
	if r.ExitCode() != 1 || !strings.Contains(r.Stderr(), "Operation not permitted") {
		t.Errorf("--seccomp-policy image: want mkdir refused:\n%s", r)
	}
	for _, args := range [][]string{{"--seccomp-policy", "default"}, {"--seccomp-policy", "image", "--privileged"}} {
		a := append(append([]string{"run", "--rm", "--network", "none"}, args...), "sec", "mkdir", "/x")
		env.MustBerth(t, a...)
	}
	paExpectError(t, env.Berth("create", "--seccomp-policy", "bogus", "sec", "true"), 125, `invalid seccomp policy "bogus": valid policies are ["default" "image"]`)
	paExpectNoContainers(t, env)
}
