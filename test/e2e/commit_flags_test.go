package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommitFlagsPsSyncRmLink covers commit's --iidfile,
// --include-volumes, --config and refused --squash, ps --sync, and rm's
// refused --link.
func TestCommitFlagsPsSyncRmLink(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	vol := filepath.Join(env.TmpDir, "vol")
	_ = os.MkdirAll(vol, 0o755)
	if r := env.Berth("run", "--network", "none", "--name", "cm", "-v", vol+":/data", "-e", "A=1", "busybox", "sh", "-c", "exit 3"); r.ExitCode() != 3 {
		t.Fatalf("run:\n%s", r)
	}

	iid := filepath.Join(env.TmpDir, "iid")
	cfgFile := filepath.Join(env.TmpDir, "cfg.json")
	_ = os.WriteFile(cfgFile, []byte(`{"config":{"Env":["A=2","B=3"],"Labels":{"from":"config"},"WorkingDir":"/data"}}`), 0o644)
	id := env.MustBerth(t, "commit", "-q", "--iidfile", iid, "--include-volumes", "--config", cfgFile, "cm", "committed")
	if b, _ := os.ReadFile(iid); string(b) != "sha256:"+id {
		t.Errorf("--iidfile holds %q, want sha256:%s", b, id)
	}
	got := env.MustBerth(t, "image", "inspect", "--format", "{{json .Config.Volumes}} {{.Config.Env}} {{.Config.Labels}} {{.Config.WorkingDir}}", "committed")
	for _, want := range []string{`"/data":{}`, "A=2", "B=3", "from:config", " /data"} {
		if !strings.Contains(got, want) {
			t.Errorf("committed config %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "A=1") {
		t.Errorf("--config's A=2 did not replace A=1: %q", got)
	}
	// Without --include-volumes the image gets no volumes.
	env.MustBerth(t, "commit", "-q", "cm", "novol")
	if got := env.MustBerth(t, "image", "inspect", "--format", "{{json .Config.Volumes}}", "novol"); strings.Contains(got, "/data") {
		t.Errorf("commit without --include-volumes: volumes %s", got)
	}
	wantRefused(t, env.Berth("commit", "--squash", "cm", "sq"), "--squash is not supported")
	_ = os.WriteFile(cfgFile, []byte(`not json`), 0o644)
	wantRefused(t, env.Berth("commit", "--config", cfgFile, "cm", "bad"), "not a JSON image config")
	if r := env.Berth("image", "exists", "bad"); r.ExitCode() == 0 {
		t.Errorf("a refused commit made an image")
	}

	if got := env.MustBerth(t, "ps", "-a", "--sync", "--format", "{{.Names}} {{.Status}}"); !strings.HasPrefix(got, "cm Exited (3)") {
		t.Errorf("ps --sync = %q", got)
	}
	wantRefused(t, env.Berth("rm", "--link", "cm"), "--link is not supported")
	env.MustBerth(t, "container", "exists", "cm")
}
