package e2e

import (
	"encoding/json"
	"strings"
	"testing"
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
