package e2e

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// paRunAll runs fn(i) for i in [0,n) at the same time and waits for all.
func paRunAll(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

func TestParallelRunRm(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	const n = 8
	results := make([]Result, n)
	paRunAll(n, func(i int) {
		results[i] = env.Berth("run", "--rm", "--name", fmt.Sprintf("p%d", i), "busybox", "sh", "-c", fmt.Sprintf("echo out-%d; exit %d", i, i%3))
	})
	for i, r := range results {
		if r.Err != nil || r.ExitCode() != i%3 {
			t.Errorf("run %d: exit code %d, want %d:\n%s", i, r.ExitCode(), i%3, r)
			continue
		}
		if got := strings.TrimSpace(r.Stdout()); got != fmt.Sprintf("out-%d", i) {
			t.Errorf("run %d printed %q", i, got)
		}
		if strings.TrimSpace(r.Stderr()) != "" {
			t.Errorf("run %d: unexpected stderr:\n%s", i, r)
		}
	}
	paExpectNoContainers(t, env)

	// Detached ones at the same time, then removed at the same time.
	paRunAll(n, func(i int) {
		results[i] = env.Berth("run", "-d", "--name", fmt.Sprintf("d%d", i), "busybox", "sleep", "1000")
	})
	for i, r := range results {
		if r.ExitCode() != 0 {
			t.Errorf("run -d %d:\n%s", i, r)
		}
	}
	if names := paPsNames(t, env); len(names) != n {
		t.Errorf("ps -a lists %d containers, want %d: %v", len(names), n, names)
	}
	paRunAll(n, func(i int) {
		results[i] = env.Berth("rm", "-f", "-t", "0", fmt.Sprintf("d%d", i))
	})
	for i, r := range results {
		if r.ExitCode() != 0 {
			t.Errorf("rm -f %d:\n%s", i, r)
		}
	}
	paExpectNoContainers(t, env)
}

// TestParallelSameName: of several concurrent creates with one name,
// exactly one wins; the others get the name-in-use error.
func TestParallelSameName(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	const n = 6
	results := make([]Result, n)
	paRunAll(n, func(i int) {
		results[i] = env.Berth("create", "--name", "same", "busybox", "true")
	})
	var winners int
	for _, r := range results {
		switch {
		case r.ExitCode() == 0:
			winners++
		case r.ExitCode() == 125 && strings.Contains(r.Stderr(), "already in use"):
		default:
			t.Errorf("unexpected outcome:\n%s", r)
		}
	}
	if winners != 1 {
		t.Errorf("%d creates succeeded, want exactly 1", winners)
	}
	if names := paPsNames(t, env); !slices.Equal(names, []string{"same"}) {
		t.Errorf("ps -a: %v, want [same]", names)
	}
	// The rootfs comes with the first mount or start: exactly one then.
	if ids := paStorageContainers(t, env); len(ids) != 0 {
		t.Errorf("storage containers after create: %v, want none yet", ids)
	}
	env.MustBerth(t, "mount", "same")
	env.MustBerth(t, "umount", "same")
	if ids := paStorageContainers(t, env); len(ids) != 1 {
		t.Errorf("storage containers after mount: %v, want 1", ids)
	}
}

// TestParallelSameContainer hammers one container with stop/start/restart
// from several processes while others inspect and list it. Every command
// must succeed or fail with a documented state error, and the final state
// must be consistent and usable.
func TestParallelSameContainer(t *testing.T) {
	t.Parallel()
	env := paNewBusybox(t)
	id := env.MustBerth(t, "run", "-d", "--name", "shared", "busybox", "sleep", "1000")

	const workers, rounds = 6, 4
	var mu sync.Mutex
	var bad []string
	check := func(r Result) {
		ok := r.Err == nil && r.ExitCode() == 0
		// A documented state error, e.g. stopping while it is being
		// started by someone else.
		if !ok && r.Err == nil && r.ExitCode() == 125 && strings.Contains(r.Stderr(), "container state improper") {
			ok = true
		}
		if strings.Contains(r.Stderr(), "panic:") {
			ok = false
		}
		if !ok {
			mu.Lock()
			bad = append(bad, r.String())
			mu.Unlock()
		}
	}
	paRunAll(workers, func(w int) {
		for i := range rounds {
			switch w % 3 {
			case 0:
				check(env.Berth("stop", "-t", "0", "shared"))
				check(env.Berth("start", "shared"))
			case 1:
				if i%2 == 0 {
					check(env.Berth("restart", "-t", "0", "shared"))
				} else {
					check(env.Berth("start", "shared"))
				}
			case 2:
				r := env.Berth("inspect", "--format", "{{.ID}} {{.State.Status}}", "shared")
				check(r)
				if r.ExitCode() == 0 && !strings.HasPrefix(r.Stdout(), id+" ") {
					mu.Lock()
					bad = append(bad, "inspect printed a wrong ID:\n"+r.String())
					mu.Unlock()
				}
				r = env.Berth("ps", "-a", "--format", "{{.Names}}")
				check(r)
				if r.ExitCode() == 0 && strings.TrimSpace(r.Stdout()) != "shared" {
					mu.Lock()
					bad = append(bad, "ps -a did not list exactly shared:\n"+r.String())
					mu.Unlock()
				}
			}
		}
	})
	for _, b := range bad {
		t.Errorf("concurrent command failed:\n%s", b)
	}

	// The final state is consistent: running with a live process, or
	// exited with none.
	var st string
	var pid, conmon int
	fmt.Sscan(paInspect(t, env, "shared", "{{.State.Status}} {{.State.Pid}} {{.State.ConmonPid}}"), &st, &pid, &conmon)
	switch st {
	case "running":
		if !paPidAlive(pid) || !paPidAlive(conmon) {
			t.Errorf("status running but pid %d / conmon %d not alive", pid, conmon)
		}
	case "exited", "stopped":
		if pid != 0 {
			t.Errorf("status %s but pid %d", st, pid)
		}
	default:
		t.Errorf("final status %q, want running or exited", st)
	}
	// One conmon if running, none otherwise (once the exited ones are gone).
	want := 0
	if st == "running" {
		want = 1
	}
	WaitFor(t, paWaitTimeout, func() bool {
		var conmons int
		for _, p := range processesUnder(env.Dir) {
			if p.isConmon() {
				conmons++
			}
		}
		return conmons == want
	})
	// And it still works.
	env.MustBerth(t, "stop", "-t", "0", "shared")
	env.MustBerth(t, "start", "shared")
	if st := paStatus(env, "shared"); st != "running" {
		t.Errorf("after stop+start: %q, want running", st)
	}
	env.MustBerth(t, "rm", "-f", "-t", "0", "shared")
	paExpectNoContainers(t, env)
}
