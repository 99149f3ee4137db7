package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/internal/connection"
	"github.com/berth-dev/berth/service"
)

func TestRemoteTarget(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "c.json")
	t.Setenv(connection.EnvConf, conf)
	t.Setenv("CONTAINER_HOST", "")
	t.Setenv("CONTAINER_CONNECTION", "")
	t.Setenv("CONTAINER_SSHKEY", "")
	err := connection.Edit(conf, func(f *connection.File) error {
		if err := f.Add("a", connection.Connection{URI: "ssh://u@a/s.sock", Identity: "/ka"}, false); err != nil {
			return err
		}
		return f.Add("b", connection.Connection{URI: "unix:///b.sock"}, false)
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		opts          remoteOptions
		env           map[string]string
		uri, identity string
		err           string
	}{
		{name: "--remote: the default connection", opts: remoteOptions{remote: true}, uri: "ssh://u@a/s.sock", identity: "/ka"},
		{name: "--url", opts: remoteOptions{url: "tcp://h:1"}, uri: "tcp://h:1"},
		{name: "--connection with --identity", opts: remoteOptions{conn: "a", identity: "/mine"}, uri: "ssh://u@a/s.sock", identity: "/mine"},
		{name: "--connection unknown", opts: remoteOptions{conn: "zz"}, err: `"zz" destination is not defined`},
		{name: "--url and --connection", opts: remoteOptions{url: "tcp://h:1", conn: "a"}, err: "cannot be used together"},
		{name: "CONTAINER_HOST", env: map[string]string{"CONTAINER_HOST": "unix:///env.sock", "CONTAINER_SSHKEY": "/envkey"}, uri: "unix:///env.sock", identity: "/envkey"},
		{name: "CONTAINER_CONNECTION", env: map[string]string{"CONTAINER_CONNECTION": "b"}, uri: "unix:///b.sock"},
		{name: "flag over env", opts: remoteOptions{conn: "b"}, env: map[string]string{"CONTAINER_HOST": "unix:///env.sock"}, uri: "unix:///b.sock"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			d := &Deps{global: globalOptions{remoteOpts: tc.opts}}
			if !d.isRemote() {
				t.Fatal("not remote")
			}
			uri, id, err := d.remoteTarget()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || uri != tc.uri || id != tc.identity {
				t.Errorf("target = %q %q %v, want %q %q", uri, id, err, tc.uri, tc.identity)
			}
		})
	}
	if err := connection.Edit(conf, func(f *connection.File) error { f.RemoveAll(); return nil }); err != nil {
		t.Fatal(err)
	}
	d := &Deps{global: globalOptions{remoteOpts: remoteOptions{remote: true}}}
	if uri, _, _ := d.remoteTarget(); uri != "unix:///run/berth/berth.sock" {
		t.Errorf("--remote without connections = %q, want root's socket", uri)
	}
}

func TestRemoteRefusesLocalOnlyCommands(t *testing.T) {
	t.Setenv("CONTAINER_HOST", "")
	t.Setenv("CONTAINER_CONNECTION", "")
	called := false
	remote := WithRemote(func(context.Context, string, string) (service.Engine, error) {
		called = true
		return nil, errors.New("no service in this test")
	})
	for _, args := range [][]string{{"--remote", "mount", "x"}, {"--url", "unix:///x.sock", "system", "reset", "-f"}, {"-r", "container", "export", "x"}} {
		var stderr bytes.Buffer
		code := Run(context.Background(), args, nil, &bytes.Buffer{}, &stderr, remote)
		if code != 125 || !strings.Contains(stderr.String(), "is not supported with --remote") || called {
			t.Errorf("%q: exit %d, stderr %q, client called %v; want 125 and not supported", args, code, stderr.String(), called)
		}
	}
	var stderr bytes.Buffer
	if code := Run(context.Background(), []string{"--remote", "ps"}, nil, &bytes.Buffer{}, &stderr, remote); code != 125 || !called || !strings.Contains(stderr.String(), "no service in this test") {
		t.Errorf("--remote ps: exit %d, stderr %q, client called %v", code, stderr.String(), called)
	}
}
