package network

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// NewNetNS creates a network namespace with its loopback up and pins it
// by bind-mounting it onto path (a new empty file), the way `ip netns add`
// does. The namespace lives until RemoveNetNS, whatever happens to the
// processes that use it, so netavark can still tear it down after the
// container exited.
func NewNetNS(path string) (retErr error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o444)
	if err != nil {
		return fmt.Errorf("creating network namespace file: %w", err)
	}
	f.Close()
	defer func() {
		if retErr != nil {
			_ = os.Remove(path)
		}
	}()
	return onNetNSThread("", func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return fmt.Errorf("unshare network namespace: %w", err)
		}
		if err := setLinkUp(1); err != nil { // lo is always index 1
			return fmt.Errorf("loopback up: %w", err)
		}
		src := "/proc/self/task/" + strconv.Itoa(unix.Gettid()) + "/ns/net"
		if err := unix.Mount(src, path, "none", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("bind mount network namespace: %w", err)
		}
		return nil
	})
}

// PinNetNS pins the network namespace of process pid at path, for a
// namespace the OCI runtime made: one inside a container's own user
// namespace, which berth cannot make beforehand.
func PinNetNS(path string, pid int) (retErr error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o444)
	if err != nil {
		return fmt.Errorf("creating network namespace file: %w", err)
	}
	f.Close()
	if err := unix.Mount("/proc/"+strconv.Itoa(pid)+"/ns/net", path, "none", unix.MS_BIND, ""); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("bind mount network namespace of process %d: %w", pid, err)
	}
	return nil
}

// onNetNSThread runs fn on a locked thread, entering the namespace at path
// first unless path is "" (fn then makes its own), and puts the thread back
// in its own namespace afterwards. Only a thread that got back is unlocked
// for reuse; one that did not stays locked and the Go runtime ends it with
// the goroutine. Putting it back matters: the goroutine may run on the main
// thread, which the runtime cannot end and would park for good inside the
// container's namespace, keeping it (and its veth) alive as long as the
// process.
func onNetNSThread(path string, fn func() error) error {
	errCh := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/self/task/"+strconv.Itoa(unix.Gettid())+"/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errCh <- fmt.Errorf("opening this thread's network namespace: %w", err)
			return
		}
		defer unix.Close(orig)
		if path != "" {
			fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				runtime.UnlockOSThread()
				errCh <- err
				return
			}
			err = unix.Setns(fd, unix.CLONE_NEWNET)
			unix.Close(fd)
			if err != nil {
				runtime.UnlockOSThread() // still in its own namespace
				errCh <- fmt.Errorf("enter network namespace %s: %w", path, err)
				return
			}
		}
		err = fn()
		if unix.Setns(orig, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errCh <- err
	}()
	return <-errCh
}

// RemoveNetNS unmounts and deletes a namespace made by NewNetNS. A
// missing file is not an error.
func RemoveNetNS(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount network namespace %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// soleNetNS reports whether the namespace pinned at path is held by that
// pin alone: no process is in it (a `--network container:` joiner, an
// nsenter) and no other mount pins it. Only then does removing the pin
// destroy the namespace and its interfaces.
func soleNetNS(path string) bool {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return false
	}
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil || bytes.Count(mounts, []byte("net:["+strconv.FormatUint(st.Ino, 10)+"]")) > 1 {
		return false
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	for _, p := range procs {
		if p.Name()[0] < '0' || p.Name()[0] > '9' {
			continue
		}
		var ns unix.Stat_t
		if unix.Stat("/proc/"+p.Name()+"/ns/net", &ns) == nil && ns.Ino == st.Ino && ns.Dev == st.Dev {
			return false
		}
	}
	return true
}

// isNetNS reports whether path is a pinned network namespace.
func isNetNS(path string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false
	}
	return st.Type == unix.NSFS_MAGIC
}

// inNetNS runs fn on a thread inside the namespace at path.
func inNetNS(path string, fn func() error) error {
	return onNetNSThread(path, fn)
}

// Minimal rtnetlink: what the backend needs beyond netavark is to bring
// a loopback up, to create stand-in links and to delete a link.

func setLinkUp(index int32) error {
	msg := ifinfo(index, unix.IFF_UP, unix.IFF_UP)
	return rtnl(unix.RTM_NEWLINK, 0, msg)
}

// addStandInLink creates an interface called name in the current
// namespace: one end of a veth pair whose other end is peer (veth is
// always there where netavark works; the dummy driver may not be).
func addStandInLink(name, peer string) error {
	return addVeth(name, peer, 0)
}

