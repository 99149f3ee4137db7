package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/define"
)

func hsWith(retries int, maxCount uint) *define.HealthSettings {
	return &define.HealthSettings{Check: &define.HealthConfig{Test: []string{"CMD", "true"}, Retries: retries}, MaxLogCount: maxCount}
}

func entry(code int) define.HealthLogEntry { return define.HealthLogEntry{ExitCode: code} }

// TestApplyHealthResult walks the state machine: starting until the first
// pass, healthy on a pass, unhealthy after Retries failures in a row, the
// streak cleared by a pass, and failures in the start period not counted.
func TestApplyHealthResult(t *testing.T) {
	type step struct {
		code    int
		inStart bool
		status  string
		streak  int
	}
	for _, tc := range []struct {
		name    string
		retries int
		steps   []step
	}{
		{"pass makes healthy", 3, []step{{0, false, "healthy", 0}}},
		{"failures below retries stay starting", 3, []step{{1, false, "starting", 1}, {1, false, "starting", 2}, {1, false, "unhealthy", 3}}},
		{"healthy then failing", 2, []step{{0, false, "healthy", 0}, {1, false, "healthy", 1}, {1, false, "unhealthy", 2}, {1, false, "unhealthy", 3}}},
		{"a pass clears the streak", 2, []step{{1, false, "starting", 1}, {0, false, "healthy", 0}, {1, false, "healthy", 1}}},
		{"start period failures do not count", 1, []step{{1, true, "starting", 0}, {1, true, "starting", 0}, {1, false, "unhealthy", 1}}},
		{"start period pass counts", 1, []step{{0, true, "healthy", 0}}},
		{"unhealthy recovers", 1, []step{{1, false, "unhealthy", 1}, {0, false, "healthy", 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &define.HealthState{}
			st.Status = define.HealthStarting
			hs := hsWith(tc.retries, 0)
			for i, s := range tc.steps {
				applyHealthResult(st, hs, entry(s.code), s.inStart)
				if st.Status != s.status || st.FailingStreak != s.streak {
					t.Fatalf("step %d (exit %d): status %q streak %d, want %q %d", i, s.code, st.Status, st.FailingStreak, s.status, s.streak)
				}
			}
			if len(st.Log) != len(tc.steps) {
				t.Errorf("log has %d entries, want %d", len(st.Log), len(tc.steps))
			}
		})
	}
}

// TestHealthLogBounded keeps only the last MaxLogCount results (0: all).
func TestHealthLogBounded(t *testing.T) {
	st := &define.HealthState{}
	hs := hsWith(3, 2)
	for i := range 5 {
		applyHealthResult(st, hs, entry(i), false)
	}
	var codes []int
	for _, e := range st.Log {
		codes = append(codes, e.ExitCode)
	}
	if !slices.Equal(codes, []int{3, 4}) {
		t.Errorf("log exit codes %v, want [3 4]", codes)
	}
	st = &define.HealthState{}
	hs.MaxLogCount = 0
	for range 7 {
		applyHealthResult(st, hs, entry(0), false)
	}
	if len(st.Log) != 7 {
		t.Errorf("unbounded log has %d entries, want 7", len(st.Log))
	}
}

// TestApplyStartupResult: Successes passes in a row hand over to the
// regular check; Retries failures in a row ask for a restart.
func TestApplyStartupResult(t *testing.T) {
	hs := hsWith(3, 0)
	hs.Startup = &define.StartupHealthConfig{HealthConfig: define.HealthConfig{Test: []string{"CMD", "x"}, Retries: 2}, Successes: 2}
	st := &define.HealthState{}
	if applyStartupResult(st, hs, entry(0)) || st.StartupPassed {
		t.Fatalf("one pass of two: passed %v", st.StartupPassed)
	}
	if applyStartupResult(st, hs, entry(1)) {
		t.Fatal("one failure of two asked for a restart")
	}
	if st.StartupSuccesses != 0 {
		t.Errorf("a failure left %d successes counted", st.StartupSuccesses)
	}
	if !applyStartupResult(st, hs, entry(1)) {
		t.Fatal("two failures in a row did not ask for a restart")
	}
	applyStartupResult(st, hs, entry(0))
	applyStartupResult(st, hs, entry(0))
	if !st.StartupPassed || st.Status != define.HealthStarting || st.FailingStreak != 0 {
		t.Errorf("after two passes: passed %v status %q streak %d", st.StartupPassed, st.Status, st.FailingStreak)
	}
	// Successes 0: any pass will do.
	hs.Startup.Successes = 0
	st = &define.HealthState{}
	applyStartupResult(st, hs, entry(0))
	if !st.StartupPassed {
		t.Error("Successes 0: one pass did not pass the startup check")
	}
}

func TestCappedBuffer(t *testing.T) {
	w := &cappedBuffer{max: 5}
	for _, s := range []string{"abc", "defgh", "ij"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if w.String() != "abcde" {
		t.Errorf("kept %q, want %q", w.String(), "abcde")
	}
	w = &cappedBuffer{}
	_, _ = w.Write([]byte(strings.Repeat("x", 1000)))
	if len(w.String()) != 1000 {
		t.Errorf("max 0 kept %d bytes, want 1000", len(w.String()))
	}
}

func TestHealthConfigArgv(t *testing.T) {
	for _, tc := range []struct {
		test []string
		want []string
	}{
		{[]string{"CMD", "/bin/check", "-x"}, []string{"/bin/check", "-x"}},
		{[]string{"CMD-SHELL", "curl -f localhost || exit 1"}, []string{"/bin/sh", "-c", "curl -f localhost || exit 1"}},
		{[]string{"NONE"}, nil},
		{nil, nil},
		{[]string{"CMD-SHELL"}, nil},
	} {
		h := &define.HealthConfig{Test: tc.test}
		if got := h.Argv(); !slices.Equal(got, tc.want) {
			t.Errorf("Argv(%q) = %q, want %q", tc.test, got, tc.want)
		}
	}
}

// TestSystemdDetection fakes /run/systemd/system: only where it is a
// directory does a container's check go to a systemd timer.
func TestSystemdDetection(t *testing.T) {
	old := systemdRunDir
	t.Cleanup(func() { systemdRunDir = old })
	dir := t.TempDir()
	systemdRunDir = filepath.Join(dir, "system")
	if systemdBooted() {
		t.Error("booted without the directory")
	}
	if err := os.WriteFile(systemdRunDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if systemdBooted() {
		t.Error("booted with a file in place of the directory")
	}
	_ = os.Remove(systemdRunDir)
	if err := os.Mkdir(systemdRunDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if !systemdBooted() {
		t.Error("not booted with the directory")
	}
}

func TestHealthTimerArgs(t *testing.T) {
	t.Setenv("PATH", "/usr/bin:/bin")
	got := healthTimerArgs("berth-healthcheck-abc", 1500*time.Millisecond, []string{"/usr/bin/berth", "--root", "/r", "healthcheck", "run", "abc"})
	want := []string{"--property", "LogLevelMax=notice", "--setenv=PATH=/usr/bin:/bin", "--unit", "berth-healthcheck-abc", "--on-unit-inactive=1.5s", "--timer-property=AccuracySec=1s", "--quiet",
		"/usr/bin/berth", "--root", "/r", "healthcheck", "run", "abc"}
	if !slices.Equal(got, want) {
		t.Errorf("healthTimerArgs = %q\nwant %q", got, want)
	}
}

func TestWithHealth(t *testing.T) {
	ok := &define.HealthSettings{Check: &define.HealthConfig{Test: []string{"CMD", "true"}, Interval: time.Second, Retries: 3}}
	for _, tc := range []struct {
		name    string
		mod     func(h *define.HealthSettings)
		wantErr bool
	}{
		{"valid", func(*define.HealthSettings) {}, false},
		{"bad action", func(h *define.HealthSettings) { h.OnFailure = "explode" }, true},
		{"negative interval", func(h *define.HealthSettings) { h.Check.Interval = -1 }, true},
		{"relative log dir", func(h *define.HealthSettings) { h.LogDestination = "logs" }, true},
		{"events logger", func(h *define.HealthSettings) { h.LogDestination = define.HealthLogEvents }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := *ok
			chk := *ok.Check
			h.Check = &chk
			tc.mod(&h)
			var cfg define.ContainerConfig
			err := WithHealth(&h)(&cfg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("WithHealth: err %v, want error %v", err, tc.wantErr)
			}
			if err == nil && cfg.Health == nil {
				t.Error("the healthcheck was not set")
			}
		})
	}
	var cfg define.ContainerConfig
	if err := WithHealth(&define.HealthSettings{Check: &define.HealthConfig{Test: []string{"NONE"}}})(&cfg); err != nil || cfg.Health != nil {
		t.Errorf("NONE: health %+v, err %v; want none", cfg.Health, err)
	}
}
