package e2e

import (
	"strings"
	"testing"
)

// A member joins a pod made with --network host: it runs in the host's
// network namespace (as the infra does), and kube play's hostNetwork
// makes such a pod.
func TestPodHostNetworkMember(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.MustBerth(t, "pod", "create", "--network", "host", "--name", "hostpod")
	env.MustBerth(t, "run", "-d", "--pod", "hostpod", "--name", "hostmember", "busybox", "sleep", "300")
	if got := env.MustBerth(t, "exec", "hostmember", "readlink", "/proc/self/ns/net"); got != mustReadlink(t, "/proc/self/ns/net") {
		t.Errorf("the member's network namespace is %s, not the host's", got)
	}
	env.MustBerth(t, "pod", "rm", "-f", "hostpod")

	file := writeKube(t, env, "hostnet.yaml", `apiVersion: v1
kind: Pod
metadata: {name: hn}
spec:
  hostNetwork: true
  containers: [{name: app, image: busybox, command: [sleep, "300"]}]
`)
	env.MustBerth(t, "kube", "play", file)
	if got := env.MustBerth(t, "exec", "hn-app", "readlink", "/proc/self/ns/net"); got != mustReadlink(t, "/proc/self/ns/net") {
		t.Errorf("hostNetwork: the container's network namespace is %s", got)
	}
	if y := env.MustBerth(t, "kube", "generate", "hn"); !strings.Contains(y, "hostNetwork: true") {
		t.Errorf("generate lost hostNetwork:\n%s", y)
	}
	env.MustBerth(t, "kube", "down", file)
}
