// Package procps formats the processes of a container as `top` shows them,
// with podman's (psgo's) AIX-style descriptors: `berth top ctr pid user
// args`. It reads /proc of the host; user and group names come from the
// container's own /etc/passwd and /etc/group, read inside its root.
package procps

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/berth-dev/berth/internal/rootcopy"
	"github.com/moby/sys/capability"
	"golang.org/x/sys/unix"
)

// DefaultDescriptors are the columns of a bare `top`, as podman's.
var DefaultDescriptors = []string{"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"}

// descriptor is one column: its header and how to render a process.
type descriptor struct {
	header string
	render func(p *proc, ctx *context) string
}

var descriptors = map[string]descriptor{
	"pid":     {"PID", func(p *proc, _ *context) string { return strconv.Itoa(p.nsPID) }},
	"ppid":    {"PPID", func(p *proc, c *context) string { return strconv.Itoa(c.nsPIDOf(p.ppid)) }},
	"user":    {"USER", func(p *proc, c *context) string { return c.userName(p.uid) }},
	"group":   {"GROUP", func(p *proc, c *context) string { return c.groupName(p.gid) }},
	"args":    {"COMMAND", func(p *proc, _ *context) string { return p.args }},
	"comm":    {"COMMAND", func(p *proc, _ *context) string { return p.comm }},
	"etime":   {"ELAPSED", func(p *proc, c *context) string { return c.now.Sub(p.start).String() }},
	"time":    {"TIME", func(p *proc, _ *context) string { return p.cpu.String() }},
	"tty":     {"TTY", func(p *proc, _ *context) string { return p.tty() }},
	"vsz":     {"VSZ", func(p *proc, _ *context) string { return strconv.FormatUint(p.vsize/1024, 10) }},
	"rss":     {"RSS", func(p *proc, _ *context) string { return strconv.FormatUint(p.rss*uint64(os.Getpagesize())/1024, 10) }},
	"pcpu":    {"%CPU", func(p *proc, c *context) string { return p.pcpu(c.now) }},
	"nice":    {"NI", func(p *proc, _ *context) string { return strconv.Itoa(p.nice) }},
	"huser":   {"HUSER", func(p *proc, _ *context) string { return hostUser(p.uid) }},
	"hgroup":  {"HGROUP", func(p *proc, _ *context) string { return hostGroup(p.gid) }},
	"hpid":    {"HPID", func(p *proc, _ *context) string { return strconv.Itoa(p.pid) }},
	"hppid":   {"HPPID", func(p *proc, _ *context) string { return strconv.Itoa(p.ppid) }},
	"stime":   {"STIME", func(p *proc, _ *context) string { return p.start.Format("2006-01-02 15:04:05 -0700 MST") }},
	"state":   {"STATE", func(p *proc, _ *context) string { return p.state }},
	"seccomp": {"SECCOMP", func(p *proc, _ *context) string { return p.seccomp }},
	"label":   {"LABEL", func(p *proc, _ *context) string { return p.label() }},
	"capeff":  {"EFFECTIVE CAPS", func(p *proc, _ *context) string { return p.caps["CapEff"] }},
	"capprm":  {"PERMITTED CAPS", func(p *proc, _ *context) string { return p.caps["CapPrm"] }},
	"capinh":  {"INHERITED CAPS", func(p *proc, _ *context) string { return p.caps["CapInh"] }},
	"capbnd":  {"BOUNDING CAPS", func(p *proc, _ *context) string { return p.caps["CapBnd"] }},
	"capamb":  {"AMBIENT CAPS", func(p *proc, _ *context) string { return p.caps["CapAmb"] }},
}

// psAliases maps ps(1) -o field names to descriptors, for `top ctr -eo
// pid,comm`.
var psAliases = map[string]string{
	"pid": "pid", "ppid": "ppid", "user": "user", "euser": "user", "uname": "user", "group": "group", "egroup": "group",
	"args": "args", "command": "args", "cmd": "args", "comm": "comm", "ucomm": "comm", "ucmd": "comm",
	"etime": "etime", "time": "time", "cputime": "time", "tty": "tty", "tt": "tty", "vsz": "vsz", "vsize": "vsz",
	"rss": "rss", "rssize": "rss", "pcpu": "pcpu", "%cpu": "pcpu", "c": "pcpu", "nice": "nice", "ni": "nice",
	"stime": "stime", "start": "stime", "state": "state", "stat": "state", "s": "state", "label": "label",
}

// Descriptors turns top's arguments into descriptors: none gives the
// default; words are psgo descriptors ("pid user args", commas allowed);
// arguments starting with "-" are ps options (-e, -A, -f, -o LIST).
func Descriptors(args []string) ([]string, error) {
	if len(args) == 0 {
		return DefaultDescriptors, nil
	}
	if strings.HasPrefix(args[0], "-") {
		return psOptions(args)
	}
	var out []string
	for _, a := range args {
		for _, d := range strings.Split(a, ",") {
			d = strings.TrimSpace(d)
			if d == "" {
				continue
			}
			if _, ok := descriptors[d]; !ok {
				return nil, fmt.Errorf("unknown descriptor: %s", d)
			}
			out = append(out, d)
		}
	}
	return out, nil
}

