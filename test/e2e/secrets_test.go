package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// secretFiles returns secrets.json and the file driver's data file as
// they are on disk (podman's layout), for checks that a refused command
// changed nothing.
func secretFiles(env *Env) string {
	a, _ := os.ReadFile(filepath.Join(env.Root, "secrets", "secrets.json"))
	b, _ := os.ReadFile(filepath.Join(env.Root, "secrets", "filedriver", "secretsdata.json"))
	return string(a) + "\x00" + string(b)
}

func TestSecretCreateLsInspectRm(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	id := env.BerthStdin(strings.NewReader("hunter2"), "secret", "create", "--label", "app=db", "pw", "-")
	if id.ExitCode() != 0 || !regexp.MustCompile(`^[0-9a-f]{25}$`).MatchString(strings.TrimSpace(id.Stdout())) {
		t.Fatalf("secret create: %s", id)
	}
	pwID := strings.TrimSpace(id.Stdout())
	file := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(file, []byte("token-data"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokID := env.MustBerth(t, "secret", "create", "tok", file)

	// podman's layout: secrets.json with the name maps, data base64 in
	// filedriver/secretsdata.json.
	var db struct {
		Secrets  map[string]map[string]any `json:"secrets"`
		NameToID map[string]string         `json:"nameToID"`
	}
	raw, err := os.ReadFile(filepath.Join(env.Root, "secrets", "secrets.json"))
	if err != nil || json.Unmarshal(raw, &db) != nil {
		t.Fatalf("secrets.json: %v %s", err, raw)
	}
	if db.NameToID["pw"] != pwID || db.Secrets[pwID]["driver"] != "file" {
		t.Errorf("secrets.json = %s", raw)
	}
	var data map[string][]byte
	raw, _ = os.ReadFile(filepath.Join(env.Root, "secrets", "filedriver", "secretsdata.json"))
	if json.Unmarshal(raw, &data) != nil || string(data[tokID]) != "token-data" {
		t.Errorf("secretsdata.json = %s", raw)
	}

	ls := env.MustBerth(t, "secret", "ls")
	lines := strings.Split(ls, "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^ID\s+NAME\s+DRIVER\s+CREATED\s+UPDATED$`).MatchString(lines[0]) {
		t.Fatalf("secret ls =\n%s", ls)
	}
	if !regexp.MustCompile(`^` + pwID + `\s+pw\s+file\s+.* ago\s+.* ago$`).MatchString(lines[1]) {
		t.Errorf("secret ls row = %q", lines[1])
	}
	if got := env.MustBerth(t, "secret", "ls", "--format", "{{.Name}} {{.Driver}}", "--filter", "name=^t"); got != "tok file" {
		t.Errorf("ls --format --filter name = %q", got)
	}
	if got := env.MustBerth(t, "secret", "ls", "-q", "--filter", "label=app=db"); got != pwID {
		t.Errorf("ls -q --filter label = %q", got)
	}
	if got := env.MustBerth(t, "secret", "ls", "--noheading", "--filter", "id="+tokID[:6]); !strings.HasPrefix(got, tokID+" ") {
		t.Errorf("ls --noheading --filter id = %q", got)
	}
	r := env.Berth("secret", "ls", "--filter", "bogus=1")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `invalid filter "bogus"`) {
		t.Errorf("ls --filter bogus: %s", r)
	}

	var info []map[string]any
	if err := json.Unmarshal([]byte(env.MustBerth(t, "secret", "inspect", "pw")), &info); err != nil || len(info) != 1 {
		t.Fatalf("inspect: %v", err)
	}
	spec, _ := info[0]["Spec"].(map[string]any)
	if info[0]["ID"] != pwID || spec["Name"] != "pw" || info[0]["SecretData"] != nil {
		t.Errorf("inspect = %v", info[0])
	}
	if got := env.MustBerth(t, "secret", "inspect", "--showsecret", "--format", "{{.Spec.Name}}={{.SecretData}} {{.Spec.Labels.app}}", pwID[:8]); got != "pw=hunter2 db" {
		t.Errorf("inspect --showsecret --format by ID prefix = %q", got)
	}
	r = env.Berth("secret", "inspect", "nope")
	if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), `Error: no secret with name or id "nope": no such secret`) {
		t.Errorf("inspect nope: %s", r)
	}
	if r := env.Berth("secret", "exists", "pw"); r.ExitCode() != 0 {
		t.Errorf("exists pw: %s", r)
	}
	if r := env.Berth("secret", "exists", "nope"); r.ExitCode() != 1 || r.Stderr() != "" {
		t.Errorf("exists nope: %s", r)
	}

	// --replace keeps the ID and changes the data.
	if got := env.BerthStdin(strings.NewReader("new"), "secret", "create", "--replace", "pw", "-"); strings.TrimSpace(got.Stdout()) != pwID {
		t.Errorf("create --replace: %s", got)
	}
	if got := env.MustBerth(t, "secret", "inspect", "--showsecret", "--format", "{{.SecretData}}", "pw"); got != "new" {
		t.Errorf("data after --replace = %q", got)
	}

	// rm prints the IDs; a missing one fails unless --ignore.
	r = env.Berth("secret", "rm", "tok", "nope")
	if r.ExitCode() != 125 || strings.TrimSpace(r.Stdout()) != tokID || !strings.Contains(r.Stderr(), `no secret with name or id "nope"`) {
		t.Errorf("rm tok nope: %s", r)
	}
	if got := env.MustBerth(t, "secret", "rm", "--ignore", "nope", "pw"); got != pwID {
		t.Errorf("rm --ignore = %q", got)
	}
	if got := env.MustBerth(t, "secret", "ls", "-q"); got != "" {
		t.Errorf("ls after rm = %q", got)
	}
}

