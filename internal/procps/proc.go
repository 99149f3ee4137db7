package procps

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times; Linux fixes it
// at 100 on every architecture berth runs on.
const clockTicks = 100

// proc is what /proc tells about one process.
type proc struct {
	pid, ppid, nsPID int
	uid, gid         uint32
	comm, args       string
	state            string
	ttyNr            int
	start            time.Time
	cpu              time.Duration
	vsize, rss       uint64
	nice             int
	seccomp          string
	caps             map[string]string
}

func readProc(pid int) (*proc, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return nil, err
	}
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return nil, err
	}
	cmdline, err := os.ReadFile(dir + "/cmdline")
	if err != nil {
		return nil, err
	}
	p := &proc{pid: pid, nsPID: pid, caps: map[string]string{}}
	comm, f, ok := splitStat(stat)
	if !ok || len(f) < 22 {
		return nil, fmt.Errorf("malformed %s/stat", dir)
	}
	p.comm = comm
	num := func(i int) uint64 { n, _ := strconv.ParseUint(f[i], 10, 64); return n }
	p.state = f[0]
	p.ppid = int(num(1))
	p.ttyNr = int(num(4))
	p.cpu = time.Duration(num(11)+num(12)) * time.Second / clockTicks
	p.nice, _ = strconv.Atoi(f[16])
	p.start = bootTime().Add(time.Duration(num(19)) * time.Second / clockTicks)
	p.vsize = num(20)
	p.rss = num(21)
	p.args = strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
	if p.args == "" {
		p.args = "[" + p.comm + "]"
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Uid":
			if fs := strings.Fields(v); len(fs) > 1 {
				n, _ := strconv.ParseUint(fs[1], 10, 32) // effective
				p.uid = uint32(n)
			}
		case "Gid":
			if fs := strings.Fields(v); len(fs) > 1 {
				n, _ := strconv.ParseUint(fs[1], 10, 32)
				p.gid = uint32(n)
			}
		case "NSpid":
			// The last number is the PID in the innermost namespace.
			if fs := strings.Fields(v); len(fs) > 0 {
				p.nsPID, _ = strconv.Atoi(fs[len(fs)-1])
			}
		case "Seccomp":
			p.seccomp = map[string]string{"0": "disabled", "1": "strict", "2": "filter"}[v]
		case "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb":
			p.caps[k] = capNames(v)
		}
	}
	return p, nil
}

// tty names the controlling terminal from tty_nr, "?" for none.
func (p *proc) tty() string {
	if p.ttyNr == 0 {
		return "?"
	}
	major := (p.ttyNr >> 8) & 0xfff
	minor := (p.ttyNr & 0xff) | ((p.ttyNr >> 12) & 0xfff00)
	switch {
	case major >= 136 && major <= 143:
		return "pts/" + strconv.Itoa(minor+(major-136)*256)
	case major == 4 && minor < 64:
		return "tty" + strconv.Itoa(minor)
	case major == 5 && minor == 1:
		return "console"
	}
	return "?"
}

// pcpu is the CPU time over the time since the process started, in
// percent with three decimals, as psgo prints it.
func (p *proc) pcpu(now time.Time) string {
	elapsed := now.Sub(p.start)
	if elapsed <= 0 {
		return "0.000"
	}
	return strconv.FormatFloat(float64(p.cpu)/float64(elapsed)*100, 'f', 3, 64)
}

// label is the process's security label ("?" without an LSM label).
func (p *proc) label() string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/attr/current")
	if err != nil {
		return "?"
	}
	s := strings.TrimRight(string(data), "\x00\n")
	if s == "" {
		return "?"
	}
	return s
}

var (
	bootOnce sync.Once
	boot     time.Time
)

// bootTime is the host's boot time, from btime in /proc/stat.
func bootTime() time.Time {
	bootOnce.Do(func() {
		data, err := os.ReadFile("/proc/stat")
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "btime "); ok {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				boot = time.Unix(n, 0)
			}
		}
	})
	return boot
}

// SystemCPUNanos is the host's CPU time (all CPUs, all modes) since boot,
// in nanoseconds, from /proc/stat's cpu line: docker's system_cpu_usage,
// against which a container's CPU share is computed.
func SystemCPUNanos() (uint64, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 2 || fields[0] != "cpu" {
		return 0, fmt.Errorf("/proc/stat: no cpu line")
	}
	var ticks uint64
	for _, f := range fields[1:] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %w", err)
		}
		ticks += n
	}
	return ticks * (1e9 / clockTicks), nil
}