func psOptions(args []string) ([]string, error) {
	var out []string
	full := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return nil, fmt.Errorf("unsupported ps argument %q", a)
		}
		flags := a[1:]
		for j := 0; j < len(flags); j++ {
			switch flags[j] {
			case 'e', 'A', 'a', 'x':
				// every process of the container is always listed
			case 'f':
				full = true
			case 'o':
				list := flags[j+1:]
				if list == "" {
					if i+1 >= len(args) {
						return nil, errors.New("ps option -o needs a list of fields")
					}
					i++
					list = args[i]
				}
				for _, f := range strings.Split(list, ",") {
					name, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(f)), "=")
					d, ok := psAliases[name]
					if !ok {
						return nil, fmt.Errorf("unknown ps field %q", f)
					}
					out = append(out, d)
				}
				j = len(flags)
			default:
				return nil, fmt.Errorf("unsupported ps option -%c", flags[j])
			}
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if full {
		return []string{"user", "pid", "ppid", "pcpu", "stime", "tty", "time", "args"}, nil
	}
	return []string{"pid", "tty", "time", "comm"}, nil
}

// Headers returns the column headers of the descriptors.
func Headers(descs []string) []string {
	out := make([]string, len(descs))
	for i, d := range descs {
		out[i] = descriptors[d].header
	}
	return out
}

// Table renders the processes pids (host PIDs) with the descriptors.
// root is the container's root (/proc/PID/root) for user and group names.
// Processes that exit while being read are skipped.
func Table(pids []int, descs []string, root string) ([][]string, error) {
	ctx := &context{now: time.Now(), root: root, nsPIDs: map[int]int{}}
	var procs []*proc
	for _, pid := range pids {
		p, err := readProc(pid)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, unix.ESRCH) {
				continue
			}
			return nil, err
		}
		ctx.nsPIDs[p.pid] = p.nsPID
		procs = append(procs, p)
	}
	sort.Slice(procs, func(i, j int) bool { return procs[i].nsPID < procs[j].nsPID })
	rows := make([][]string, 0, len(procs))
	for _, p := range procs {
		row := make([]string, len(descs))
		for i, d := range descs {
			row[i] = descriptors[d].render(p, ctx)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// context is what rendering needs beyond one process.
type context struct {
	now    time.Time
	root   string
	nsPIDs map[int]int // host PID -> PID in the container
	users  map[uint32]string
	groups map[uint32]string
}

// nsPIDOf maps a host PID to the container's numbering; a parent outside
// the container (conmon) is 0, as in ps.
func (c *context) nsPIDOf(hostPID int) int { return c.nsPIDs[hostPID] }

func (c *context) userName(uid uint32) string {
	if c.users == nil {
		c.users = readIDNames(c.root, "/etc/passwd")
	}
	if n, ok := c.users[uid]; ok {
		return n
	}
	return strconv.FormatUint(uint64(uid), 10)
}

func (c *context) groupName(gid uint32) string {
	if c.groups == nil {
		c.groups = readIDNames(c.root, "/etc/group")
	}
	if n, ok := c.groups[gid]; ok {
		return n
	}
	return strconv.FormatUint(uint64(gid), 10)
}

// readIDNames reads "name:x:id:..." lines of a file inside root. A file
// that cannot be read (missing, a FIFO, a device, huge) gives no names:
// top then shows numeric IDs.
func readIDNames(root, file string) map[uint32]string {
	out := map[uint32]string{}
	data, err := rootcopy.ReadFile(root, file, 10<<20)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.Split(line, ":")
		if len(parts) < 3 {
			continue
		}
		if id, err := strconv.ParseUint(parts[2], 10, 32); err == nil {
			if _, dup := out[uint32(id)]; !dup {
				out[uint32(id)] = parts[0]
			}
		}
	}
	return out
}

func hostUser(uid uint32) string {
	if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
		return u.Username
	}
	return strconv.FormatUint(uint64(uid), 10)
}

func hostGroup(gid uint32) string {
	if g, err := user.LookupGroupId(strconv.FormatUint(uint64(gid), 10)); err == nil {
		return g.Name
	}
	return strconv.FormatUint(uint64(gid), 10)
}

// capNames renders a capability mask as podman does: "full" for all,
// "none" for none, else the sorted names.
func capNames(hex string) string {
	mask, err := strconv.ParseUint(hex, 16, 64)
	if err != nil {
		return "?"
	}
	if mask == 0 {
		return "none"
	}
	all := true
	var names []string
	for _, c := range capability.ListKnown() {
		if mask&(1<<uint(c)) != 0 {
			names = append(names, strings.ToUpper(c.String()))
		} else {
			all = false
		}
	}
	if all {
		return "full"
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}