func TestSecretCreateBadInput(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.MustBerth(t, "secret", "create", "a", "/etc/hostname")
	before := secretFiles(env)
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"a", "/etc/hostname"}, "Error: a: secret name in use"},
		{[]string{"a/b", "/etc/hostname"}, `Error: secret name "a/b" can not include '=', '/', ',', or the '\0' (NULL) and be between 1 and 253 characters: invalid secret name`},
		{[]string{"b", empty}, "Error: secret data must be larger than 0 and less than 512000 bytes"},
		{[]string{"b", "/nonexistent"}, "no such file or directory"},
		{[]string{"--driver", "pass", "b", "/etc/hostname"}, "Error: pass: invalid driver"},
		{[]string{"--env", "b", "BERTH_TEST_UNSET_VAR"}, "Error: cannot create store secret data: environment variable BERTH_TEST_UNSET_VAR is not set"},
		{[]string{"b"}, "accepts 2 arg(s), received 1"},
	} {
		r := env.Berth(append([]string{"secret", "create"}, c.args...)...)
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) {
			t.Errorf("secret create %v: want %q, got %s", c.args, c.want, r)
		}
	}
	if after := secretFiles(env); after != before {
		t.Errorf("a refused create changed the store:\n%s\n%s", before, after)
	}
	if r := env.Berth("secret", "rm"); r.ExitCode() != 125 {
		t.Errorf("secret rm without names: %s", r)
	}
}

