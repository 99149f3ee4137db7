package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// composeV5 returns the docker compose v5 binary `make compose` builds
// next to the berth binary under test, skipping when it is absent.
func composeV5(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(filepath.Dir(berthBinary), "docker-compose")
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("docker compose v5 not built (%v): `make compose` builds it", err)
	}
	return bin
}

// docker compose v5 brings a three-service project up through the API
// (a network with an alias, a named volume, a published port, environment,
// depends_on with a healthy-less start order), runs exec, ps and logs, and
// `down -v` leaves nothing.
func TestAPIComposeV5(t *testing.T) {
	t.Parallel()
	bin := composeV5(t)
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	port := freePort(t)
	dir := filepath.Join(env.TmpDir, "proj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	project := fmt.Sprintf(`services:
  web:
    image: busybox
    command: ["sh", "-c", "echo $$GREETING > /data/index.html; echo web-ready; exec httpd -f -p 8080 -h /data"]
    environment:
      GREETING: hello-compose5
    ports: ["127.0.0.1:%d:8080"]
    volumes: ["webdata:/data"]
    networks:
      front:
        aliases: [site]
  client:
    image: busybox
    command: ["sleep", "1000"]
    depends_on: [web]
    networks: [front]
  once:
    image: busybox
    command: ["sh", "-c", "wget -qO- http://web:8080/index.html && echo once-done"]
    depends_on: [web]
    networks: [front]
volumes:
  webdata:
networks:
  front:
    ipam:
      config:
        - subnet: 10.234.1.0/24
`, port)
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(project), 0o644); err != nil {
		t.Fatal(err)
	}
	compose := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"-p", "cmp5", "--progress", "plain"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+uri, "DOCKER_CONFIG="+t.TempDir())
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := compose("up", "-d"); err != nil {
		t.Fatalf("compose up: %v\n%s", err, out)
	}
	WaitFor(t, 15*time.Second, func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/index.html", port))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b) == "hello-compose5\n"
	})
	if out, err := compose("exec", "-T", "client", "wget", "-qO-", "http://site:8080/index.html"); err != nil || strings.TrimSpace(out) != "hello-compose5" {
		t.Errorf("compose exec reaching web by its alias: %v\n%s", err, out)
	}
	if out, err := compose("exec", "-T", "client", "sh", "-c", "exit 4"); err == nil || !strings.Contains(err.Error(), "exit status 4") {
		t.Errorf("compose exec's exit code: %v\n%s", err, out)
	}
	if out, err := compose("ps", "--format", "{{.Name}} {{.State}}"); err != nil || !strings.Contains(out, "cmp5-web-1 running") || !strings.Contains(out, "cmp5-client-1 running") {
		t.Errorf("compose ps: %v\n%s", err, out)
	}
	// A minute: under the full suite's load the one-shot service can be
	// slow to start (15 s failed once).
	WaitFor(t, time.Minute, func() bool {
		out, _ := compose("logs", "once")
		return strings.Contains(out, "once-done")
	})
	if out, err := compose("logs", "--no-color", "web"); err != nil || !strings.Contains(out, "web-1  | web-ready") {
		t.Errorf("compose logs: %v\n%s", err, out)
	}
	if out, err := compose("up", "-d"); err != nil || strings.Contains(out, "Recreate") {
		t.Errorf("a second compose up re-created what it had: %v\n%s", err, out)
	}
	if out, err := compose("down", "-v"); err != nil {
		t.Fatalf("compose down: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"ps", "-aq"}, {"volume", "ls", "-q"}, {"network", "ls", "-q", "--filter", "name=cmp5"}} {
		if out := env.MustBerth(t, args...); out != "" {
			t.Errorf("compose down left %v: %s", args, out)
		}
	}
}
