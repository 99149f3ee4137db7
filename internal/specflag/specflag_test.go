package specflag

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/berth-dev/berth/internal/errdefs"
	"github.com/berth-dev/berth/spec"
)

// checkErr reports a missing error, one without want in its text, or one
// outside the invalid-argument category.
func checkErr(t *testing.T, in string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) || !errdefs.IsInvalidArgument(err) {
		t.Errorf("%q: error %v, want an invalid argument with %q", in, err, want)
	}
}

func TestScalars(t *testing.T) {
	if sig, err := Signal("KILL"); err != nil || sig != syscall.SIGKILL {
		t.Errorf("Signal(KILL) = %v, %v", sig, err)
	}
	_, err := Signal("SIGNOPE")
	checkErr(t, "SIGNOPE", err, "--stop-signal: invalid signal: SIGNOPE")

	for in, want := range map[string]spec.RestartPolicy{
		"": {Name: "no"}, "no": {Name: "no"}, "always": {Name: "always"}, "unless-stopped": {Name: "unless-stopped"},
		"on-failure": {Name: "on-failure"}, "on-failure:5": {Name: "on-failure", MaxRetries: 5},
	} {
		if got, err := Restart(in); err != nil || got != want {
			t.Errorf("Restart(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"on-failure:-1": `--restart "on-failure:-1": retry count must be a non-negative integer`,
		"on-failure:x":  "retry count",
		"always:2":      `--restart "always:2": retries are only allowed with the on-failure policy`,
		":3":            "policy must be one of no, always, on-failure[:N], unless-stopped",
		"sometimes":     `--restart "sometimes": policy must be one of`,
	} {
		_, err := Restart(in)
		checkErr(t, in, err, want)
	}

	if n, err := ShmSize("128m"); err != nil || n != 128<<20 {
		t.Errorf("ShmSize(128m) = %d, %v", n, err)
	}
	_, err = ShmSize("lots")
	checkErr(t, "lots", err, `--shm-size "lots": must be a positive size such as 64m`)
	if n, err := Memory("512m"); err != nil || n != 512<<20 {
		t.Errorf("Memory(512m) = %d, %v", n, err)
	}
	_, err = Memory("1x")
	checkErr(t, "1x", err, `--memory "1x": must be a positive size such as 512m`)
	_, err = Memory("1k")
	checkErr(t, "1k", err, `--memory "1k": minimum memory limit is 6MB`)
}

func TestMemorySwap(t *testing.T) {
	for _, tt := range []struct {
		swap, mem string
		memBytes  int64
		want      int64
		wantErr   string
	}{
		{"-1", "", 0, 0, ""},
		{"-1", "1g", 1 << 30, -1, ""},
		{"2g", "1g", 1 << 30, 2 << 30, ""},
		{"1g", "", 0, 0, `--memory-swap "1g": needs --memory as well`},
		{"512m", "1g", 1 << 30, 0, `--memory-swap "512m": must be at least --memory "1g" (it is memory plus swap)`},
		{"0", "1g", 1 << 30, 0, "must be -1 or a positive size"},
		{"-2", "1g", 1 << 30, 0, "must be -1 or a positive size"},
	} {
		got, err := MemorySwap(tt.swap, tt.mem, tt.memBytes)
		if tt.wantErr != "" {
			checkErr(t, tt.swap, err, tt.wantErr)
		} else if err != nil || got != tt.want {
			t.Errorf("MemorySwap(%q, %q) = %d, %v; want %d", tt.swap, tt.mem, got, err, tt.want)
		}
	}
}

func TestCPUs(t *testing.T) {
	const rangeErr = "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
	for _, tt := range []struct {
		in      string
		want    int64
		wantErr string
	}{
		{"1.5", 1.5e9, ""}, {"2", 2e9, ""}, {"0.01", 1e7, ""}, {"0", 0, ""}, {"0.0", 0, ""},
		{"2.01", 0, rangeErr}, {"3", 0, rangeErr},
		// 1e15 CPUs once overflowed the quota and was called "too small".
		{"1e15", 0, rangeErr}, {"1e300", 0, rangeErr}, {"-1", 0, rangeErr}, {"-0.5", 0, rangeErr}, {"0.001", 0, rangeErr},
		{"NaN", 0, "must be a number"}, {"Inf", 0, "must be a number"}, {"-Inf", 0, "must be a number"},
		{"two", 0, "must be a number"}, {"", 0, "must be a number"},
	} {
		got, err := cpus(tt.in, 2)
		if tt.wantErr == "" {
			if err != nil || got != tt.want {
				t.Errorf("cpus(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
			continue
		}
		checkErr(t, tt.in, err, `--cpus "`+tt.in+`": `+tt.wantErr)
	}
}

func TestUlimitSysctlDevice(t *testing.T) {
	for in, want := range map[string]spec.Ulimit{
		"nofile=1024:2048":   {Name: "nofile", Soft: 1024, Hard: 2048},
		"core=-1":            {Name: "core", Soft: -1, Hard: -1},
		"stack=8192":         {Name: "stack", Soft: 8192, Hard: 8192},
		"nproc=10:unlimited": {Name: "nproc", Soft: 10, Hard: -1},
	} {
		if got, err := Ulimit(in); err != nil || got != want {
			t.Errorf("Ulimit(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"bogus=1":    `--ulimit "bogus=1": must be NAME=SOFT[:HARD] with NAME one of core`,
		"nofile":     `--ulimit "nofile": must be NAME=SOFT[:HARD]`,
		"nofile=abc": `--ulimit "nofile=abc": limits must be numbers, -1 or unlimited`,
		"nproc=10:5": `--ulimit "nproc=10:5": soft limit 10 is above the hard limit 5`,
		"nproc=-1:5": "soft limit -1 is above the hard limit 5",
	} {
		_, err := Ulimit(in)
		checkErr(t, in, err, want)
	}

	got, err := Sysctls([]string{"net.core.somaxconn=1024", "kernel.shmmax=1=2"})
	if want := map[string]string{"net.core.somaxconn": "1024", "kernel.shmmax": "1=2"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Sysctls = %v, %v", got, err)
	}
	_, err = Sysctls([]string{"kernel.sem"})
	checkErr(t, "kernel.sem", err, `--sysctl "kernel.sem": must be KEY=VALUE`)
	_, err = Sysctls([]string{"=1"})
	checkErr(t, "=1", err, "KEY=VALUE")

	for in, want := range map[string]spec.Device{
		"/dev/null":           {Source: "/dev/null"},
		"/dev/null:r":         {Source: "/dev/null", Permissions: "r"},
		"/dev/null:/dev/n":    {Source: "/dev/null", Destination: "/dev/n"},
		"/dev/null:/dev/n:rw": {Source: "/dev/null", Destination: "/dev/n", Permissions: "rw"},
	} {
		if got, err := Device(in); err != nil || got != want {
			t.Errorf("Device(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"/dev/null:/dev/n:rwx": `--device "/dev/null:/dev/n:rwx": permissions "rwx" must be a combination of r, w and m`,
		"a:b:c:d":              "must be HOST[:CONTAINER[:PERMISSIONS]]",
		"dev/null":             `--device "dev/null": paths must be absolute`,
	} {
		_, err := Device(in)
		checkErr(t, in, err, want)
	}
}

func TestPorts(t *testing.T) {
	pm := func(ip string, host, ctr uint16, proto string, rng uint16) spec.PortMapping {
		return spec.PortMapping{HostIP: ip, HostPort: host, ContainerPort: ctr, Protocol: proto, Range: rng}
	}
	for _, c := range []struct {
		in   string
		want []spec.PortMapping
	}{
		{"80", []spec.PortMapping{pm("", 0, 80, "tcp", 0)}},
		{"8080:80", []spec.PortMapping{pm("", 8080, 80, "tcp", 0)}},
		{"127.0.0.1:8080:80", []spec.PortMapping{pm("127.0.0.1", 8080, 80, "tcp", 0)}},
		{"0.0.0.0:8080:80", []spec.PortMapping{pm("", 8080, 80, "tcp", 0)}},
		{"127.0.0.1::80", []spec.PortMapping{pm("127.0.0.1", 0, 80, "tcp", 0)}},
		{"8080:80/udp", []spec.PortMapping{pm("", 8080, 80, "udp", 0)}},
		{"8080:80/tcp,udp", []spec.PortMapping{pm("", 8080, 80, "tcp", 0), pm("", 8080, 80, "udp", 0)}},
		{"8000-8010:9000-9010", []spec.PortMapping{pm("", 8000, 9000, "tcp", 11)}},
		{"90-91", []spec.PortMapping{pm("", 0, 90, "tcp", 2)}},
		{"[::1]:8080:80", []spec.PortMapping{pm("::1", 8080, 80, "tcp", 0)}},
	} {
		got, err := Publish(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Publish(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for in, want := range map[string]string{
		"":             "invalid container port",
		"x":            "invalid container port x",
		"0":            "invalid container port 0",
		"70000":        "invalid container port 70000",
		"1:2:3:4":      "too many colons",
		"8000-8001:80": "host and container port ranges differ in length",
		"80/icmp":      `-p "80/icmp": unknown protocol icmp (forms: [[IP:][HOSTPORT]:]CONTAINERPORT[/PROTOCOL], ports may be ranges)`,
		"1.2.3:80:80":  "host IP 1.2.3 is not an IP address",
		"[::1:80:80":   "unterminated IPv6 address",
		"65535-65536":  "invalid container port",
	} {
		_, err := Publish(in)
		checkErr(t, in, err, want)
	}
	if e, err := Expose("8000-8002/udp"); err != nil || e != (spec.ExposedPort{Port: 8000, Range: 3, Protocol: "udp"}) {
		t.Errorf("Expose = %+v, %v", e, err)
	}
	_, err := Expose("80/icmp")
	checkErr(t, "80/icmp", err, `--expose "80/icmp": must be PORT[-END][/tcp|udp|sctp]`)
}

func TestMounts(t *testing.T) {
	wd, _ := os.Getwd()
	for _, c := range []struct {
		in    string
		parse func(string) (spec.Mount, error)
		want  spec.Mount
	}{
		{"/src:/dst", Volume, spec.Mount{Type: "bind", Source: "/src", Destination: "/dst"}},
		{"/src/../x:/dst/:ro,z,rshared,nosuid,U", Volume, spec.Mount{Type: "bind", Source: "/x", Destination: "/dst", ReadOnly: true, Propagation: "rshared", Options: []string{"nosuid"}, Chown: true}},
		{".:/rel", Volume, spec.Mount{Type: "bind", Source: wd, Destination: "/rel"}},
		{"vol:/v:nocopy,copy,rw", Volume, spec.Mount{Type: "volume", Source: "vol", Destination: "/v", NoCopy: true, Options: []string{"copy"}}},
		{"/anon", Volume, spec.Mount{Type: "volume", Destination: "/anon"}},
		{"/anon:ro", Volume, spec.Mount{Type: "volume", Destination: "/anon", ReadOnly: true}},
		{"/src:/o:O,upperdir=/u,workdir=/w", Volume, spec.Mount{Type: "bind", Source: "/src", Destination: "/o", Overlay: true, UpperDir: "/u", WorkDir: "/w"}},
		{"type=bind,src=/s,dst=/d,readonly,bind-propagation=shared,bind-nonrecursive=true,U=true", Mount,
			spec.Mount{Type: "bind", Source: "/s", Destination: "/d", ReadOnly: true, Propagation: "shared", NonRecursive: true, Chown: true}},
		{"type=volume,source=m,target=/v2,volume-nocopy,volume-opt=type=tmpfs,volume-opt=device=tmpfs", Mount,
			spec.Mount{Type: "volume", Source: "m", Destination: "/v2", NoCopy: true, VolumeOptions: map[string]string{"type": "tmpfs", "device": "tmpfs"}}},
		{"type=tmpfs,target=/c,tmpfs-size=1m,tmpfs-mode=1770,ro=true", Mount, spec.Mount{Type: "tmpfs", Destination: "/c", ReadOnly: true, TmpfsSize: 1 << 20, TmpfsMode: 0o1770}},
		{"type=devpts,target=/dev/pts2,uid=5,mode=620", Mount, spec.Mount{Type: "devpts", Destination: "/dev/pts2", Options: []string{"uid=5", "mode=620"}}},
		{"type=image,source=alpine,destination=/i", Mount, spec.Mount{Type: "image", Source: "alpine", Destination: "/i"}},
		{"type=image,src=alpine,dst=/i,rw=true,subpath=/etc", Mount, spec.Mount{Type: "image", Source: "alpine", Destination: "/i", ReadWrite: true, SubPath: "/etc"}},
		{"type=image,src=alpine,dst=/i,rw", Mount, spec.Mount{Type: "image", Source: "alpine", Destination: "/i", ReadWrite: true}},
		{"/scratch:exec,size=10m,mode=700,uid=1,ro,notmpcopyup", Tmpfs, spec.Mount{Type: "tmpfs", Destination: "/scratch", ReadOnly: true, Options: []string{"exec", "uid=1"}, TmpfsSize: 10 << 20, TmpfsMode: 0o700}},
		{"/half:size=50%", Tmpfs, spec.Mount{Type: "tmpfs", Destination: "/half", Options: []string{"size=50%"}}},
	} {
		got, err := c.parse(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parse %q = %+v, %v\nwant %+v", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in    string
		parse func(string) (spec.Mount, error)
		want  string
	}{
		{"/tmp:dst", Volume, `-v "/tmp:dst": destination "dst" must be an absolute path`},
		{"/tmp:/", Volume, `-v "/tmp:/": cannot mount over /`},
		{"/tmp:/x:bogus", Volume, `-v "/tmp:/x:bogus": unknown option "bogus"`},
		{"/tmp:/x:ro:y", Volume, `-v "/tmp:/x:ro:y": must be [SRC:]DST[:OPTIONS]`},
		{":/x", Volume, `-v ":/x": empty source`},
		{"/tmp:/x:nocopy", Volume, `unknown option "nocopy"`},
		{"vol:/x:idmap", Volume, `-v "vol:/x:idmap": option idmap is supported for bind mounts only`},
		{"/tmp:/x:idmap=uids=0-1-10", Volume, `without custom maps (idmap=)`},
		{"type=tmpfs,target=/x,idmap", Mount, `--mount "type=tmpfs,target=/x,idmap": option idmap is supported for bind mounts only`},
		{"type=bind,src=/a,target=/x,idmap=uids=0-1-10", Mount, `without custom maps (idmap=)`},
		{"/tmp:/x:ro,rw", Volume, "ro and rw given more than once"},
		{"/s:/o:O,ro", Volume, "O (overlay) can be combined only with U, or with upperdir and workdir"},
		{"/s:/o:O,upperdir=/u", Volume, "O (overlay) needs both upperdir and workdir, or neither"},
		{"/s:/o:upperdir=/u,workdir=/w", Volume, "upperdir and workdir are options of O (overlay)"},
		{"/s:/o:O,upperdir=u,workdir=/w", Volume, `overlay directory "u" must be an absolute path`},
		{"vol:/o:O,ro", Volume, "can be combined only"},
		{"type=volume,target=/x,tmpfs-size=1m", Mount, `--mount "type=volume,target=/x,tmpfs-size=1m": option tmpfs-size is not valid for type volume`},
		{"type=volume,target=/x,volume-nocopy=maybe", Mount, "volume-nocopy must be true or false"},
		{"type=bind,src=/tmp,target=/x,volume-opt=a=b", Mount, "option volume-opt is not valid for type bind"},
		{"type=nfs,target=/x", Mount, `unsupported type "nfs"`},
		{"type=bind,source=/tmp", Mount, "target is required"},
		{"target=/x", Mount, "type is required"},
		{"type=bind,target=/x", Mount, "bind needs a source"},
		{"type=image,target=/x", Mount, "image needs a source"},
		{"type=image,src=a,target=/x,ro", Mount, "option ro is not valid for type image"},
		{"type=image,src=a,target=/x,bind-propagation=shared", Mount, "option bind-propagation is not valid for type image"},
		{"type=bind,src=/a,src=/b,target=/x", Mount, "source given more than once"},
		{"type=bind,src=/a,target=/x,bind-propagation=sideways", Mount, `unknown bind-propagation "sideways"`},
		{"type=bind,src=/a,target=/x,bogus", Mount, `unknown option "bogus"`},
		{"type=tmpfs,target=/x,tmpfs-mode=9", Mount, "tmpfs-mode \"9\" must be octal"},
		{"type=devpts,target=/x,uid=me", Mount, `uid "me" must be a number`},
		{"tmp", Tmpfs, `--tmpfs "tmp": destination "tmp" must be an absolute path`},
		{"/x:bogus", Tmpfs, `--tmpfs "/x:bogus": unknown option "bogus"`},
		{"/x:mode=rwx", Tmpfs, `mode "rwx" must be octal`},
	} {
		_, err := c.parse(c.in)
		checkErr(t, c.in, err, c.want)
	}
}

func TestResourceDeviceFlags(t *testing.T) {
	if w, err := WeightDevice("/dev/vda:500"); err != nil || w != (spec.WeightDevice{Path: "/dev/vda", Weight: 500}) {
		t.Errorf("WeightDevice = %+v, %v", w, err)
	}
	if d, err := ThrottleDevice("device-read-bps", "/dev/vda:1mb", true); err != nil || d != (spec.ThrottleDevice{Path: "/dev/vda", Rate: 1 << 20}) {
		t.Errorf("ThrottleDevice bps = %+v, %v", d, err)
	}
	if d, err := ThrottleDevice("device-write-iops", "/dev/vda:100", false); err != nil || d.Rate != 100 {
		t.Errorf("ThrottleDevice iops = %+v, %v", d, err)
	}
	if n, err := MemoryReservation("64m"); err != nil || n != 64<<20 {
		t.Errorf("MemoryReservation = %d, %v", n, err)
	}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{second(WeightDevice("vda:500")), `--blkio-weight-device "vda:500": must be DEVICE:WEIGHT`},
		{second(WeightDevice("/dev/vda:x")), "invalid weight for device"},
		{second(ThrottleDevice("device-read-bps", "/dev/vda", true)), `--device-read-bps "/dev/vda": must be DEVICE:RATE`},
		{second(ThrottleDevice("device-read-bps", "/dev/vda:-1", true)), "invalid rate for device"},
		{second(ThrottleDevice("device-read-iops", "/dev/vda:1mb", false)), `--device-read-iops "/dev/vda:1mb": invalid rate`},
		{second(MemoryReservation("1k")), "minimum memory reservation allowed is 6MB"},
		{second(MemoryReservation("x")), `--memory-reservation "x": must be a positive size`},
	} {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) || !errors.Is(tt.err, errdefs.ErrInvalidArgument) {
			t.Errorf("err %v, want %q", tt.err, tt.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
