package kube

import (
	"strings"
	"testing"

	"github.com/berth-dev/berth/engine/define"
	corev1 "k8s.io/api/core/v1"
)

// TestGenerateInitContainers: an init container still in the pod (an
// always one) is written under initContainers with podman's type
// annotation, gets none of the pod's hostPorts, and plays back as an
// init container of the same type.
func TestGenerateInitContainers(t *testing.T) {
	gp := testPod()
	init := GenContainer{
		InitType: define.InitContainerAlways,
		Data: &define.InspectContainerData{
			Name: "web-prep", ImageName: "localhost/busybox:latest",
			Config:     &define.InspectContainerConfig{Cmd: []string{"sh", "-c", "echo ok"}},
			HostConfig: &define.InspectHostConfig{},
		},
	}
	gp.Containers = append([]GenContainer{init}, gp.Containers...)
	out, err := Generate([]GenPod{gp}, nil, GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ds := docs(t, out)
	var pod corev1.Pod
	strict(t, ds[0], &pod)
	checkPodSpec(t, pod.Spec)
	if len(pod.Spec.InitContainers) != 1 || pod.Spec.InitContainers[0].Name != "prep" || len(pod.Spec.InitContainers[0].Ports) != 0 {
		t.Fatalf("initContainers %+v", pod.Spec.InitContainers)
	}
	if len(pod.Spec.Containers) != 1 || len(pod.Spec.Containers[0].Ports) != 2 {
		t.Errorf("containers %+v, want app with the pod's two hostPorts", pod.Spec.Containers)
	}
	if pod.Annotations[InitContainerTypeAnnotation] != "always" {
		t.Errorf("annotations %v", pod.Annotations)
	}
	if pod.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		t.Errorf("restartPolicy %q: the init container's (none) must not count", pod.Spec.RestartPolicy)
	}
	var m Manifests
	if err := m.Decode(out); err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(&m, PlayOptions{FilesRoot: "/run/kube"})
	if err != nil {
		t.Fatal(err)
	}
	pp := p.Pods[0]
	if len(pp.Init) != 1 || pp.Init[0].Name != "web-prep" || pp.Init[0].InitContainerType != "always" || pp.Containers[0].InitContainerType != "" {
		t.Errorf("plan init %+v", pp.Init)
	}
}

// TestPlanInitContainerType: once is the default; a bad annotation is
// refused naming it.
func TestPlanInitContainerType(t *testing.T) {
	const y = `
apiVersion: v1
kind: Pod
metadata: {name: p%s}
spec:
  initContainers: [{name: i, image: busybox}]
  containers: [{name: c, image: busybox}]
`
	var m Manifests
	if err := m.Decode([]byte(strings.Replace(y, "%s", "", 1))); err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(&m, PlayOptions{FilesRoot: "/run/kube"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Pods[0].Init[0].InitContainerType; got != "once" {
		t.Errorf("default init type %q", got)
	}
	m = Manifests{}
	if err := m.Decode([]byte(strings.Replace(y, "%s", ", annotations: {io.podman.annotations.init.container.type: sometimes}", 1))); err != nil {
		t.Fatal(err)
	}
	if _, err := MakePlan(&m, PlayOptions{FilesRoot: "/run/kube"}); err == nil || !strings.Contains(err.Error(), `io.podman.annotations.init.container.type="sometimes"`) {
		t.Errorf("bad init type: %v", err)
	}
}

// TestGenerateEnvLiterals: env that came from a ConfigMap or Secret is
// written as literal values, as podman's generate does (a container keeps
// no record of where its env came from).
func TestGenerateEnvLiterals(t *testing.T) {
	gp := testPod()
	gp.Containers[0].Data.Config.Env = append(gp.Containers[0].Data.Config.Env, "PASS=s3cret")
	out, err := Generate([]GenPod{gp}, nil, GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	strict(t, docs(t, out)[0], &pod)
	env := pod.Spec.Containers[0].Env
	if len(env) != 2 || env[1].Name != "PASS" || env[1].Value != "s3cret" || env[1].ValueFrom != nil {
		t.Errorf("env %+v", env)
	}
}
