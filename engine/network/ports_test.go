package network

import (
	"errors"
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/berth-dev/berth/engine/define"
)

// A reserved TCP port refuses a second reservation, but a connection of
// an earlier server left in TIME_WAIT on it does not block the next one
// (a restart after a client was served).
func TestReservePortsTimeWait(t *testing.T) {
	files, ports, err := ReservePorts([]define.PortMapping{{HostIP: "127.0.0.1", Protocol: "tcp"}})
	if err != nil {
		t.Fatal(err)
	}
	port := ports[0].HostPort
	if _, _, err := ReservePorts(ports); !errors.Is(err, define.ErrPortInUse) {
		t.Fatalf("second reservation of a held port: %v", err)
	}
	CloseFiles(files)

	// A server that closes first leaves its side in TIME_WAIT.
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	<-done
	_, _ = io.Copy(io.Discard, c)
	c.Close()
	l.Close()
	files, _, err = ReservePorts(ports)
	if err != nil {
		t.Fatalf("reserving a port with only TIME_WAIT connections: %v", err)
	}
	CloseFiles(files)
}
