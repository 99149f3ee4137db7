package quadlet

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const exe = "/usr/bin/berth"

func convertTestdata(t *testing.T) ([]Unit, []error) {
	t.Helper()
	srcs, err := Discover([]string{"testdata/in", "testdata/nosuchdir"})
	if err != nil {
		t.Fatal(err)
	}
	return Convert(srcs, Options{Executable: exe})
}

func TestConvertGolden(t *testing.T) {
	units, errs := convertTestdata(t)
	var names []string
	in, _ := filepath.Abs("testdata/in")
	for _, u := range units {
		names = append(names, u.Name)
		// The golden files show the units as read from /etc.
		u.Content = strings.ReplaceAll(u.Content, in, "/etc/containers/systemd")
		p := filepath.Join("testdata", "out", u.Name)
		if *update {
			if err := os.WriteFile(p, []byte(u.Content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if u.Content != string(want) {
			t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", u.Name, u.Content, want)
		}
	}
	sort.Strings(names)
	if got := strings.Join(names, " "); got != "app-image.service app-network.service app-pod.service data-volume.service plain.service secret.service stack.service web.service" {
		t.Errorf("units: %s", got)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	sort.Strings(msgs)
	want := []string{
		`converting "bad.container": unsupported key 'Frobnicate' in group 'Container'`,
		`converting "missingvol.container": requested Quadlet volume "nosuch.volume" was not found`,
		`converting "noimage.container": no Image key specified`,
		`converting "reload.container": key 'ReloadCmd' in group 'Container' is not supported by berth`,
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

// TestVerify runs `systemd-analyze verify` over the generated units (with
// /bin/true as the executable, which verify wants to exist).
func TestVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	units, _ := convertTestdata(t)
	dir := t.TempDir()
	for i := range units {
		units[i].Content = strings.ReplaceAll(units[i].Content, exe, "/bin/true")
	}
	if err := Write(dir, units); err != nil {
		t.Fatal(err)
	}
	if l, err := os.Readlink(filepath.Join(dir, "multi-user.target.wants", "web.service")); err != nil || l != "../web.service" {
		t.Errorf("install link: %q %v", l, err)
	}
	var paths []string
	for _, u := range units {
		paths = append(paths, filepath.Join(dir, u.Name))
	}
	cmd := exec.Command(sa, append([]string{"verify", "--man=no"}, paths...)...)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=warning")
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func TestDirs(t *testing.T) {
	env := map[string]string{"HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1000"}
	get := func(k string) string { return env[k] }
	if got := strings.Join(Dirs(false, get, 0), ":"); got != "/run/containers/systemd:/etc/containers/systemd:/usr/share/containers/systemd" {
		t.Errorf("system dirs: %s", got)
	}
	if got := strings.Join(Dirs(true, get, 1000), ":"); got != "/run/user/1000/containers/systemd:/home/u/.config/containers/systemd:/etc/containers/systemd/users/1000:/etc/containers/systemd/users" {
		t.Errorf("user dirs: %s", got)
	}
	env["QUADLET_UNIT_DIRS"] = "/a::/b"
	if got := strings.Join(Dirs(true, get, 1000), ":"); got != "/a:/b" {
		t.Errorf("QUADLET_UNIT_DIRS: %s", got)
	}
}

func TestDiscoverShadows(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	must := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must(filepath.Join(a, "x.container"), "")
	must(filepath.Join(b, "x.container"), "")
	must(filepath.Join(b, "sub", "y.volume"), "")
	must(filepath.Join(b, "notes.txt"), "")
	srcs, err := Discover([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 2 || srcs[0].Path != filepath.Join(a, "x.container") || srcs[1].Path != filepath.Join(b, "sub", "y.volume") || srcs[1].Name != "y.volume" {
		t.Errorf("sources: %+v", srcs)
	}
}

func TestSplitWords(t *testing.T) {
	got, err := splitWords(`A="hello world" B='x y' C=a\ b D`)
	if err != nil || strings.Join(got, "|") != "A=hello world|B=x y|C=a b|D" {
		t.Errorf("splitWords: %q %v", got, err)
	}
	if _, err := splitWords(`"open`); err == nil {
		t.Error("unterminated quote: no error")
	}
}
