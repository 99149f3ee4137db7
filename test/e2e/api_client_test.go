package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// moby's own Go client (what compose, testcontainers and most Go tools
// use) against berth's API: its types must decode what berth sends.
func TestAPIMobyClient(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	c, err := client.New(client.WithHost(apiService(t, env)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	if _, err := c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		t.Fatalf("ping: %v", err)
	}
	created, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:   "gocli",
		Config: &container.Config{Image: "busybox", Cmd: []string{"sh", "-c", "echo out; echo err >&2; exit 7"}, Labels: map[string]string{"via": "moby"}},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	wait := c.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := c.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	select {
	case res := <-wait.Result:
		if res.StatusCode != 7 {
			t.Errorf("wait: exit %d, want 7", res.StatusCode)
		}
	case err := <-wait.Error:
		t.Fatalf("wait: %v", err)
	}
	logs, err := c.ContainerLogs(ctx, created.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, logs); err != nil {
		t.Fatalf("logs stream: %v", err)
	}
	logs.Close()
	if stdout.String() != "out\n" || stderr.String() != "err\n" {
		t.Errorf("logs: stdout %q stderr %q", stdout.String(), stderr.String())
	}
	list, err := c.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(list.Items) != 1 || list.Items[0].Names[0] != "/gocli" || list.Items[0].State != container.StateExited || list.Items[0].Labels["via"] != "moby" {
		t.Errorf("list: %+v", list.Items)
	}
	ins, err := c.ContainerInspect(ctx, "gocli", client.ContainerInspectOptions{})
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	if ins.Container.State == nil || ins.Container.State.ExitCode != 7 || ins.Container.Config == nil || !strings.HasSuffix(ins.Container.Config.Image, "busybox:latest") {
		t.Errorf("inspect: state %+v config %+v", ins.Container.State, ins.Container.Config)
	}
	if st := ins.Container.State; st != nil && parseTime(st.StartedAt).After(parseTime(st.FinishedAt)) {
		t.Errorf("inspect: started at %s, after it finished at %s", st.StartedAt, st.FinishedAt)
	}
	if _, err := c.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{}); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := c.ContainerInspect(ctx, "gocli", client.ContainerInspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("inspect after remove: %v, want not found", err)
	}
	if _, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: "nosuchimage"}}); !cerrdefs.IsNotFound(err) || !strings.Contains(err.Error(), "nosuchimage") {
		t.Errorf("create from a missing image: %v, want not found naming it", err)
	}
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
