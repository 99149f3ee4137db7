package e2e

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rmiBlockedOnFlock reports whether process pid waits for a flock (a
// "->" line of /proc/locks names the waiters).
func rmiBlockedOnFlock(pid int) bool {
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 5 && f[1] == "->" && f[2] == "FLOCK" && f[5] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

// rmi, with podman's words, refuses an image a created (never started)
// container uses, image prune keeps it, and rmi -f removes the container.
func TestRmiCreatedContainerMessage(t *testing.T) {
	env := paNewBusybox(t)
	id := env.MustBerth(t, "create", "--name", "user", "busybox", "true")
	r := env.Berth("rmi", "busybox")
	want := "Error: image used by " + id + ": image is in use by a container: consider listing external containers and force-removing image"
	if r.ExitCode() != 2 || strings.TrimSpace(r.Stderr()) != want {
		t.Errorf("rmi of an image a created container uses: want exit 2 and\n%s\ngot:\n%s", want, r)
	}
	env.MustBerth(t, "image", "prune", "-a", "-f")
	env.MustBerth(t, "image", "exists", "busybox")
	env.MustBerth(t, "rmi", "-f", "busybox")
	if names := paPsNames(t, env); len(names) != 0 {
		t.Errorf("ps -a after rmi -f = %v, want nothing", names)
	}
}

// A create that has looked its image up but not yet recorded the
// container keeps rmi from deleting the image: rmi waits and then finds
// the container. (Before, rmi saw no container and deleted the image,
// and the create then recorded a container without one.) The create is
// held between the two steps by reading its seccomp profile from a FIFO.
func TestRmiCreateRace(t *testing.T) {
	env := paNewBusybox(t)
	fifo := filepath.Join(env.TmpDir, "seccomp.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*DefaultTimeout)
	defer cancel()
	create := env.Command(ctx, "create", "--name", "racer", "--security-opt", "seccomp="+fifo, "busybox", "true")
	var createOut bytes.Buffer
	create.Stdout, create.Stderr = &createOut, &createOut
	if err := create.Start(); err != nil {
		t.Fatal(err)
	}
	// Opening the FIFO for writing returns once the create opened it to
	// read the profile: it has looked its image up by then.
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	rmi := env.Command(ctx, "rmi", "busybox")
	var rmiOut bytes.Buffer
	rmi.Stdout, rmi.Stderr = &rmiOut, &rmiOut
	if err := rmi.Start(); err != nil {
		t.Fatal(err)
	}
	rmiDone := make(chan error, 1)
	go func() { rmiDone <- rmi.Wait() }()
	// Let rmi get as far as it can: to its end, or to a wait for the lock.
	var rmiErr error
	finished := false
	WaitFor(t, DefaultTimeout, func() bool {
		select {
		case rmiErr = <-rmiDone:
			finished = true
			return true
		default:
			return rmiBlockedOnFlock(rmi.Process.Pid)
		}
	})
	if _, err := w.WriteString(`{"defaultAction": "SCMP_ACT_ALLOW"}`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	createErr := create.Wait()
	if !finished {
		select {
		case rmiErr = <-rmiDone:
		case <-time.After(DefaultTimeout):
			t.Fatal("rmi did not finish after the create")
		}
	}
	if createErr == nil && rmiErr == nil {
		t.Fatalf("create and rmi of its image both succeeded: the container has no image\ncreate: %s\nrmi: %s", createOut.String(), rmiOut.String())
	}
	if createErr != nil {
		t.Fatalf("create failed: %v\n%s", createErr, createOut.String())
	}
	if !strings.Contains(rmiOut.String(), "image is in use by a container") {
		t.Errorf("rmi after the create: %v\n%s", rmiErr, rmiOut.String())
	}
	env.MustBerth(t, "start", "--attach", "racer")
}
