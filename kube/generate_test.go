package kube

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// testPod is a pod "web" with one container using most of what generate
// writes out.
func testPod() GenPod {
	return GenPod{
		Name:   "web",
		Labels: map[string]string{"tier": "front"},
		Ports:  map[string][]define.InspectHostPort{"80/tcp": {{HostPort: "8080"}}, "53/udp": {{HostIP: "127.0.0.1", HostPort: "5353"}}},
		Containers: []GenContainer{{
			ImageEnv: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "IMG=1"},
			ImageCmd: []string{"/bin/sh"},
			Data: &define.InspectContainerData{
				Name: "web-app", ImageName: "localhost/busybox:latest",
				Mounts: []define.InspectMount{
					{Type: "bind", Source: "/nonexistent/host_dir", Destination: "/host", RW: false},
					{Type: "volume", Name: "data", Destination: "/data", RW: true},
					{Type: "tmpfs", Destination: "/scratch", RW: true},
				},
				Config: &define.InspectContainerConfig{
					Env:         []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "IMG=1", "container=berth", "HOSTNAME=web", "FOO=bar"},
					Cmd:         []string{"httpd", "-f"},
					WorkingDir:  "/srv",
					Annotations: map[string]string{"team": "blue", "io.podman.annotations.label": "disable"},
					User:        "1000:100",
					Healthcheck: &define.HealthConfig{Test: []string{"CMD-SHELL", "wget -qO- localhost"},
						Interval: 10 * time.Second, Timeout: 2 * time.Second, Retries: 4},
				},
				HostConfig: &define.InspectHostConfig{
					Memory: 64 << 20, NanoCpus: 500_000_000, CapAdd: []string{"CAP_NET_ADMIN"}, CapDrop: []string{"CAP_KILL"},
					ReadonlyRootfs: true, RestartPolicy: define.InspectRestartPolicy{Name: "always"},
				},
			},
		}},
	}
}

// docs splits generated YAML into its documents, dropping the header.
func docs(t *testing.T, out []byte) []string {
	t.Helper()
	s := string(out)
	if !strings.HasPrefix(s, "# Save the output of this file and use kubectl create -f to import\n") {
		t.Errorf("no podman header:\n%s", s)
	}
	var out2 []string
	for _, d := range regexp.MustCompile(`(?m)^---$`).Split(s, -1) {
		if strings.TrimSpace(stripComments(d)) != "" {
			out2 = append(out2, d)
		}
	}
	return out2
}

// strict decodes a document, refusing fields the type does not have.
func strict(t *testing.T, doc string, into any) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(doc), into); err != nil {
		t.Fatalf("strict decode: %v\n%s", err, doc)
	}
}

// checkPodSpec checks what a cluster's validation would refuse.
func checkPodSpec(t *testing.T, ps corev1.PodSpec) {
	t.Helper()
	if len(ps.Containers) == 0 {
		t.Fatal("no containers")
	}
	for _, c := range ps.Containers {
		if errs := validation.IsDNS1123Label(c.Name); len(errs) > 0 || c.Image == "" {
			t.Errorf("container %q (image %q): %v", c.Name, c.Image, errs)
		}
		for _, m := range c.VolumeMounts {
			found := false
			for _, v := range ps.Volumes {
				found = found || v.Name == m.Name
			}
			if !found {
				t.Errorf("volumeMount %s has no volume", m.Name)
			}
		}
	}
	for _, v := range ps.Volumes {
		if errs := validation.IsDNS1123Label(v.Name); len(errs) > 0 {
			t.Errorf("volume name %q: %v", v.Name, errs)
		}
	}
}

