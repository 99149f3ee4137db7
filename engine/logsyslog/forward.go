package logsyslog

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"go.podman.io/storage/pkg/reexec"
	"golang.org/x/sys/unix"
)

const forwarderName = "berth-syslog"

func init() { reexec.Register(forwarderName, forwarderMain) }

// forwardConfig is the forwarder's command line (JSON); the connection,
// stdout's and stderr's read ends are its fds 3, 4 and 5.
type forwardConfig struct {
	Config
	Tag string `json:"tag"`
}

// maxLine is where a line without a newline is cut into a message of
// its own, as docker cuts its 16 KiB partial messages.
const maxLine = 16 << 10

// Start connects to the server, starts the forwarder for a container
// whose messages carry tag, and returns the write ends of the
// container's stdout and stderr, for conmon. The caller closes them once
// conmon has them: the forwarder ends when every copy is closed.
func Start(c Config, tag string) (stdout, stderr *os.File, retErr error) {
	conn, err := c.Dial()
	if err != nil {
		return nil, nil, err
	}
	connFile, err := conn.(interface{ File() (*os.File, error) }).File()
	conn.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("log driver syslog: %w", err)
	}
	defer connFile.Close()
	arg, err := json.Marshal(forwardConfig{Config: c, Tag: tag})
	if err != nil {
		return nil, nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	defer outR.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		outW.Close()
		return nil, nil, err
	}
	defer errR.Close()
	cmd := reexec.Command(forwarderName, string(arg))
	cmd.ExtraFiles = []*os.File{connFile, outR, errR}
	// Its own session: no terminal signal reaches it; it ends on EOF.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		outW.Close()
		errW.Close()
		return nil, nil, fmt.Errorf("log driver syslog: starting the forwarder: %w", err)
	}
	// Reaped by whoever outlives it (init, or a long-lived API service).
	go func() { _ = cmd.Wait() }()
	return outW, errW, nil
}

// forwarderMain is the forwarder process: each line of the container's
// stdout is a message of severity info, of stderr one of severity err
// (docker's), sent until both reach EOF.
func forwarderMain() {
	if name, err := unix.BytePtrFromString("syslog-fwd"); err == nil {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(name)), 0, 0, 0)
	}
	signal.Ignore(unix.SIGHUP, unix.SIGINT, unix.SIGPIPE, unix.SIGQUIT)
	var cfg forwardConfig
	if len(os.Args) != 2 || json.Unmarshal([]byte(os.Args[1]), &cfg) != nil {
		fmt.Fprintln(os.Stderr, "usage: "+forwarderName+" CONFIG")
		os.Exit(2)
	}
	conn, err := net.FileConn(os.NewFile(3, "syslog"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := &sender{cfg: cfg, conn: conn, pid: os.Getpid()}
	s.hostname, _ = os.Hostname()
	var wg sync.WaitGroup
	for i, sev := range []int{6, 3} { // LOG_INFO, LOG_ERR
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.forward(os.NewFile(uintptr(4+i), "stream"), sev)
		}()
	}
	wg.Wait()
	s.conn.Close()
}

// sender writes messages to one connection, one at a time.
type sender struct {
	mu       sync.Mutex
	cfg      forwardConfig
	conn     net.Conn
	hostname string
	pid      int
}

// forward sends every line read from r.
func (s *sender) forward(r io.Reader, severity int) {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			s.send(severity, string(line))
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return
		}
	}
}

// send writes one message; a stream connection that broke is dialed
// again once, as docker's syslog writer does. A datagram lost for want
// of a listener is lost, as with any syslog over UDP.
func (s *sender) send(severity int, content string) {
	msg := Format(s.cfg.Format, s.cfg.Facility<<3|severity, time.Now(), s.hostname, s.cfg.Tag, s.pid, content)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.WriteString(s.conn, msg); err == nil || s.cfg.Network == "udp" || s.cfg.Network == "unixgram" {
		return
	}
	if conn, err := s.cfg.Dial(); err == nil {
		s.conn.Close()
		s.conn = conn
		_, _ = io.WriteString(s.conn, msg)
	}
}

// Format is one message as docker's syslog driver writes it, newline
// included: rfc3164 with the hostname, rfc5424 with APP-NAME and MSGID
// the tag, and by default rfc3164 without the hostname.
func Format(format string, prio int, now time.Time, hostname, tag string, pid int, content string) string {
	switch format {
	case "rfc3164":
		return fmt.Sprintf("<%d>%s %s %s[%d]: %s\n", prio, now.Format(time.Stamp), hostname, tag, pid, content)
	case "rfc5424":
		return fmt.Sprintf("<%d>1 %s %s %s %d %s - %s\n", prio, now.Format(time.RFC3339), hostname, tag, pid, tag, content)
	case "rfc5424micro":
		return fmt.Sprintf("<%d>1 %s %s %s %d %s - %s\n", prio, now.Format("2006-01-02T15:04:05.000000Z07:00"), hostname, tag, pid, tag, content)
	}
	return fmt.Sprintf("<%d>%s %s[%d]: %s\n", prio, now.Format(time.Stamp), tag, pid, content)
}
