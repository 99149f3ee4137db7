package network

import (
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
	errCh := make(chan error, 1)
	go func() {
		// The thread enters the new namespace and never leaves it: it is
		// not unlocked, so the Go runtime ends it with this goroutine
		// instead of reusing a thread in the wrong namespace.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errCh <- fmt.Errorf("unshare network namespace: %w", err)
			return
		}
		if err := setLinkUp(1); err != nil { // lo is always index 1
			errCh <- fmt.Errorf("loopback up: %w", err)
			return
		}
		src := "/proc/self/task/" + strconv.Itoa(unix.Gettid()) + "/ns/net"
		if err := unix.Mount(src, path, "none", unix.MS_BIND, ""); err != nil {
			errCh <- fmt.Errorf("bind mount network namespace: %w", err)
			return
		}
		errCh <- nil
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
	errCh := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: see NewNetNS
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errCh <- err
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errCh <- fmt.Errorf("enter network namespace %s: %w", path, err)
			return
		}
		errCh <- fn()
	}()
	return <-errCh
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
