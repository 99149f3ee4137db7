package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// cpDrained reports whether the reader of pipe w has read everything
// written to it so far.
func cpDrained(w *os.File) bool {
	n, err := unix.IoctlGetInt(int(w.Fd()), unix.TIOCINQ) // FIONREAD
	return err == nil && n == 0
}

// rm does not pull a container's root from under a copy in progress: rm
// refuses, rm -f stops it and leaves the removal to the end of the copy,
// which completes into the container's own root. (Before, rm deleted the
// rootfs the copy was writing to.) rm -v's wish outlives the wait: the
// removal the copy finishes takes the anonymous volume too.
func TestCpHoldsContainerAgainstRm(t *testing.T) {
	for _, running := range []bool{false, true} {
		t.Run(map[bool]string{false: "stopped", true: "running"}[running], func(t *testing.T) {
			env := paNewBusybox(t)
			if running {
				env.MustBerth(t, "run", "-d", "--name", "keep", "-v", "/anon", "busybox", "sleep", "1000")
			} else {
				env.MustBerth(t, "create", "--name", "keep", "-v", "/anon", "busybox", "true")
			}
			// A tar stream whose one file arrives in two halves: cp
			// reads the first and waits for the second meanwhile.
			body := bytes.Repeat([]byte("x"), 64<<10)
			var stream bytes.Buffer
			tw := tar.NewWriter(&stream)
			if err := tw.WriteHeader(&tar.Header{Name: "big", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(body); err != nil {
				t.Fatal(err)
			}
			if err := tw.Close(); err != nil {
				t.Fatal(err)
			}
			half := 512 + len(body)/2 // the header and half the file
			ctx, cancel := context.WithTimeout(context.Background(), 2*DefaultTimeout)
			defer cancel()
			cp := env.Command(ctx, "cp", "-", "keep:/tmp")
			pr, stdin, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cp.Stdin = pr
			var cpOut bytes.Buffer
			cp.Stdout, cp.Stderr = &cpOut, &cpOut
			if err := cp.Start(); err != nil {
				t.Fatal(err)
			}
			pr.Close()
			defer func() { stdin.Close(); _ = cp.Wait() }()
			if _, err := stdin.Write(stream.Bytes()[:half]); err != nil {
				t.Fatal(err)
			}
			// Once cp has read all of it, it is writing the file into the
			// container and waiting for the rest.
			WaitFor(t, DefaultTimeout, func() bool { return cpDrained(stdin) })

			r := env.Berth("rm", "keep")
			if r.ExitCode() != 2 || !strings.Contains(r.Stderr(), "copy (cp) into or out of the container is in progress") {
				t.Errorf("rm during a copy: want exit 2, copy in progress:\n%s", r)
			}
			r = env.Berth("rm", "-f", "-v", "-t", "0", "keep")
			if r.ExitCode() != 0 || strings.TrimSpace(r.Stdout()) != "keep" || !strings.Contains(r.Stderr(), "removed when the copy ends") {
				t.Errorf("rm -f during a copy: want success and a warning:\n%s", r)
			}
			if got := paPsStatus(t, env, "keep"); got != "Removal In Progress" {
				t.Errorf("ps -a status during the copy after rm -f = %q, want Removal In Progress", got)
			}

			// The copy completes, then removes the container.
			if _, err := stdin.Write(stream.Bytes()[half:]); err != nil {
				t.Fatal(err)
			}
			stdin.Close()
			if err := cp.Wait(); err != nil {
				t.Fatalf("cp after rm -f: %v\n%s", err, cpOut.String())
			}
			if names := paPsNames(t, env); len(names) != 0 {
				t.Errorf("ps -a after the copy ended = %v, want nothing", names)
			}
			if got := env.MustBerth(t, "volume", "ls", "-q"); got != "" {
				t.Errorf("volumes after rm -v finished by the copy: %q, want none", got)
			}
		})
	}
}
