package cli

import (
	"fmt"
	"net"
	"os"

	"github.com/berth-dev/berth/service"
	"github.com/berth-dev/berth/spec"
	"github.com/spf13/pflag"
)

// unitFlags are the run flags systemd units use: --sdnotify (--replace
// and --cgroups are create's, cli/create_runopts.go and cli/create.go). It is
// registered only when the command has no flag of that name yet, and
// values are read back by name, so either registration works.
type unitFlags struct{ f *pflag.FlagSet }

// bindUnitFlags adds the unit flags to run or create.
func bindUnitFlags(f *pflag.FlagSet) *unitFlags {
	if f.Lookup("sdnotify") == nil {
		f.String("sdnotify", "ignore", "control sd-notify behavior (conmon or ignore)")
	}
	return &unitFlags{f: f}
}

func (u *unitFlags) value(name string) string { return u.f.Lookup(name).Value.String() }

// check refuses values berth does not implement.
func (u *unitFlags) check(detach bool) error {
	sdnotify := u.value("sdnotify")
	switch sdnotify {
	case "ignore":
	case "conmon":
		if !detach {
			// podman too: the READY message goes out once run -d
			// has started the container.
			return usageError("--sdnotify=conmon requires --detach")
		}
	case "container", "healthy":
		return usageError("--sdnotify=%s is not supported: use conmon or ignore", sdnotify)
	default:
		return usageError("invalid sdnotify value %q: must be conmon, container, healthy or ignore", sdnotify)
	}
	return nil
}

// notifyStarted tells systemd (NOTIFY_SOCKET) that the unit is ready and
// that conmon is its main process, as podman's --sdnotify=conmon does: berth
// exits after run -d, conmon stays and watches the container.
func (u *unitFlags) notifyStarted(c *service.Container) error {
	sock := os.Getenv("NOTIFY_SOCKET")
	if u.value("sdnotify") != "conmon" || sock == "" {
		return nil
	}
	st, err := c.State()
	if err != nil {
		return err
	}
	return sdNotify(sock, fmt.Sprintf("MAINPID=%d\nREADY=1\n", st.ConmonPID))
}

// sdNotify sends one datagram to systemd's notify socket (an abstract
// socket when the path starts with @).
func sdNotify(sock, msg string) error {
	if sock[0] == '@' {
		sock = "\x00" + sock[1:]
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd-notify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(msg)); err != nil {
		return fmt.Errorf("sd-notify: %w", err)
	}
	return nil
}

// labelUnit records the systemd unit a container is run by (generated
// units set $PODMAN_SYSTEMD_UNIT), which auto-update restarts.
func labelUnit(s *spec.ContainerSpec) {
	unit := os.Getenv(service.SystemdUnitLabel)
	if unit == "" {
		return
	}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	if _, ok := s.Labels[service.SystemdUnitLabel]; !ok {
		s.Labels[service.SystemdUnitLabel] = unit
	}
}