func TestGeneratePodStrict(t *testing.T) {
	out, err := Generate([]GenPod{testPod()}, []*define.InspectVolume{{Name: "data", Driver: "local"}}, GenerateOptions{Service: true, Version: "1.0"})
	if err != nil {
		t.Fatal(err)
	}
	ds := docs(t, out)
	if len(ds) != 3 {
		t.Fatalf("got %d documents, want claim, pod, service:\n%s", len(ds), out)
	}
	var pvc corev1.PersistentVolumeClaim
	strict(t, ds[0], &pvc)
	if pvc.Kind != "PersistentVolumeClaim" || pvc.Name != "data" || len(pvc.Spec.AccessModes) == 0 || pvc.Spec.Resources.Requests.Storage().IsZero() {
		t.Errorf("claim: %+v", pvc)
	}
	var pod corev1.Pod
	strict(t, ds[1], &pod)
	if pod.APIVersion != "v1" || pod.Kind != "Pod" || pod.Name != "web" || pod.Labels["app"] != "web" || pod.Labels["tier"] != "front" {
		t.Errorf("pod meta: %+v %+v", pod.TypeMeta, pod.ObjectMeta)
	}
	if len(pod.Annotations) != 1 || pod.Annotations["team"] != "blue" {
		t.Errorf("pod annotations %v, want team=blue only", pod.Annotations)
	}
	checkPodSpec(t, pod.Spec)
	c := pod.Spec.Containers[0]
	if c.Name != "app" || c.Image != "localhost/busybox:latest" || c.WorkingDir != "/srv" {
		t.Errorf("container: %+v", c)
	}
	if len(c.Command) != 0 || strings.Join(c.Args, " ") != "httpd -f" {
		t.Errorf("command %q args %q, want no command (the image's) and args httpd -f", c.Command, c.Args)
	}
	if len(c.Env) != 1 || c.Env[0].Name != "FOO" || c.Env[0].Value != "bar" {
		t.Errorf("env %+v, want only FOO=bar (the rest is the image's or berth's)", c.Env)
	}
	if len(c.Ports) != 2 || c.Ports[0].ContainerPort != 53 || c.Ports[0].Protocol != "UDP" || c.Ports[0].HostIP != "127.0.0.1" ||
		c.Ports[1].ContainerPort != 80 || c.Ports[1].HostPort != 8080 || c.Ports[1].Protocol != "TCP" {
		t.Errorf("ports %+v", c.Ports)
	}
	if m := c.Resources.Limits.Memory().String(); m != "64Mi" {
		t.Errorf("memory limit %s", m)
	}
	if cpu := c.Resources.Limits.Cpu().String(); cpu != "500m" {
		t.Errorf("cpu limit %s", cpu)
	}
	sc := c.SecurityContext
	if sc == nil || sc.Capabilities == nil || sc.Capabilities.Add[0] != "NET_ADMIN" || sc.Capabilities.Drop[0] != "KILL" ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem || sc.RunAsUser == nil || *sc.RunAsUser != 1000 || *sc.RunAsGroup != 100 {
		t.Errorf("securityContext %+v", sc)
	}
	p := c.LivenessProbe
	if p == nil || p.Exec == nil || strings.Join(p.Exec.Command, " ") != "/bin/sh -c wget -qO- localhost" || p.PeriodSeconds != 10 || p.TimeoutSeconds != 2 || p.FailureThreshold != 4 {
		t.Errorf("probe %+v", p)
	}
	kinds := map[string]string{}
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.HostPath != nil:
			kinds[v.Name] = "hostPath:" + v.HostPath.Path + ":" + string(*v.HostPath.Type)
		case v.PersistentVolumeClaim != nil:
			kinds[v.Name] = "pvc:" + v.PersistentVolumeClaim.ClaimName
		case v.EmptyDir != nil:
			kinds[v.Name] = "emptyDir:" + string(v.EmptyDir.Medium)
		}
	}
	want := map[string]string{"nonexistent-host-dir-host": "hostPath:/nonexistent/host_dir:DirectoryOrCreate", "data-pvc": "pvc:data", "scratch-tmpfs": "emptyDir:Memory"}
	for k, v := range want {
		if kinds[k] != v {
			t.Errorf("volume %s = %q, want %q (all: %v)", k, kinds[k], v, kinds)
		}
	}
	if pod.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		t.Errorf("restartPolicy %s", pod.Spec.RestartPolicy)
	}
	var svc corev1.Service
	strict(t, ds[2], &svc)
	for _, sp := range svc.Spec.Ports {
		if sp.NodePort < 30000 || sp.NodePort > 32767 {
			t.Errorf("service port %s: nodePort %d, want one of 30000-32767 (podman assigns one)", sp.Name, sp.NodePort)
		}
	}
	if svc.Spec.Selector["app"] != "web" || len(svc.Spec.Ports) != 2 || svc.Spec.Type != corev1.ServiceTypeNodePort {
		t.Errorf("service %+v", svc.Spec)
	}
	for _, sp := range svc.Spec.Ports {
		if errs := validation.IsValidPortName(sp.Name); len(errs) > 0 {
			t.Errorf("service port name %q: %v", sp.Name, errs)
		}
	}
}

