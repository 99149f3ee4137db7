package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// podman-remote's kube verbs through berth's libpod API: play kube (with
// its output), generate kube of the played pod, generate systemd, kube
// down, and bad YAML refused with nothing made.
func TestAPILibpodPodmanKube(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	pm := newPodmanCLI(t, uri)
	file := writeKube(t, env, "remote.yaml", remoteKube)
	out := pm.must("kube", "play", "--network", "none", file)
	if !strings.Contains(out, "remotedata") || !strings.Contains(out, "Pod:\n") || !strings.Contains(out, "Container:\n") {
		t.Errorf("podman kube play printed:\n%s", out)
	}
	if got := names(t, env, "ps", "--format", "{{.Names}} {{.Status}}"); !strings.HasPrefix(got, "remote-app Up") {
		t.Errorf("berth ps after remote play: %s", got)
	}
	if got := env.MustBerth(t, "exec", "remote-app", "cat", "/data/init"); strings.TrimSpace(got) != "prepared" {
		t.Errorf("init container's file: %q", got)
	}
	// podman 4's older spelling, refused while the pod exists.
	if _, errOut, code := pm.run("play", "kube", "--network", "none", file); code == 0 || !strings.Contains(errOut, "remote") {
		t.Errorf("second play: exit %d, %s", code, errOut)
	}

	y := pm.must("generate", "kube", "remote")
	for _, want := range []string{"kind: Pod", "name: remote", "image: localhost/busybox:latest", "value: remote", "claimName: remotedata"} {
		if !strings.Contains(y, want) {
			t.Errorf("podman generate kube lacks %q:\n%s", want, y)
		}
	}
	if y := pm.must("generate", "kube", "--service", "remote"); !strings.Contains(y, "kind: Pod") {
		t.Errorf("generate kube --service:\n%s", y)
	}
	units := pm.must("generate", "systemd", "--name", "--no-header", "remote")
	if !strings.Contains(units, "# pod-remote.service") || !strings.Contains(units, "# container-remote-app.service") {
		t.Errorf("podman generate systemd:\n%s", units)
	}
	var asJSON map[string]string
	if err := json.Unmarshal([]byte(pm.must("generate", "systemd", "--name", "--format", "json", "remote-app")), &asJSON); err != nil || len(asJSON) != 1 {
		t.Errorf("generate systemd --format json: %v %v", asJSON, err)
	}
	if _, errOut, code := pm.run("generate", "systemd", "nosuch"); code == 0 || !strings.Contains(errOut, "nosuch") {
		t.Errorf("generate systemd nosuch: exit %d, %s", code, errOut)
	}

	out = pm.must("kube", "down", file)
	if !strings.Contains(out, "Pods stopped:") || !strings.Contains(out, "Pods removed:") {
		t.Errorf("podman kube down printed:\n%s", out)
	}
	if got := names(t, env, "pod", "ps", "--format", "{{.Name}}"); got != "" {
		t.Errorf("pods after kube down: %s", got)
	}
	if got := names(t, env, "volume", "ls", "--format", "{{.Name}}"); got != "remotedata" {
		t.Errorf("volumes after kube down: %s", got)
	}
	// podman 4.3's client has no --force: the route's force is tried bare.
	pm.must("kube", "play", "--network", "none", "--start=false", file)
	if got := names(t, env, "ps", "-a", "--format", "{{.Names}} {{.State}}"); !strings.HasPrefix(got, "remote-app created") {
		t.Errorf("after play --start=false: %s", got)
	}
	if code, body := apiStatus(t, uri, "DELETE", "/libpod/kube/play?force=true", remoteKube); code != 200 || !strings.Contains(body, `"VolumeRmReport":[{"Err":null,"Id":"remotedata"}]`) {
		t.Errorf("DELETE kube/play?force=true: %d %s", code, body)
	}
	if got := names(t, env, "volume", "ls", "--format", "{{.Name}}"); got != "" {
		t.Errorf("volumes after down with force: %s", got)
	}

	bad := writeKube(t, env, "bad.yaml", "apiVersion: v1\nkind: Gadget\nmetadata: {name: x}\n")
	if _, errOut, code := pm.run("kube", "play", bad); code == 0 || !strings.Contains(errOut, "Gadget") {
		t.Errorf("play of an unknown kind: exit %d, %s", code, errOut)
	}
	if got := names(t, env, "pod", "ps", "-q"); got != "" {
		t.Errorf("pods after a refused play: %s", got)
	}
}

// remoteKube is a pod with an init container and a claimed volume.
const remoteKube = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: remotedata}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: remote}
spec:
  initContainers: [{name: prep, image: busybox, command: [sh, -c, "echo prepared > /data/init"], volumeMounts: [{name: d, mountPath: /data}]}]
  containers:
  - name: app
    image: busybox
    command: [sleep, "300"]
    env: [{name: MODE, value: remote}]
    volumeMounts: [{name: d, mountPath: /data}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: remotedata}}]
`

// kubeTar is a kube play context as podman's remote client sends it:
// play.yaml at the root and each image's directory beside it.
func kubeTar(t *testing.T, files map[string]string) *bytes.Buffer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(data))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

// POST /libpod/kube/play with a tar body: play.yaml is played and the
// image whose directory has a Containerfile is built first (it is not in
// storage); a tar without play.yaml is refused naming it.
func TestAPILibpodKubePlayBuild(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	sock := strings.TrimPrefix(apiService(t, env), "unix://")
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}, Timeout: 120 * time.Second}
	post := func(path string, body io.Reader) (int, string) {
		req, _ := http.NewRequest("POST", "http://d/v5.0.0"+path, body)
		req.Header.Set("Content-Type", "application/x-tar")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	yaml := `apiVersion: v1
kind: Pod
metadata: {name: apibuilt}
spec:
  restartPolicy: Never
  containers: [{name: app, image: apikubeapp, command: [sleep, "300"]}]
`
	code, body := post("/libpod/kube/play?network=none", kubeTar(t, map[string]string{
		"play.yaml": yaml, "apikubeapp/Containerfile": "FROM busybox\nRUN echo built > /built\n",
	}))
	if code != 200 || !strings.Contains(body, `"Pods":[{"ID":`) {
		t.Fatalf("play of a tar: %d %s", code, body)
	}
	if got := env.MustBerth(t, "exec", "apibuilt-app", "cat", "/built"); strings.TrimSpace(got) != "built" {
		t.Errorf("the built image's file: %q", got)
	}
	env.MustBerth(t, "pod", "rm", "-f", "-t", "0", "apibuilt")
	if code, body := post("/libpod/kube/play", kubeTar(t, map[string]string{"other.yaml": yaml})); code != 400 || !strings.Contains(body, "tar missing play.yaml file at root") {
		t.Errorf("tar without play.yaml: %d %s", code, body)
	}
	if code, body := apiStatus(t, "unix://"+sock, "POST", "/libpod/kube/play?build=true", yaml); code != 400 || !strings.Contains(body, "build needs a context") {
		t.Errorf("build=true with a YAML body: %d %s", code, body)
	}
	if got := names(t, env, "pod", "ps", "-q"); got != "" {
		t.Errorf("pods left: %s", got)
	}
}
