package e2e

import (
	"strings"
	"testing"
)

// docker system df and the prunes through the API: sizes and users of
// images, containers and volumes; container prune with a label filter;
// system prune -f --volumes leaving the running container and what it
// uses.
func TestAPIDockerCLIDiskUsageAndPrune(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	uri := apiService(t, env)
	d := newDockerCLI(t, uri)

	d.must("volume", "create", "keepvol")
	// done1's anonymous volume counts as used while done1 exists, as in docker.
	d.must("run", "-d", "--name", "live", "-v", "keepvol:/data", "busybox", "sleep", "1000")
	d.must("run", "--name", "done1", "--label", "grp=a", "-v", "/anon", "busybox", "sh", "-c", "echo x > /anon/f")
	d.must("run", "--name", "done2", "busybox", "true")
	d.must("network", "create", "--subnet", "10.234.2.0/24", "dfnet")

	df := d.must("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}")
	for _, want := range []string{"Images 1 1", "Containers 3 1", "Local Volumes 2 2", "Build Cache 0 0"} {
		if !strings.Contains(df, want) {
			t.Errorf("docker system df lacks %q:\n%s", want, df)
		}
	}
	v := d.must("system", "df", "-v", "--format", "{{json .}}")
	if !strings.Contains(v, `"keepvol"`) || !strings.Contains(v, "done1") {
		t.Errorf("docker system df -v:\n%s", v)
	}

	out := d.must("container", "prune", "-f", "--filter", "label=grp=a")
	if !strings.Contains(out, "Deleted Containers") || env.Berth("container", "exists", "done1").ExitCode() != 1 || env.Berth("container", "exists", "done2").ExitCode() != 0 {
		t.Errorf("container prune --filter label=grp=a:\n%s", out)
	}
	if _, e, code := d.run("container", "prune", "-f", "--filter", "bogus=1"); code == 0 || !strings.Contains(e, "bogus") {
		t.Errorf("container prune with an unknown filter: %d %s", code, e)
	}

	out = d.must("system", "prune", "-f", "--volumes")
	if !strings.Contains(out, "Total reclaimed space") {
		t.Errorf("docker system prune:\n%s", out)
	}
	if ps := env.MustBerth(t, "ps", "-a", "--format", "{{.Names}}"); ps != "live" {
		t.Errorf("after system prune, containers: %q", ps)
	}
	if vols := env.MustBerth(t, "volume", "ls", "-q"); vols != "keepvol" {
		t.Errorf("after system prune --volumes, volumes: %q", vols)
	}
	if nets := env.MustBerth(t, "network", "ls", "-q", "--filter", "name=dfnet"); nets != "" {
		t.Errorf("system prune left the unused network: %q", nets)
	}
	if imgs := env.MustBerth(t, "images", "-q"); imgs == "" {
		t.Errorf("system prune removed the image the running container uses")
	}
	d.must("rm", "-f", "live")
}