func TestRunSecret(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	env.ImportBusybox(t)
	env.BerthStdin(strings.NewReader("s3cret"), "secret", "create", "pw", "-")
	out := env.MustBerth(t, "run", "--rm", "--secret", "pw", "--secret", "pw,type=env,target=PW_VAR",
		"--secret", "source=pw,target=other,uid=7,gid=8,mode=0400", "--secret", "pw,target=/etc/pw",
		"busybox", "sh", "-c",
		`cat /run/secrets/pw; echo; echo $PW_VAR; stat -c '%a %u:%g' /run/secrets/pw /run/secrets/other; cat /etc/pw; echo; echo x > /run/secrets/pw || echo ro`)
	want := "s3cret\ns3cret\n444 0:0\n400 7:8\ns3cret\nro"
	if !strings.HasSuffix(out, want) {
		t.Errorf("run --secret printed\n%s\nwant\n%s", out, want)
	}
	// The data is read at start: a replaced secret shows in a restarted
	// container.
	id := env.MustBerth(t, "create", "--secret", "pw,type=env", "busybox", "sh", "-c", "echo $pw")
	env.BerthStdin(strings.NewReader("v2"), "secret", "create", "--replace", "pw", "-")
	if got := env.MustBerth(t, "start", "-a", id); got != "v2" {
		t.Errorf("env secret after --replace = %q", got)
	}

	ctrs := env.MustBerth(t, "ps", "-aq")
	for _, c := range []struct {
		flag, want string
	}{
		{"nope", `Error: no secret with name or id "nope": no such secret`},
		{"pw,type=file", "Error: type file is invalid: parsing secret"},
		{"pw,type=env,uid=1", "Error: UID, GID, Mode options cannot be set with secret type env: parsing secret"},
		{"pw,mode=9", "Error: mode 9 invalid: parsing secret"},
		{"pw,foo=bar", "Error: option foo=bar invalid: parsing secret"},
		{"pw,target", "Error: option target must be in form option=value: parsing secret"},
		{"type=env", "Error: no source found type=env: parsing secret"},
	} {
		r := env.Berth("create", "--secret", c.flag, "busybox")
		if r.ExitCode() != 125 || !strings.Contains(r.Stderr(), c.want) {
			t.Errorf("create --secret %s: want %q, got %s", c.flag, c.want, r)
		}
	}
	if got := env.MustBerth(t, "ps", "-aq"); got != ctrs {
		t.Errorf("refused creates left containers: %q, had %q", got, ctrs)
	}
}

func TestAPILibpodSecrets(t *testing.T) {
	t.Parallel()
	env := NewEnv(t)
	uri := apiService(t, env)
	do := func(method, path, body string) (int, string) {
		t.Helper()
		code, out, err := apiDo(uri, method, path, body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return code, out
	}
	code, out := do("POST", `/libpod/secrets/create?name=apisec&labels={"a":"b"}`, "payload")
	var created struct{ ID string }
	if code != 200 || json.Unmarshal([]byte(out), &created) != nil || len(created.ID) != 25 {
		t.Fatalf("create: %d %s", code, out)
	}
	// The CLI sees what the API stored, and the other way round.
	if got := env.MustBerth(t, "secret", "inspect", "--showsecret", "--format", "{{.SecretData}} {{.Spec.Labels.a}}", "apisec"); got != "payload b" {
		t.Errorf("CLI inspect of an API secret = %q", got)
	}
	if code, out := do("POST", "/libpod/secrets/create?name=apisec", "x"); code != 409 || !strings.Contains(out, "secret name in use") {
		t.Errorf("create of a used name: %d %s", code, out)
	}
	if code, out := do("POST", "/libpod/secrets/create?name=bad/name", "x"); code != 400 || !strings.Contains(out, "invalid secret name") {
		t.Errorf("create of a bad name: %d %s", code, out)
	}
	code, out = do("GET", "/libpod/secrets/json?filters="+`{"name":["apisec"]}`, "")
	if code != 200 || !strings.Contains(out, `"ID":"`+created.ID+`"`) || strings.Contains(out, "SecretData") {
		t.Errorf("list: %d %s", code, out)
	}
	if code, out := do("GET", "/libpod/secrets/apisec/json?showsecret=true", ""); code != 200 || !strings.Contains(out, `"SecretData":"payload"`) {
		t.Errorf("inspect: %d %s", code, out)
	}
	if code, _ := do("GET", "/libpod/secrets/apisec/exists", ""); code != 204 {
		t.Errorf("exists: %d", code)
	}
	if code, _ := do("DELETE", "/libpod/secrets/apisec", ""); code != 204 {
		t.Errorf("delete: %d", code)
	}
	for _, p := range []string{"/libpod/secrets/apisec/exists", "/libpod/secrets/apisec/json"} {
		if code, _ := do("GET", p, ""); code != 404 {
			t.Errorf("GET %s after delete: %d", p, code)
		}
	}
}