func TestGenerateWorkloads(t *testing.T) {
	for _, typ := range []string{TypeDeployment, TypeDaemonSet, TypeJob} {
		t.Run(typ, func(t *testing.T) {
			opts := GenerateOptions{Type: typ}
			if typ == TypeDeployment {
				opts.Replicas = 3
			}
			out, err := Generate([]GenPod{testPod()}, nil, opts)
			if err != nil {
				t.Fatal(err)
			}
			ds := docs(t, out)
			if len(ds) != 1 {
				t.Fatalf("got %d documents", len(ds))
			}
			var tmpl corev1.PodTemplateSpec
			var sel map[string]string
			switch typ {
			case TypeDeployment:
				var d appsv1.Deployment
				strict(t, ds[0], &d)
				if d.Kind != "Deployment" || d.APIVersion != "apps/v1" || d.Name != "web-deployment" || *d.Spec.Replicas != 3 {
					t.Errorf("deployment %+v", d.ObjectMeta)
				}
				tmpl, sel = d.Spec.Template, d.Spec.Selector.MatchLabels
			case TypeDaemonSet:
				var d appsv1.DaemonSet
				strict(t, ds[0], &d)
				if d.Kind != "DaemonSet" || d.Name != "web-daemonset" {
					t.Errorf("daemonset %+v", d.ObjectMeta)
				}
				tmpl, sel = d.Spec.Template, d.Spec.Selector.MatchLabels
			case TypeJob:
				var j batchv1.Job
				strict(t, ds[0], &j)
				if j.Kind != "Job" || j.APIVersion != "batch/v1" || j.Name != "web-job" {
					t.Errorf("job %+v", j.ObjectMeta)
				}
				tmpl = j.Spec.Template
			}
			checkPodSpec(t, tmpl.Spec)
			for k, v := range sel {
				if tmpl.Labels[k] != v {
					t.Errorf("selector %v does not match the template's labels %v", sel, tmpl.Labels)
				}
			}
			rp := tmpl.Spec.RestartPolicy
			if (typ == TypeJob) != (rp != corev1.RestartPolicyAlways) {
				t.Errorf("%s restartPolicy %s", typ, rp)
			}
		})
	}
}

func TestGenerateBadOptions(t *testing.T) {
	if _, err := Generate([]GenPod{testPod()}, nil, GenerateOptions{Type: "statefulset"}); err == nil {
		t.Error("an unknown --type was accepted")
	}
	if _, err := Generate([]GenPod{testPod()}, nil, GenerateOptions{Type: TypePod, Replicas: 2}); err == nil {
		t.Error("--replicas without a deployment was accepted")
	}
}

// TestGenerateThenPlan: what generate writes, play plans back into the
// same containers.
func TestGenerateThenPlan(t *testing.T) {
	out, err := Generate([]GenPod{testPod()}, nil, GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var m Manifests
	if err := m.Decode(out); err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(&m, PlayOptions{FilesRoot: "/run/kube"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Pods) != 1 || len(p.Pods[0].Containers) != 1 {
		t.Fatalf("plan %+v", p)
	}
	pp := p.Pods[0]
	c := pp.Containers[0]
	if pp.Spec.Name != "web" || c.Name != "web-app" || c.Pod != "web" || c.User != "1000:100" || c.Memory != 64<<20 || c.NanoCPUs != 500_000_000 ||
		!c.ReadOnly || c.Restart.Name != "always" || strings.Join(c.Command, " ") != "httpd -f" || c.EntrypointSet {
		t.Errorf("container %+v", c)
	}
	if len(pp.Spec.Ports) != 2 || pp.Spec.Ports[1].HostPort != 8080 || pp.Spec.Ports[1].Protocol != "tcp" {
		t.Errorf("ports %+v", pp.Spec.Ports)
	}
	if len(p.Volumes) != 1 || p.Volumes[0].Name != "data" {
		t.Errorf("volumes %+v", p.Volumes)
	}
}
