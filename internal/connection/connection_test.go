package connection

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "conns.json")
	add := func(name, uri string, def bool) error {
		return Edit(path, func(f *File) error { return f.Add(name, Connection{URI: uri}, def) })
	}
	if err := add("a", "unix:///a.sock", false); err != nil {
		t.Fatal(err)
	}
	if err := add("b", "ssh://root@h/run/x.sock", false); err != nil {
		t.Fatal(err)
	}
	if err := add("a", "unix:///other", false); err == nil || !strings.Contains(err.Error(), `"a" already exists`) {
		t.Errorf("duplicate add: err = %v, want already exists", err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := f.Default(); !ok || c.URI != "unix:///a.sock" {
		t.Errorf("default = %+v %v, want the first connection", c, ok)
	}
	if err := Edit(path, func(f *File) error { return f.SetDefault("b") }); err != nil {
		t.Fatal(err)
	}
	if err := Edit(path, func(f *File) error { return f.SetDefault("nope") }); err == nil || !strings.Contains(err.Error(), `"nope" destination is not defined`) {
		t.Errorf("default nope: err = %v", err)
	}
	if err := Edit(path, func(f *File) error { return f.Rename("b", "c") }); err != nil {
		t.Fatal(err)
	}
	f, _ = Load(path)
	got := f.List()
	if len(got) != 2 || got[0].Name != "a" || got[1].Name != "c" || !got[1].Default || got[0].Default || !got[0].ReadWrite {
		t.Errorf("list = %+v, want a and default c", got)
	}
	if err := Edit(path, func(f *File) error { f.Remove("c"); return nil }); err != nil {
		t.Fatal(err)
	}
	f, _ = Load(path)
	if _, ok := f.Default(); ok || len(f.List()) != 1 {
		t.Errorf("after rm: %+v, want one connection and no default", f.List())
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v %v, want 0600", fi.Mode(), err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".berth-connections-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestPath(t *testing.T) {
	t.Setenv(EnvConf, "")
	t.Setenv("XDG_CONFIG_HOME", "/x")
	if p, _ := Path(); p != "/x/containers/berth-connections.json" {
		t.Errorf("path = %q", p)
	}
	t.Setenv(EnvConf, "/y.json")
	if p, _ := Path(); p != "/y.json" {
		t.Errorf("path = %q", p)
	}
}

func TestParseURI(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "unix:///run/b.sock", want: "unix:///run/b.sock"},
		{in: "tcp://127.0.0.1:8080", want: "tcp://127.0.0.1:8080"},
		{in: "ssh://root@host:2222/tmp/s.sock", want: "ssh://root@host:2222/tmp/s.sock"},
		{in: "ssh://host", want: "ssh://host/run/berth/berth.sock"},
		{in: "unix://", err: "want unix:///PATH"},
		{in: "unix://relative/x", err: "want unix:///PATH"},
		{in: "tcp://host", err: "want tcp://HOST:PORT"},
		{in: "ssh:///x", err: "want ssh://"},
		{in: "ssh://h:99999/x", err: "bad port"},
		{in: "/run/b.sock", err: "missing scheme"},
		{in: "http://h:1", err: `unsupported scheme "http"`},
	}
	for _, tc := range tests {
		u, err := ParseURI(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseURI(%q) err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || u.String() != tc.want {
			t.Errorf("ParseURI(%q) = %v, %v; want %q", tc.in, u, err, tc.want)
		}
	}
}

func TestDestination(t *testing.T) {
	tests := []struct {
		dest      string
		port      int
		socket    string
		want, err string
	}{
		{dest: "root@example.com", want: "ssh://root@example.com/run/berth/berth.sock"},
		{dest: "root@example.com", port: 2222, socket: "/s.sock", want: "ssh://root@example.com:2222/s.sock"},
		{dest: "ssh://u@h:22/a.sock", want: "ssh://u@h:22/a.sock"},
		{dest: "unix:///a.sock", want: "unix:///a.sock"},
		{dest: "tcp://localhost:8080", want: "tcp://localhost:8080"},
		{dest: "ftp://x", err: "unsupported scheme"},
	}
	for _, tc := range tests {
		got, err := Destination(tc.dest, tc.port, tc.socket)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Destination(%q) err = %v, want %q", tc.dest, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Destination(%q) = %q, %v; want %q", tc.dest, got, err, tc.want)
		}
	}
}
