package e2e

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuadletGenerator writes quadlet files, runs the generator over them
// and then the generated units' commands by hand (systemd is not PID 1
// here): the volume unit creates the volume, the container unit runs the
// container with it and notifies readiness, the stop commands remove it.
func TestQuadletGenerator(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	src := filepath.Join(env.TmpDir, "quadlets")
	out := filepath.Join(env.TmpDir, "out")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	global := "GlobalArgs=--root " + env.Root + " --runroot " + env.RunRoot + "\n"
	files := map[string]string{
		"data.volume": "[Volume]\nLabel=made=quadlet\n" + global,
		"web.container": "[Unit]\nDescription=quadlet web\n\n[Container]\nImage=busybox\nVolume=data.volume:/data\n" +
			"Environment=GREETING=\"hi there\"\nLabel=app=web\n" + global +
			"Exec=sh -c 'echo $GREETING > /data/msg; exec sleep 1000'\n\n[Install]\nWantedBy=default.target\n",
		"broken.container": "[Container]\nExec=true\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(src, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env.Environ = append(env.Environ, "QUADLET_UNIT_DIRS="+src)

	r := env.Berth("quadlet", "-dryrun")
	if r.ExitCode() != 1 || !strings.Contains(r.Stdout(), "---web.service---") || !strings.Contains(r.Stderr(), `converting "broken.container": no Image key specified`) {
		t.Errorf("dry run:\n%s", r)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("-dryrun wrote %s", out)
	}
	r = env.Berth("quadlet", out, out+".early", out+".late")
	if r.ExitCode() != 1 {
		t.Errorf("generator with a broken file: %s", r)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	vol, web := read("data-volume.service"), read("web.service")
	if l, err := os.Readlink(filepath.Join(out, "default.target.wants", "web.service")); err != nil || l != "../web.service" {
		t.Errorf("[Install] link: %q %v", l, err)
	}
	for _, want := range []string{"Requires=data-volume.service", "SourcePath=" + filepath.Join(src, "web.container"), "Type=notify", "[X-Container]"} {
		if !strings.Contains(web, want) {
			t.Errorf("web.service lacks %q:\n%s", want, web)
		}
	}

	runDir := t.TempDir()
	runExec(t, unitExecLines(vol, "ExecStart")[0], runDir, "data-volume.service", "")
	if got := env.MustBerth(t, "volume", "inspect", "--format", "{{.Labels.made}}", "systemd-data"); got != "quadlet" {
		t.Errorf("volume label: %q", got)
	}
	// systemd starts a oneshot again on every boot: --ignore keeps it quiet.
	runExec(t, unitExecLines(vol, "ExecStart")[0], runDir, "data-volume.service", "")

	sock := filepath.Join(runDir, "notify.sock")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	runExec(t, unitExecLines(web, "ExecStart")[0], runDir, "web.service", sock)
	buf := make([]byte, 512)
	_ = l.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := l.Read(buf); err != nil || !strings.Contains(string(buf[:n]), "READY=1") {
		t.Errorf("sd-notify: %q %v", buf[:n], err)
	}
	WaitFor(t, 10*time.Second, func() bool {
		return env.Berth("exec", "systemd-web", "cat", "/data/msg").Stdout() == "hi there\n"
	})
	if got := env.MustBerth(t, "inspect", "--format", `{{.Config.Labels.app}} {{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}`, "systemd-web"); got != "web web.service" {
		t.Errorf("labels: %q", got)
	}
	runExec(t, unitExecLines(web, "ExecStop")[0], runDir, "web.service", "")
	runExec(t, unitExecLines(web, "ExecStopPost")[0], runDir, "web.service", "")
	if got := env.MustBerth(t, "ps", "-a", "-q"); got != "" {
		t.Errorf("containers left: %q", got)
	}
}

// TestQuadletManage installs, lists, prints and removes quadlet files in
// the directory $QUADLET_UNIT_DIRS names (systemd is not running here, so
// nothing is reloaded).
func TestQuadletManage(t *testing.T) {
	env := NewEnv(t)
	dir := filepath.Join(env.TmpDir, "installed")
	env.Environ = append(env.Environ, "QUADLET_UNIT_DIRS="+dir)
	src := filepath.Join(env.TmpDir, "web.container")
	if err := os.WriteFile(src, []byte("[Container]\nImage=busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := env.MustBerth(t, "quadlet", "install", src); got != filepath.Join(dir, "web.container") {
		t.Errorf("install printed %q", got)
	}
	if r := env.Berth("quadlet", "install", src); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "already exists") {
		t.Errorf("second install:\n%s", r)
	}
	if got := env.MustBerth(t, "quadlet", "list", "--format", "{{.Name}} {{.UnitName}} {{.Path}}"); got != "web.container web.service "+filepath.Join(dir, "web.container") {
		t.Errorf("list: %q", got)
	}
	if got := env.MustBerth(t, "quadlet", "print", "web.container"); got != "[Container]\nImage=busybox" {
		t.Errorf("print: %q", got)
	}
	env.MustBerth(t, "quadlet", "rm", "web.container")
	if got := env.MustBerth(t, "quadlet", "list", "--format", "{{.Name}}"); got != "" {
		t.Errorf("after rm: %q", got)
	}
	if r := env.Berth("quadlet", "rm", "web.container"); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "no such Quadlet web.container") {
		t.Errorf("rm of a missing quadlet:\n%s", r)
	}
	env.MustBerth(t, "quadlet", "rm", "--ignore", "web.container")
}

// TestQuadletRmRunning: a quadlet whose unit is active is refused by rm
// and stopped (through systemctl, faked by $BERTH_SYSTEMCTL) by rm -f
// before its file goes, as podman 5 does.
func TestQuadletRmRunning(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	dir := filepath.Join(env.TmpDir, "installed")
	env.Environ = append(env.Environ, "QUADLET_UNIT_DIRS="+dir)
	fake, log, active := filepath.Join(env.TmpDir, "systemctl"), filepath.Join(env.TmpDir, "systemctl.log"), filepath.Join(env.TmpDir, "active")
	// is-active answers "active" while the marker exists; stop removes it.
	body := "#!/bin/sh\necho \"$*\" >> " + log + "\ncase \"$1\" in\n" +
		"is-active) if [ -e " + active + " ]; then echo active; else echo inactive; exit 3; fi;;\n" +
		"stop) rm -f " + active + ";;\nesac\n"
	if err := os.WriteFile(fake, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	env.Environ = append(env.Environ, "BERTH_SYSTEMCTL="+fake)
	src := filepath.Join(env.TmpDir, "web.container")
	if err := os.WriteFile(src, []byte("[Container]\nImage=busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env.MustBerth(t, "quadlet", "install", src)
	if err := os.WriteFile(active, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"quadlet", "rm", "web.container"}, {"quadlet", "rm", "--ignore", "web.container"}} {
		if r := env.Berth(args...); r.ExitCode() != 125 || !strings.Contains(r.Stderr(), "quadlet web.container is running and force is not set, refusing to remove") {
			t.Errorf("%v of an active unit:\n%s", args, r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "web.container")); err != nil {
		t.Fatalf("a refused rm removed the file: %v", err)
	}
	if got := env.MustBerth(t, "quadlet", "rm", "-f", "web.container"); got != "web.container" {
		t.Errorf("rm -f printed %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "web.container")); !os.IsNotExist(err) {
		t.Errorf("rm -f left the file: %v", err)
	}
	b, _ := os.ReadFile(log)
	if !strings.Contains(string(b), "stop web.service\n") || !strings.HasSuffix(string(b), "daemon-reload\n") {
		t.Errorf("systemctl calls:\n%s", b)
	}
}

// TestQuadletPod runs a generated .pod unit and the unit of a container
// in it by hand: the pod's ExecStartPre creates it, ExecStart starts it and
// writes the infra conmon PID file systemd would watch, the member joins
// by the pod ID file, and the pod's stop commands remove everything.
func TestQuadletPod(t *testing.T) {
	env := NewEnv(t)
	env.ImportBusybox(t)
	src := filepath.Join(env.TmpDir, "quadlets")
	out := filepath.Join(env.TmpDir, "out")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	global := "GlobalArgs=--root " + env.Root + " --runroot " + env.RunRoot + "\n"
	files := map[string]string{
		"app.pod":      "[Pod]\nPodName=app\n" + global,
		"db.container": "[Container]\nImage=busybox\nPod=app.pod\n" + global + "Exec=sleep 1000\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(src, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env.Environ = append(env.Environ, "QUADLET_UNIT_DIRS="+src)
	env.MustBerth(t, "quadlet", out)
	podUnit, err := os.ReadFile(filepath.Join(out, "app-pod.service"))
	if err != nil {
		t.Fatal(err)
	}
	dbUnit, err := os.ReadFile(filepath.Join(out, "db.service"))
	if err != nil {
		t.Fatal(err)
	}
	pod, db := string(podUnit), string(dbUnit)
	if !strings.Contains(pod, "Wants=db.service") || !strings.Contains(db, "BindsTo=app-pod.service") {
		t.Errorf("dependencies:\n%s\n%s", pod, db)
	}
	runDir := t.TempDir()
	for _, l := range unitExecLines(pod, "ExecStartPre") {
		runExec(t, l, runDir, "app-pod.service", "")
	}
	runExec(t, unitExecLines(pod, "ExecStart")[0], runDir, "app-pod.service", "")
	b, err := os.ReadFile(filepath.Join(runDir, "app-pod.pid"))
	if err != nil || strings.TrimSpace(string(b)) == "" || strings.TrimSpace(string(b)) == "0" {
		t.Errorf("infra conmon PID file: %q %v", b, err)
	}
	runExec(t, unitExecLines(db, "ExecStart")[0], runDir, "db.service", "")
	if got := env.MustBerth(t, "ps", "--filter", "pod=app", "--format", "{{.Names}}"); !strings.Contains(got, "systemd-db") {
		t.Errorf("member not in the pod: %q", got)
	}
	runExec(t, unitExecLines(db, "ExecStop")[0], runDir, "db.service", "")
	runExec(t, unitExecLines(pod, "ExecStop")[0], runDir, "app-pod.service", "")
	runExec(t, unitExecLines(pod, "ExecStopPost")[0], runDir, "app-pod.service", "")
	if got := env.MustBerth(t, "pod", "ps", "-q"); got != "" {
		t.Errorf("pods left: %q", got)
	}
	if got := env.MustBerth(t, "ps", "-a", "-q"); got != "" {
		t.Errorf("containers left: %q", got)
	}
}
