package oci

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

// fakeBinaries makes executable stand-ins for runc and conmon so New can be
// tested without the real ones.
func fakeBinaries(t *testing.T) (runtime, conmon string) {
	t.Helper()
	dir := t.TempDir()
	runtime, conmon = filepath.Join(dir, "runc"), filepath.Join(dir, "conmon")
	for _, p := range []string{runtime, conmon} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return runtime, conmon
}

func TestNewValidation(t *testing.T) {
	rt, cm := fakeBinaries(t)
	base := Config{Name: "runc", Path: rt, ConmonPath: cm, StateRoot: "/run/b/runc", ExitDir: "/run/b/exits", SocketDir: "/run/b/s"}
	tests := []struct {
		name    string
		mod     func(*Config)
		wantErr error
	}{
		{name: "ok", mod: func(*Config) {}},
		{name: "systemd", mod: func(c *Config) { c.CgroupManager = "systemd" }},
		{name: "bad cgroup manager", mod: func(c *Config) { c.CgroupManager = "cgroupz" }, wantErr: define.ErrInvalidArg},
		{name: "no exit dir", mod: func(c *Config) { c.ExitDir = "" }, wantErr: define.ErrInvalidArg},
		{name: "missing runtime", mod: func(c *Config) { c.Path = "/nonexistent/runc" }, wantErr: os.ErrNotExist},
		{name: "runtime is a directory", mod: func(c *Config) { c.Path = "/" }, wantErr: os.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.mod(&cfg)
			r, err := New(cfg)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("New() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New() error = %v", err)
			}
			if r.Name() != "runc" || r.Path() != rt || r.ConmonPath() != cm {
				t.Errorf("New() = %q %q %q, want runc %q %q", r.Name(), r.Path(), r.ConmonPath(), rt, cm)
			}
		})
	}
}

func TestConmonArgs(t *testing.T) {
	rt, cm := fakeBinaries(t)
	r, err := New(Config{Name: "runc", Path: rt, ConmonPath: cm, StateRoot: "/run/b/runc", ExitDir: "/run/b/exits",
		SocketDir: "/run/b/s", CgroupManager: "systemd", LogLevel: "warning"})
	if err != nil {
		t.Fatal(err)
	}
	args := r.conmonArgs(CreateOptions{
		ID: "abc", Name: "web", BundleDir: "/b", LogPath: "/b/ctr.log", Terminal: true, Stdin: true,
		ExitCommand: []string{"/usr/bin/berth", "container", "cleanup", "abc"}, ExitDelay: 2,
	})
	joined := " " + strings.Join(args, " ") + " "
	for _, want := range []string{
		" --api-version 1 ", " -c abc ", " -u abc ", " -r " + rt + " ", " -b /b ", " -p /b/pidfile ", " -n web ",
		" --persist-dir /b ", " --socket-dir-path /run/b/s ",
		" --conmon-pidfile /b/conmon.pid ", " -s ", " -l k8s-file:/b/ctr.log ", " --log-level warn ", " -t ",
		" --runtime-arg --root=/run/b/runc ", " --runtime-arg --log-format=json ", " --runtime-arg --log=/b/oci-log ",
		" --exit-command /usr/bin/berth --exit-command-arg container --exit-command-arg cleanup --exit-command-arg abc ",
		" --exit-delay 2 ",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("conmon args %q lack %q", joined, want)
		}
	}
	if slices.Contains(args, "--exit-dir") {
		t.Errorf("conmon args %q pass --exit-dir: the bundle's exit file is the only one", joined)
	}
	if slices.Contains(args, "-i") {
		t.Errorf("conmon args %q pass -i with a terminal", joined)
	}
	// conmon adds --systemd-cgroup itself for -s; passing it twice breaks runc.
	if slices.Contains(args, "--systemd-cgroup") {
		t.Errorf("conmon args %q pass --systemd-cgroup as a runtime arg", joined)
	}

	none := r.conmonArgs(CreateOptions{ID: "abc", BundleDir: "/b", LogDriver: "none", LogPath: "/b/x", Stdin: true})
	if slices.Contains(none, "--exit-delay") {
		t.Errorf("no exit delay asked: args %q", none)
	}
	if !strings.Contains(" "+strings.Join(none, " ")+" ", " -l none ") {
		t.Errorf("log driver none: args %q lack -l none", none)
	}
	if !slices.Contains(none, "-i") || slices.Contains(none, "-t") {
		t.Errorf("non-terminal stdin: args %q want -i and no -t", none)
	}
}

