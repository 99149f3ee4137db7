package kube

import (
	"errors"
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

func plan(t *testing.T, y string, opts PlayOptions) (*Plan, error) {
	t.Helper()
	var m Manifests
	if err := m.Decode([]byte(y)); err != nil {
		return nil, err
	}
	return MakePlan(&m, opts)
}

func TestPlayBadInput(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"not yaml", "kind: Pod\n  metadata: [", "does not parse"},
		{"unknown kind", "apiVersion: v1\nkind: StatefulSet\nmetadata: {name: x}\n", `kind "StatefulSet" is not supported`},
		{"no kind", "apiVersion: v1\nmetadata: {name: x}\n", "has no kind"},
		{"missing image", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n", "container c: no image"},
		{"no containers", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n", "no containers"},
		{"no name", "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: c, image: busybox}]\n", "no metadata.name"},
		{"missing configmap", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    envFrom: [{configMapRef: {name: nope}}]\n", `no ConfigMap named "nope"`},
		{"unknown volume", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    volumeMounts: [{name: v, mountPath: /v}]\n", "no volume of that name"},
		{"job always", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      restartPolicy: Always\n      containers: [{name: c, image: busybox}]\n", "OnFailure or Never"},
		{"nothing to play", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "has no Pod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := plan(t, tc.yaml, PlayOptions{FilesRoot: "/r"})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, define.ErrInvalidArg) {
				t.Errorf("error %v, want an invalid-argument error containing %q", err, tc.want)
			}
		})
	}
}

const allKinds = `
# a comment before the first document
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {MODE: fast, app.conf: "a=1\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
data: {token: c2VjcmV0}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  type: NodePort
  selector: {app: dep}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
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
      containers:
      - name: web
        image: busybox
        ports: [{containerPort: 8080}]
        env:
        - {name: TOKEN, valueFrom: {secretKeyRef: {name: sec, key: token}}}
        - {name: MODE, valueFrom: {configMapKeyRef: {name: cfg, key: MODE}}}
        volumeMounts:
        - {name: conf, mountPath: /etc/app}
        - {name: data, mountPath: /data}
        livenessProbe: {httpGet: {path: /health, port: 8080}, periodSeconds: 5}
      volumes:
      - {name: conf, configMap: {name: cfg, items: [{key: app.conf, path: sub/app.conf}]}}
      - {name: data, persistentVolumeClaim: {claimName: claim}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds}}
    spec:
      hostNetwork: true
      hostPID: true
      containers: [{name: agent, image: busybox, securityContext: {privileged: true}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec:
  template:
    spec:
      hostUsers: false
      restartPolicy: OnFailure
      initContainers: [{name: prep, image: busybox, command: [true]}]
      containers: [{name: run, image: busybox, command: [sh, -c], args: [exit 0]}]
      volumes: [{name: s, secret: {secretName: sec}}, {name: e, emptyDir: {}}]
`

func TestPlanAllKinds(t *testing.T) {
	p, err := plan(t, allKinds, PlayOptions{FilesRoot: "/r", Annotations: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pp := range p.Pods {
		names = append(names, pp.Kind+":"+pp.Spec.Name)
	}
	if got := strings.Join(names, " "); got != "Deployment:dep-pod-0 Deployment:dep-pod-1 DaemonSet:ds-pod Job:job-pod" {
		t.Errorf("pods %s", got)
	}
	if len(p.Volumes) != 1 || p.Volumes[0].Name != "claim" || !p.Volumes[0].Declared {
		t.Errorf("volumes %+v", p.Volumes)
	}
	dep := p.Pods[0]
	web := dep.Containers[0]
	if web.Name != "dep-pod-0-web" || web.Pod != "dep-pod-0" || web.Restart.Name != "always" || web.Annotations["a"] != "b" {
		t.Errorf("web %+v", web)
	}
	if env := strings.Join(web.Env, " "); env != "TOKEN=secret MODE=fast" {
		t.Errorf("env %q", env)
	}
	if len(dep.Spec.Ports) != 1 || dep.Spec.Ports[0].HostPort != 30080 || dep.Spec.Ports[0].ContainerPort != 8080 {
		t.Errorf("the Service's nodePort is not published: %+v", dep.Spec.Ports)
	}
	if len(dep.Files) != 1 || dep.Files[0].Path != "conf/sub/app.conf" || string(dep.Files[0].Data) != "a=1\n" {
		t.Errorf("files %+v", dep.Files)
	}
	if m := web.Mounts; len(m) != 2 || m[0].Source != "/r/dep-pod-0/conf" || !m[0].ReadOnly || m[1].Type != "volume" || m[1].Source != "claim" {
		t.Errorf("mounts %+v", m)
	}
	if h := web.Health; h == nil || h.Test[0] != "CMD-SHELL" || !strings.Contains(h.Test[1], "http://localhost:8080/health") || h.Interval.Seconds() != 5 {
		t.Errorf("health %+v", h)
	}
	ds := p.Pods[2]
	if ds.Spec.Network[0] != "host" || ds.Spec.Pid != "host" || !ds.Containers[0].Privileged {
		t.Errorf("daemonset %+v", ds)
	}
	job := p.Pods[3]
	if len(job.Init) != 1 || job.Init[0].Name != "job-pod-prep" || job.Containers[0].Restart.Name != "on-failure" {
		t.Errorf("job %+v", job)
	}
	if job.Spec.UserNS.Mode != "auto" || ds.Spec.UserNS.Mode != "" {
		t.Errorf("hostUsers: false: job userns %+v, daemonset %+v; want auto and none", job.Spec.UserNS, ds.Spec.UserNS)
	}
	if len(job.Files) != 1 || job.Files[0].Path != "s/token" || string(job.Files[0].Data) != "secret" || strings.Join(job.Dirs, ",") != "s,e" {
		t.Errorf("job files %+v dirs %v", job.Files, job.Dirs)
	}
	if got := strings.Join(PodNames(mustDecode(t, allKinds)), " "); got != "dep-pod-0 dep-pod-1 ds-pod job-pod" {
		t.Errorf("PodNames %s", got)
	}
	if got := strings.Join(ClaimNames(mustDecode(t, allKinds)), " "); got != "claim" {
		t.Errorf("ClaimNames %s", got)
	}
}

func mustDecode(t *testing.T, y string) *Manifests {
	t.Helper()
	var m Manifests
	if err := m.Decode([]byte(y)); err != nil {
		t.Fatal(err)
	}
	return &m
}

// A pod as `kubectl get pod -o yaml` prints it (status, managedFields,
// the service account token volume) plays, without the token.
func TestPlanClusterDump(t *testing.T) {
	const dump = `apiVersion: v1
kind: Pod
metadata:
  name: shop
  namespace: default
  uid: 0b1c
  resourceVersion: "42"
  creationTimestamp: "2026-01-02T03:04:05Z"
  managedFields: [{manager: kubectl, operation: Update, apiVersion: v1}]
spec:
  serviceAccountName: default
  nodeName: node-1
  containers:
  - name: web
    image: busybox
    volumeMounts: [{name: kube-api-access-abcde, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}]
  volumes:
  - name: kube-api-access-abcde
    projected: {sources: [{serviceAccountToken: {path: token, expirationSeconds: 3607}}]}
status: {phase: Running, podIP: 10.1.2.3}
`
	p, err := plan(t, dump, PlayOptions{FilesRoot: "/r"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Pods) != 1 || p.Pods[0].Containers[0].Name != "shop-web" || len(p.Pods[0].Containers[0].Mounts) != 0 {
		t.Errorf("plan %+v", p.Pods)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "kube-api-access-abcde") {
		t.Errorf("warnings %q", p.Warnings)
	}
}
