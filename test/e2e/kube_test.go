package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeKube writes a YAML file into the env's scratch directory.
func writeKube(t *testing.T, env *Env, name, y string) string {
	t.Helper()
	p := filepath.Join(env.TmpDir, name)
	if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// names lists what a listing command prints, one name a line.
func names(t *testing.T, env *Env, args ...string) string {
	t.Helper()
	return strings.Join(strings.Fields(env.MustBerth(t, args...)), " ")
}

// kubeAllKinds has a document of every kind play understands; its pods
// have no network, so the test needs no firewall.
const kubeAllKinds = `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {GREETING: hello, app.conf: "key=value\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
data: {password: czNjcmV0}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: kubedata}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: init
    image: busybox
    command: [sh, -c, "echo init-ran > /work/mark && echo persisted > /data/file"]
    volumeMounts: [{name: work, mountPath: /work}, {name: data, mountPath: /data}]
  containers:
  - name: app
    image: busybox
    command: [sh, -c]
    args: ["echo $GREETING $PASS $ALSO; cat /cfg/app.conf /sec/password /work/mark /data/file; id -u; exec sleep 1000"]
    workingDir: /tmp
    env:
    - {name: PASS, valueFrom: {secretKeyRef: {name: sec, key: password}}}
    - {name: ALSO, value: literal}
    envFrom: [{configMapRef: {name: cfg}}]
    resources: {limits: {memory: 64Mi, cpu: 500m}}
    securityContext:
      runAsUser: 1234
      readOnlyRootFilesystem: true
      capabilities: {add: [NET_ADMIN], drop: [CHOWN]}
    livenessProbe: {exec: {command: ["true"]}, periodSeconds: 60}
    volumeMounts:
    - {name: work, mountPath: /work}
    - {name: cfgvol, mountPath: /cfg}
    - {name: secvol, mountPath: /sec}
    - {name: data, mountPath: /data}
    - {name: host, mountPath: /host, readOnly: true}
  volumes:
  - {name: work, emptyDir: {}}
  - {name: cfgvol, configMap: {name: cfg}}
  - {name: secvol, secret: {secretName: sec}}
  - {name: data, persistentVolumeClaim: {claimName: kubedata}}
  - {name: host, hostPath: {path: HOSTDIR, type: DirectoryOrCreate}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: dep}
spec:
  replicas: 2
  selector: {matchLabels: {app: dep}}
  template:
    metadata: {labels: {app: dep}}
    spec:
      terminationGracePeriodSeconds: 0
      containers: [{name: c, image: busybox, command: [sleep, "1000"]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds}}
    spec:
      hostPID: true
      terminationGracePeriodSeconds: 0
      containers: [{name: agent, image: busybox, command: [sleep, "1000"], securityContext: {privileged: true}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: run, image: busybox, command: [sh, -c, "echo job-done"]}]
`

// Play of every kind: pods (a Deployment's replicas each a pod), their
// containers named POD-CONTAINER, configMap and secret env and files, an
// init container run first, a PVC as a named volume, limits, security
// context and probes; down removes the pods and keeps the volume unless
// --force.
func TestKubePlayAllKinds(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	hostDir := filepath.Join(env.TmpDir, "hostdir")
	file := writeKube(t, env, "all.yaml", strings.Replace(kubeAllKinds, "HOSTDIR", hostDir, 1))
	out := env.MustBerth(t, "kube", "play", "--network", "none", "--annotation", "team=blue", file)
	if !strings.HasPrefix(out, "Volume:\nkubedata\nPod:\n") || strings.Count(out, "Pod:\n") != 5 || !strings.Contains(out, "Init container:\n") {
		t.Errorf("play printed:\n%s", out)
	}
	if got := names(t, env, "pod", "ps", "--format", "{{.Name}}", "--sort", "name"); got != "dep-pod-0 dep-pod-1 ds-pod job-pod web" {
		t.Errorf("pods: %s", got)
	}
	if _, err := os.Stat(hostDir); err != nil {
		t.Errorf("the DirectoryOrCreate hostPath was not made: %v", err)
	}
	WaitFor(t, 15*time.Second, func() bool { return strings.Contains(env.Berth("logs", "web-app").Stdout(), "1234") })
	logs := env.MustBerth(t, "logs", "web-app")
	for _, want := range []string{"hello s3cret literal", "key=value", "s3cret", "init-ran", "persisted", "1234"} {
		if !strings.Contains(logs, want) {
			t.Errorf("web-app logs lack %q:\n%s", want, logs)
		}
	}
	var ins []struct {
		Config struct {
			WorkingDir  string
			Labels      map[string]string
			Annotations map[string]string
			Healthcheck *struct{ Test []string }
		}
		HostConfig struct {
			Memory, NanoCpus int64
			CapAdd, CapDrop  []string
			ReadonlyRootfs   bool
			Privileged       bool
			PidMode          string
			RestartPolicy    struct{ Name string }
		}
	}
	if err := json.Unmarshal([]byte(env.MustBerth(t, "inspect", "web-app", "ds-pod-agent")), &ins); err != nil || len(ins) != 2 {
		t.Fatalf("inspect: %v", err)
	}
	w, hc := ins[0].Config, ins[0].HostConfig
	if w.WorkingDir != "/tmp" || w.Annotations["team"] != "blue" || w.Labels["app"] != "web" || w.Healthcheck == nil || w.Healthcheck.Test[0] != "CMD" {
		t.Errorf("web-app config: %+v", w)
	}
	if hc.Memory != 64<<20 || hc.NanoCpus != 500_000_000 || !hc.ReadonlyRootfs || !strings.Contains(strings.Join(hc.CapAdd, ","), "NET_ADMIN") ||
		!strings.Contains(strings.Join(hc.CapDrop, ","), "CHOWN") || hc.RestartPolicy.Name != "no" {
		t.Errorf("web-app host config: %+v", hc)
	}
	if !ins[1].HostConfig.Privileged || ins[1].HostConfig.RestartPolicy.Name != "always" {
		t.Errorf("ds-pod-agent host config: %+v", ins[1].HostConfig)
	}
	for _, ns := range []string{"pid"} {
		if got := env.MustBerth(t, "exec", "ds-pod-agent", "readlink", "/proc/self/ns/"+ns); got != mustReadlink(t, "/proc/self/ns/"+ns) {
			t.Errorf("host%s: the agent's %s namespace is %s", strings.ToUpper(ns[:1])+ns[1:], ns, got)
		}
	}
	WaitFor(t, 15*time.Second, func() bool {
		return env.Berth("ps", "-a", "--filter", "name=job-pod-run", "--format", "{{.Status}}").Stdout() != "" &&
			strings.HasPrefix(env.Berth("ps", "-a", "--filter", "name=job-pod-run", "--format", "{{.Status}}").Stdout(), "Exited (0)")
	})
	if got := env.MustBerth(t, "logs", "job-pod-run"); got != "job-done" {
		t.Errorf("job logs %q", got)
	}
	if env.Berth("container", "exists", "web-init").ExitCode() == 0 {
		t.Error("the init container was kept after it ran")
	}
	// The Secret kind is in the secret store too, as podman keeps it.
	if got := names(t, env, "secret", "ls", "--format", "{{.Name}}"); got != "sec" {
		t.Errorf("secret ls after play: %q", got)
	}
	if got := env.MustBerth(t, "secret", "inspect", "--showsecret", "--format", "{{.SecretData}}", "sec"); !strings.Contains(got, `"password":"czNjcmV0"`) {
		t.Errorf("the stored Secret: %s", got)
	}

	out = env.MustBerth(t, "kube", "down", file)
	if !strings.HasPrefix(out, "Pods stopped:\n") || strings.Count(out, "\n") != 13 || !strings.Contains(out, "Secrets removed:\n") {
		t.Errorf("down printed:\n%s", out)
	}
	if got := names(t, env, "ps", "-a", "--format", "{{.Names}}"); got != "" {
		t.Errorf("containers left after down: %s", got)
	}
	if got := names(t, env, "volume", "ls", "-q"); got != "kubedata" {
		t.Errorf("volumes after down: %q, want the claim kept", got)
	}
	if got := names(t, env, "secret", "ls", "-q"); got != "" {
		t.Errorf("secrets after down: %q", got)
	}
	if _, err := os.Stat(filepath.Join(env.Root, "berth", "kube", "web")); !os.IsNotExist(err) {
		t.Errorf("the pod's configMap/secret directory is left: %v", err)
	}
	// play again finds the volume's data; --down --force removes it.
	env.MustBerth(t, "play", "kube", "--network", "none", "--start=false", file)
	if got := env.MustBerth(t, "ps", "-a", "--filter", "name=web-app", "--format", "{{.Status}}"); got != "Created" {
		t.Errorf("--start=false: web-app is %q", got)
	}
	out = env.MustBerth(t, "kube", "play", "--down", "--force", file)
	if !strings.Contains(out, "Volumes removed:\nkubedata") {
		t.Errorf("down --force printed:\n%s", out)
	}
	if got := names(t, env, "volume", "ls", "-q"); got != "" {
		t.Errorf("volumes after down --force: %q", got)
	}
}

func mustReadlink(t *testing.T, p string) string {
	t.Helper()
	s, err := os.Readlink(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// generate -> down -> play gives the same running pod: its name, its
// container's name, image, command, env, limits and published port.
func TestKubeGenerateRoundTrip(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	port := freePort(t)
	env.MustBerth(t, "pod", "create", "--name", "rt", "-p", fmt.Sprintf("127.0.0.1:%d:80", port))
	env.MustBerth(t, "volume", "create", "rtdata")
	env.MustBerth(t, "run", "-d", "--pod", "rt", "--name", "rt-web", "-e", "FOO=bar", "-m", "64m", "--cap-add", "NET_ADMIN",
		"--health-cmd", "true", "-v", "rtdata:/data", "--restart", "always", "--stop-timeout", "1",
		"busybox", "sh", "-c", "mkdir -p /www && echo round-trip > /www/index.html && exec httpd -f -p 80 -h /www")
	get := func() string {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	WaitFor(t, 15*time.Second, func() bool { return get() == "round-trip\n" })
	describe := func() string {
		return env.MustBerth(t, "inspect", "rt-web", "--format",
			"{{.ImageName}}|{{.Config.Cmd}}|{{.Config.StopTimeout}}|{{.Config.Env}}|{{.HostConfig.Memory}}|{{.HostConfig.CapAdd}}|{{.Config.Healthcheck.Test}}|{{.HostConfig.RestartPolicy.Name}}|{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}")
	}
	before := describe()
	file := filepath.Join(env.TmpDir, "rt.yaml")
	env.MustBerth(t, "kube", "generate", "rt", "-f", file)
	r := env.Berth("kube", "generate", "rt", "-f", file)
	paExpectError(t, r, 125, "file exists")
	y, _ := os.ReadFile(file)
	if !strings.Contains(string(y), "hostPort: "+fmt.Sprint(port)) || !strings.Contains(string(y), "claimName: rtdata") {
		t.Errorf("generated YAML:\n%s", y)
	}
	env.MustBerth(t, "kube", "down", file)
	if env.Berth("pod", "exists", "rt").ExitCode() == 0 {
		t.Fatal("the pod is still there after down")
	}
	env.MustBerth(t, "kube", "play", file)
	WaitFor(t, 15*time.Second, func() bool { return get() == "round-trip\n" })
	if after := describe(); after != before {
		t.Errorf("after the round trip the container is\n%s\nwas\n%s", after, before)
	}
	if got := env.MustBerth(t, "inspect", "rt-web", "--format", "{{.State.Status}}"); got != "running" {
		t.Errorf("rt-web is %s", got)
	}
	// The other forms: a lone container becomes CTR-pod; -s adds a
	// Service; --type deployment wraps the pod.
	env.MustBerth(t, "create", "--name", "lone", "busybox", "true")
	out := env.MustBerth(t, "generate", "kube", "-s", "--type", "deployment", "--replicas", "2", "rt", "lone", "rtdata")
	for _, want := range []string{"# Created with berth-", "kind: PersistentVolumeClaim", "kind: Deployment", "name: rt-deployment", "replicas: 2", "name: lone-pod", "kind: Service", "type: NodePort"} {
		if !strings.Contains(out, want) {
			t.Errorf("generate output lacks %q:\n%s", want, out)
		}
	}
	paExpectError(t, env.Berth("kube", "generate", "nosuchthing"), 125, "nosuchthing")
}

// Bad input: one clear line, exit 125, nothing created; a play that fails
// midway removes what it made.
func TestKubePlayBadInput(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	empty := func() {
		t.Helper()
		if got := names(t, env, "ps", "-a", "--format", "{{.Names}}"); got != "" {
			t.Errorf("containers left: %s", got)
		}
		if got := names(t, env, "pod", "ps", "--format", "{{.Name}}"); got != "" {
			t.Errorf("pods left: %s", got)
		}
		if got := names(t, env, "volume", "ls", "-q"); got != "" {
			t.Errorf("volumes left: %s", got)
		}
	}
	pod := func(name, ctr string) string {
		return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: badvol}\n---\n" +
			"apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n  restartPolicy: Never\n  terminationGracePeriodSeconds: 0\n  containers:\n" + ctr
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"garbage", "kind: Pod\n  metadata: [", "does not parse"},
		{"unknown kind", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\n", `kind "StatefulSet" is not supported`},
		{"missing image", pod("p", "  - name: c\n"), "no image"},
		{"image not found", pod("p", "  - {name: a, image: busybox, command: [sleep, '100']}\n  - {name: c, image: localhost/nosuchimage}\n"), "nosuchimage"},
		{"init fails", pod("p", "  - {name: c, image: busybox, command: [sleep, '100']}\n  initContainers:\n  - {name: i, image: busybox, command: [false]}\n"), "exited with code 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writeKube(t, env, "bad.yaml", tc.yaml)
			paExpectError(t, env.Berth("kube", "play", "--network", "none", "--quiet", file), 125, tc.want)
			empty()
		})
	}
	good := pod("taken", "  - {name: c, image: busybox, command: [sleep, '100']}\n")
	env.MustBerth(t, "kube", "play", "--network", "none", "-q", writeKube(t, env, "good.yaml", good))
	id := env.MustBerth(t, "pod", "inspect", "taken", "--format", "{{.ID}}")
	r := env.BerthStdin(strings.NewReader(good), "kube", "play", "--network", "none", "-")
	paExpectError(t, r, 125, "taken", "already in use", "--replace")
	if got := env.MustBerth(t, "pod", "inspect", "taken", "--format", "{{.ID}}"); got != id {
		t.Errorf("a refused play changed the pod: %s, was %s", got, id)
	}
	out := env.MustBerth(t, "kube", "play", "--network", "none", "--replace", "--quiet", filepath.Join(env.TmpDir, "good.yaml"))
	if out != "" {
		t.Errorf("--quiet printed %q", out)
	}
	if got := env.MustBerth(t, "pod", "inspect", "taken", "--format", "{{.ID}}"); got == id {
		t.Error("--replace kept the old pod")
	}
	env.MustBerth(t, "kube", "down", "--force", filepath.Join(env.TmpDir, "good.yaml"))
	empty()
	// A Secret whose name the store holds is refused before anything is made.
	secFile := writeKube(t, env, "secdata", "old")
	env.MustBerth(t, "secret", "create", "takensec", secFile)
	taken := "apiVersion: v1\nkind: Secret\nmetadata: {name: takensec}\nstringData: {k: v}\n---\n" + pod("p", "  - {name: c, image: busybox, command: [sleep, '100']}\n")
	paExpectError(t, env.Berth("kube", "play", "--network", "none", writeKube(t, env, "sec.yaml", taken)), 125, "takensec", "--replace")
	empty()
	if got := env.MustBerth(t, "secret", "inspect", "--showsecret", "--format", "{{.SecretData}}", "takensec"); got != "old" {
		t.Errorf("a refused play changed the secret: %q", got)
	}
	paExpectError(t, env.Berth("kube", "apply", "-f", filepath.Join(env.TmpDir, "good.yaml")), 125, "kube apply is not supported", "kubectl apply")
}

// --wait runs until the pod's containers exit, then removes the pod.
func TestKubePlayWait(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	file := writeKube(t, env, "wait.yaml", `apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: run, image: busybox, command: [sh, -c, "sleep 1; echo done"]}]
`)
	out := env.MustBerth(t, "kube", "play", "--network", "none", "--wait", file)
	if !strings.Contains(out, "Pod:\n") {
		t.Errorf("play --wait printed:\n%s", out)
	}
	if got := names(t, env, "pod", "ps", "--format", "{{.Name}}"); got != "" {
		t.Errorf("pods left after --wait: %s", got)
	}
}

// A Service's nodePort is published on the host for the container port
// it targets, as podman does; --publish adds a port of its own.
func TestKubePlayServicePorts(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	nodePort, extra := freePort(t), freePort(t)
	file := writeKube(t, env, "svc.yaml", fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: svcweb}
  ports: [{port: 8080, targetPort: 80, nodePort: %d}]
---
apiVersion: v1
kind: Pod
metadata: {name: svcweb, labels: {app: svcweb}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: httpd
    image: busybox
    command: [sh, -c, "mkdir -p /www && echo via-service > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports: [{containerPort: 80}]
`, nodePort))
	env.MustBerth(t, "kube", "play", "--publish", fmt.Sprintf("127.0.0.1:%d:80", extra), file)
	for _, port := range []int{nodePort, extra} {
		WaitFor(t, 15*time.Second, func() bool {
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b) == "via-service\n"
		})
	}
	env.MustBerth(t, "kube", "down", file)
}

// kube play builds an image whose name is a directory with a
// Containerfile under the working directory (or --context-dir with
// --build) when it is not local, always with --build, never with
// --build=false, as podman does.
func TestKubePlayBuild(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	ctxDir := filepath.Join(env.TmpDir, "ctx")
	if err := os.MkdirAll(filepath.Join(ctxDir, "kubeapp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "kubeapp", "Containerfile"), []byte("FROM busybox\nRUN echo built > /built\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := writeKube(t, env, "build.yaml", `apiVersion: v1
kind: Pod
metadata: {name: built}
spec:
  restartPolicy: Never
  containers: [{name: app, image: kubeapp, command: [sleep, "300"]}]
`)
	paExpectError(t, env.Berth("kube", "play", "--network", "none", "--context-dir", ctxDir, file), 125, "--build")
	paExpectError(t, env.Berth("kube", "play", "--network", "none", "--build=false", file), 125, "kubeapp")
	if got := names(t, env, "pod", "ps", "-q"); got != "" {
		t.Errorf("pods after refused plays: %s", got)
	}
	env.MustBerth(t, "kube", "play", "--network", "none", "--build", "--context-dir", ctxDir, file)
	if got := env.MustBerth(t, "exec", "built-app", "cat", "/built"); strings.TrimSpace(got) != "built" {
		t.Errorf("built image's file: %q", got)
	}
	id := env.MustBerth(t, "image", "inspect", "--format", "{{.ID}}", "kubeapp")
	env.MustBerth(t, "kube", "down", file)
	// Without --build an image already there is used as it is.
	cmd := env.Command(context.Background(), "kube", "play", "--network", "none", file)
	cmd.Dir = ctxDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("play from the context dir: %v\n%s", err, out)
	}
	if got := env.MustBerth(t, "image", "inspect", "--format", "{{.ID}}", "kubeapp"); got != id {
		t.Errorf("play rebuilt an image that was there: %s, was %s", got, id)
	}
	env.MustBerth(t, "kube", "down", file)
}