func TestConmonLogLevel(t *testing.T) {
	for in, want := range map[string]string{"": "", "trace": "debug", "debug": "debug", "info": "info",
		"warn": "warn", "warning": "warn", "error": "error", "fatal": "error", "bogus": ""} {
		if got := conmonLogLevel(in); got != want {
			t.Errorf("conmonLogLevel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExitCodeFile(t *testing.T) {
	rt, cm := fakeBinaries(t)
	dir := t.TempDir()
	r, err := New(Config{Path: rt, ConmonPath: cm, StateRoot: dir, ExitDir: dir, SocketDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	bundle := t.TempDir()
	if _, _, _, exists, err := r.ExitCode("c1", bundle); exists || err != nil {
		t.Fatalf("ExitCode before exit: exists=%v err=%v, want false, nil", exists, err)
	}
	// conmon writes the exit code to its persist dir, the bundle.
	if err := os.WriteFile(filepath.Join(bundle, persistExitName), []byte("137"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "oom"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, finished, oom, exists, err := r.ExitCode("c1", bundle)
	if err != nil || !exists || code != 137 || !oom || finished.IsZero() {
		t.Fatalf("ExitCode = %d %v oom=%v exists=%v %v; want 137, oom", code, finished, oom, exists, err)
	}
	if err := os.WriteFile(r.ExitFilePath("c2"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, err := r.ExitCode("c2", ""); err == nil {
		t.Fatal("ExitCode of a garbage exit file: nil error")
	}
}

func TestWaitExit(t *testing.T) {
	rt, cm := fakeBinaries(t)
	dir := t.TempDir()
	r, err := New(Config{Path: rt, ConmonPath: cm, StateRoot: dir, ExitDir: dir, SocketDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("file appears later", func(t *testing.T) {
		go func() {
			time.Sleep(50 * time.Millisecond)
			// Written like conmon does: to a temp name, then renamed.
			tmp := filepath.Join(dir, ".tmp-late")
			_ = os.WriteFile(tmp, []byte("42"), 0o600)
			_ = os.Rename(tmp, r.ExitFilePath("late"))
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		code, err := r.WaitExit(ctx, "late", "")
		if err != nil || code != 42 {
			t.Fatalf("WaitExit = %d, %v; want 42", code, err)
		}
		if d := time.Since(start); d > 900*time.Millisecond {
			t.Errorf("WaitExit took %v; inotify should wake it well before the poll", d)
		}
	})
	t.Run("persist copy in the bundle", func(t *testing.T) {
		bundle := t.TempDir()
		go func() {
			time.Sleep(50 * time.Millisecond)
			// conmon writes the bundle's "exit" before the exit dir's.
			tmp := filepath.Join(bundle, ".tmp-exit")
			_ = os.WriteFile(tmp, []byte("7"), 0o600)
			_ = os.Rename(tmp, filepath.Join(bundle, persistExitName))
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		code, err := r.WaitExit(ctx, "persisted", bundle)
		if err != nil || code != 7 {
			t.Fatalf("WaitExit = %d, %v; want 7", code, err)
		}
		if d := time.Since(start); d > 900*time.Millisecond {
			t.Errorf("WaitExit took %v; the bundle watch should wake it well before the poll", d)
		}
		if code, _, _, exists, err := r.ExitCode("persisted", bundle); err != nil || !exists || code != 7 {
			t.Errorf("ExitCode = %d, %v, %v; want 7 from the bundle", code, exists, err)
		}
		if _, _, _, exists, _ := r.ExitCode("persisted", ""); exists {
			t.Error("ExitCode without the bundle found an exit file that only the bundle has")
		}
		// A late or stale file in the exit dir does not count for a bundle.
		_ = os.WriteFile(r.ExitFilePath("fresh"), []byte("9"), 0o600)
		if _, _, _, exists, _ := r.ExitCode("fresh", t.TempDir()); exists {
			t.Error("ExitCode with an empty bundle read the exit dir's file")
		}
	})
	t.Run("context ends", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, err := r.WaitExit(ctx, "never", ""); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("WaitExit = %v, want DeadlineExceeded", err)
		}
	})
}

// The log drivers and --log-opt settings reach conmon as podman passes them.
func TestConmonLogArgs(t *testing.T) {
	r := newTestRuntime(t)
	for _, tt := range []struct {
		o    CreateOptions
		want string
		not  string
	}{
		{CreateOptions{LogDriver: "k8s-file", LogPath: "/b/ctr.log", LogSizeMax: 1000}, " -l k8s-file:/b/ctr.log --log-size-max 1000 ", ""},
		{CreateOptions{LogDriver: "k8s-file", LogPath: "/b/ctr.log"}, " -l k8s-file:/b/ctr.log ", "--log-size-max"},
		{CreateOptions{LogDriver: "k8s-file", LogPath: "/b/ctr.log", LogTag: "web"}, " -l k8s-file:/b/ctr.log ", "--log-tag"}, // conmon refuses a tag here
		{CreateOptions{LogDriver: "journald", LogPath: "/b/ctr.log", LogTag: "web"}, " -l journald: --log-tag web ", "k8s-file"},
		{CreateOptions{LogDriver: "passthrough", LogPath: "/b/ctr.log"}, " -l passthrough ", "k8s-file"},
		// syslog: passthrough to the forwarder's pipes; stdin is /dev/null.
		{CreateOptions{LogDriver: "syslog", LogPath: "/b/ctr.log", Stdin: true}, " -l passthrough ", " -i "},
	} {
		tt.o.ID, tt.o.BundleDir = "abc", "/b"
		args := " " + strings.Join(r.conmonArgs(tt.o), " ") + " "
		if !strings.Contains(args, tt.want) || (tt.not != "" && strings.Contains(args, tt.not)) {
			t.Errorf("%s: conmon args %q, want %q and no %q", tt.o.LogDriver, args, tt.want, tt.not)
		}
	}
	// passthrough hands the container the caller's stdio: no terminal.
	err := r.validateCreate(CreateOptions{ID: "abc", BundleDir: "/b", LogDriver: "passthrough", Terminal: true})
	if !errors.Is(err, define.ErrInvalidArg) || !strings.Contains(err.Error(), "cannot be used with a terminal") {
		t.Errorf("passthrough with -t: %v", err)
	}
	err = r.validateCreate(CreateOptions{ID: "abc", BundleDir: "/b", LogDriver: "syslog"})
	if !errors.Is(err, define.ErrInvalidArg) || !strings.Contains(err.Error(), "needs stdout and stderr pipes") {
		t.Errorf("syslog without pipes: %v", err)
	}
}
