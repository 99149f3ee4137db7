package apparmor

import (
	"io"
	"os"
	"path/filepath"
	"sync"
	"text/template"
)

// profileTemplate is berth's default container profile. It grants what the
// other layers (capabilities, seccomp, masked and read-only paths) already
// decide on, and takes away what they cannot express: writes to the
// kernel's knobs in /proc and /sys, mount, and the firmware and security
// file systems. It is parsed on first use (profileTemplate): every berth
// process links this package, few ever load a profile.
const profileText = `{{if .Tunables}}#include <tunables/global>{{else}}@{PROC}=/proc/{{end}}

profile {{.Name}} flags=(attach_disconnected,mediate_deleted) {
{{- if .Base}}
  #include <abstractions/base>
{{- end}}

  network,
  capability,
  file,
  umount,
{{- if .Signals}}

  # Signals: from unconfined processes (the host's root, conmon), from the
  # OCI runtimes, and between the container's own processes.
  signal (receive) peer=unconfined,
  signal (receive) peer={/usr/bin/,/usr/sbin/,/usr/local/bin/,/usr/local/sbin/,}{runc,crun},
  signal (send,receive) peer={{.Name}},
{{- end}}

  # /proc: a process may write its own /proc/PID files and the shm limits
  # of its IPC namespace; nothing else directly under /proc or in
  # /proc/sys, and neither memory images nor the sysrq trigger at all.
  deny @{PROC}/* w,
  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9]*}/** w,
  deny @{PROC}/sys/[^k]** w,
  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,
  deny @{PROC}/{kcore,kmem,mem,sysrq-trigger} rwklx,

  # Mounts are the runtime's business, before the profile applies.
  deny mount,

  # /sys: read-only except the container's cgroup file system; firmware and
  # the security file systems are not even readable.
  deny /sys/[^f]*/** wklx,
  deny /sys/f[^s]*/** wklx,
  deny /sys/fs/[^c]*/** wklx,
  deny /sys/fs/c[^g]*/** wklx,
  deny /sys/fs/cg[^r]*/** wklx,
  deny /sys/firmware/** rwklx,
  deny /sys/kernel/security/** rwklx,
{{- if .Ptrace}}

  # ps and top inside the container read their siblings' /proc entries.
  ptrace (trace,read) peer={{.Name}},
{{- end}}
}
`

var profileTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("profile").Parse(profileText))
})

// profileData fills profileTemplate.
type profileData struct {
	Name string
	// Tunables and Base: the host has tunables/global (which defines
	// @{PROC}) and abstractions/base.
	Tunables, Base bool
	// Signals and Ptrace: the parser knows signal and ptrace rules
	// (AppArmor 2.9; older parsers reject them).
	Signals, Ptrace bool
}

// render writes the default profile called name for a parser of the given
// version (parseVersion's number).
func (h Host) render(w io.Writer, name string, version int) error {
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(h.ProfileDir, rel))
		return err == nil
	}
	return profileTemplate().Execute(w, profileData{
		Name:     name,
		Tunables: exists("tunables/global"),
		Base:     exists("abstractions/base"),
		Signals:  version >= 208096,
		Ptrace:   version >= 208095,
	})
}
