package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRootlessNetwork: user-defined networks for a rootless user. The
// containers sit on bridges in the user's rootless network namespace
// (pinned under XDG_RUNTIME_DIR, connected out by pasta), resolve each
// other through aardvark-dns, and a published port reaches them from the
// host through berth's forwarder. The last container's removal takes the
// namespace, pasta, aardvark-dns and the forwarder away. Subnets under
// 10.249.0.0/16.
func TestRootlessNetwork(t *testing.T) {
	if _, err := exec.LookPath("pasta"); err != nil {
		t.Skip("pasta not installed (scripts/setup.sh installs it)")
	}
	openTun(t)
	u := newRootlessUser(t, true)
	tar := filepath.Join(u.home, "busybox.tar")
	data, err := os.ReadFile(busyboxTar)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tar, data, 0o644); err != nil {
		t.Fatal(err)
	}
	u.must(t, "import", "--change", "CMD=/bin/sh", tar, "busybox")
	u.must(t, "network", "create", "--subnet", "10.249.1.0/24", "rlnet")
	pin := filepath.Join(u.runDir, "containers", "berth", "rootless-netns", "netns")

	port := freePort(t)
	u.must(t, "run", "-d", "--name", "web", "--network", "rlnet", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), "busybox", "sh", "-c",
		"mkdir /www && echo hello-rlnet > /www/index.html && exec httpd -f -p 80 -h /www")
	if _, err := os.Stat(pin); err != nil {
		t.Errorf("no rootless network namespace pinned at %s: %v", pin, err)
	}
	if got := u.must(t, "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "web"); !strings.HasPrefix(got, "10.249.1.") {
		t.Errorf("web's address: got %q, want one in 10.249.1.0/24", got)
	}

	t.Run("by name", func(t *testing.T) {
		// busybox's ping needs a raw socket: CAP_NET_RAW, which
		// podman's default capabilities (and berth's) leave out.
		got := u.must(t, "run", "--rm", "--network", "rlnet", "--cap-add", "NET_RAW", "busybox", "sh", "-c",
			"nslookup web | grep -q 'Address: 10.249.1.' && echo resolved; ping -c 1 -W 5 web >/dev/null && echo pinged; wget -q -O - http://web/index.html")
		if got != "resolved\npinged\nhello-rlnet" {
			t.Errorf("a second container reaching web by name: got %q", got)
		}
		if got := u.must(t, "run", "--rm", "--network", "rlnet", "busybox", "cat", "/etc/resolv.conf"); !strings.Contains(got, "nameserver 10.249.1.1") {
			t.Errorf("resolv.conf on rlnet: want aardvark-dns on the gateway, got %q", got)
		}
	})

	t.Run("published port", func(t *testing.T) {
		if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/index.html", port)); strings.TrimSpace(got) != "hello-rlnet" {
			t.Errorf("GET through the forwarder: got %q", got)
		}
		if got := u.must(t, "port", "web"); got != fmt.Sprintf("80/tcp -> 127.0.0.1:%d", port) {
			t.Errorf("port: got %q", got)
		}
	})

	t.Run("unshare --rootless-netns", func(t *testing.T) {
		ip := u.must(t, "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "web")
		if got := u.must(t, "unshare", "--rootless-netns", "busybox", "wget", "-q", "-O", "-", "http://"+ip+"/index.html"); got != "hello-rlnet" {
			t.Errorf("web at its address from the rootless network namespace: got %q", got)
		}
		if r := u.berth("unshare", "--rootless-netns", "sh", "-c", "exit 7"); r.ExitCode() != 7 {
			t.Errorf("the command's exit code: want 7:\n%s", r)
		}
	})

	t.Run("pod on the network", func(t *testing.T) {
		pport := freePort(t)
		u.must(t, "pod", "create", "--name", "rlpod", "--network", "rlnet", "-p", fmt.Sprintf("%d:8080", pport))
		u.must(t, "run", "-d", "--pod", "rlpod", "--name", "podweb", "busybox", "sh", "-c",
			"mkdir /www && echo from-rlpod > /www/index.html && exec httpd -f -p 8080 -h /www")
		if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/index.html", pport)); strings.TrimSpace(got) != "from-rlpod" {
			t.Errorf("GET the pod's port: got %q", got)
		}
		if got := u.must(t, "run", "--rm", "--network", "rlnet", "busybox", "wget", "-q", "-O", "-", "http://web/index.html"); got != "hello-rlnet" {
			t.Errorf("web from a container next to the pod: got %q", got)
		}
		u.must(t, "pod", "rm", "-f", "-t", "0", "rlpod")
	})

	t.Run("nothing left after rm", func(t *testing.T) {
		u.must(t, "rm", "-f", "-t", "0", "web")
		if _, err := os.Stat(pin); !os.IsNotExist(err) {
			t.Errorf("rootless network namespace still pinned after the last container: %v", err)
		}
		// conmon and the container's processes exit just after rm returns.
		for _, name := range []string{"pasta", "aardvark-dns", "rootlessport", "conmon", "httpd"} {
			pids := pidsNamed(u.uid, name)
			for deadline := time.Now().Add(5 * time.Second); len(pids) > 0 && time.Now().Before(deadline); pids = pidsNamed(u.uid, name) {
				time.Sleep(50 * time.Millisecond)
			}
			if len(pids) > 0 {
				t.Errorf("%s still runs after rm: %v", name, pids)
			}
		}
		u.must(t, "network", "rm", "rlnet")
	})
}