// addVeth creates the veth pair name/peer, name enslaved to the interface
// with index master when that is not 0. Both ends stay down.
func addVeth(name, peer string, master int) error {
	const vethInfoPeer = 1
	peerMsg := append(ifinfo(0, 0, 0), rtattr(unix.IFLA_IFNAME, append([]byte(peer), 0))...)
	info := append(rtattr(unix.IFLA_INFO_KIND, []byte("veth")), rtattr(unix.IFLA_INFO_DATA, rtattr(vethInfoPeer, peerMsg))...)
	msg := ifinfo(0, 0, 0)
	msg = append(msg, rtattr(unix.IFLA_IFNAME, append([]byte(name), 0))...)
	if master != 0 {
		msg = append(msg, rtattr(unix.IFLA_MASTER, binary.NativeEndian.AppendUint32(nil, uint32(master)))...)
	}
	msg = append(msg, rtattr(unix.IFLA_LINKINFO, info)...)
	return rtnl(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL, msg)
}

// setMaster enslaves the interface with index link to master.
func setMaster(link, master int) error {
	msg := append(ifinfo(int32(link), 0, 0), rtattr(unix.IFLA_MASTER, binary.NativeEndian.AppendUint32(nil, uint32(master)))...)
	return rtnl(unix.RTM_NEWLINK, 0, msg)
}

// flushAddrs deletes every address of the current namespace but the
// loopback's: cheap (no RCU grace period, unlike deleting a link), and an
// interface without addresses answers no ARP or neighbour solicitation for
// them, whoever still holds the namespace.
func flushAddrs() error {
	rib, err := syscall.NetlinkRIB(unix.RTM_GETADDR, unix.AF_UNSPEC)
	if err != nil {
		return fmt.Errorf("listing addresses: %w", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return fmt.Errorf("listing addresses: %w", err)
	}
	var errs []error
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
			continue
		}
		if binary.NativeEndian.Uint32(m.Data[4:8]) == 1 { // lo
			continue
		}
		// The address message as listed names the address to delete.
		err := rtnl(unix.RTM_DELADDR, 0, m.Data)
		if err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			errs = append(errs, fmt.Errorf("deleting an address: %w", err))
		}
	}
	return errors.Join(errs...)
}

// link is what listLinks tells of one interface of the current namespace.
type link struct {
	name          string
	index, master int // master is 0 when the link has none
}

// listLinks lists the interfaces of the calling thread's namespace with
// their masters. Netlink, not /sys/class/net: sysfs shows the namespace it
// was mounted in, which is not berth's after `unshare --net`.
func listLinks() ([]link, error) {
	rib, err := syscall.NetlinkRIB(unix.RTM_GETLINK, unix.AF_UNSPEC)
	if err != nil {
		return nil, fmt.Errorf("listing interfaces: %w", err)
	}
	msgs, err := syscall.ParseNetlinkMessage(rib)
	if err != nil {
		return nil, fmt.Errorf("listing interfaces: %w", err)
	}
	var out []link
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
			continue
		}
		l := link{index: int(int32(binary.NativeEndian.Uint32(m.Data[4:8])))}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			return nil, fmt.Errorf("listing interfaces: %w", err)
		}
		for _, a := range attrs {
			switch a.Attr.Type {
			case unix.IFLA_IFNAME:
				l.name = unix.ByteSliceToString(a.Value)
			case unix.IFLA_MASTER:
				if len(a.Value) >= 4 {
					l.master = int(binary.NativeEndian.Uint32(a.Value))
				}
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// deleteLink removes a host interface by name; a missing one is fine.
func deleteLink(name string) error {
	if name == "" {
		return nil
	}
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return nil
	}
	err = rtnl(unix.RTM_DELLINK, 0, ifinfo(int32(ifc.Index), 0, 0))
	if errors.Is(err, unix.ENODEV) {
		return nil
	}
	return err
}

func ifinfo(index int32, flags, change uint32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	binary.NativeEndian.PutUint32(b[8:], flags)
	binary.NativeEndian.PutUint32(b[12:], change)
	return b
}

func rtattr(typ uint16, data []byte) []byte {
	l := unix.SizeofRtAttr + len(data)
	b := make([]byte, (l+3)&^3)
	binary.NativeEndian.PutUint16(b[0:], uint16(l))
	binary.NativeEndian.PutUint16(b[2:], typ)
	copy(b[unix.SizeofRtAttr:], data)
	return b
}

// rtnl sends one request on a NETLINK_ROUTE socket and waits for its ack.
func rtnl(typ uint16, flags uint16, payload []byte) error {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	msg := make([]byte, unix.NLMSG_HDRLEN, unix.NLMSG_HDRLEN+len(payload))
	binary.NativeEndian.PutUint32(msg[0:], uint32(unix.NLMSG_HDRLEN+len(payload)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK|flags)
	binary.NativeEndian.PutUint32(msg[8:], 1)
	msg = append(msg, payload...)
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	buf := make([]byte, 8192)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return err
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Header.Type == unix.NLMSG_ERROR && len(m.Data) >= 4 {
				if code := int32(binary.NativeEndian.Uint32(m.Data[:4])); code != 0 {
					return unix.Errno(-code)
				}
				return nil
			}
		}
	}
}
