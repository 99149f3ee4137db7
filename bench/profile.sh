#!/usr/bin/env bash
# bench/profile.sh: where berth's time goes on the benchmark's slow paths.
# Prints package-init costs (GODEBUG=inittrace=1), strace -c -f summaries and
# a process timeline (which child runs when, relative to the CLI's start) for
# run --rm, start, create and ps -a. Own temporary store; cleans up on exit.
#
#   sudo bench/profile.sh [CASE...]   # cases: init run start create ps (default: all)
#   PROFILE_PS_N=500 sudo bench/profile.sh ps
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
BERTH=${BERTH_BINARY:-$repo/bin/berth}
N=${PROFILE_PS_N:-500}
cases=${*:-init run start create ps}

[[ $(id -u) -eq 0 ]] || { echo "profile.sh: run as root" >&2; exit 1; }
command -v strace >/dev/null || { apt-get install -y -qq strace >/dev/null || exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/berth-profile.XXXXXX")
B=("$BERTH" --root "$T/root" --runroot "$T/run" --runtime runc --cgroup-manager cgroupfs)
cleanup() {
	set +e
	timeout 300 "${B[@]}" rm -af -t 0 >/dev/null 2>&1
	timeout 300 "${B[@]}" system reset -f >/dev/null 2>&1
	for pid in $(pgrep -f -- "$T"); do [[ $pid == "$$" ]] || kill -9 "$pid" 2>/dev/null; done
	awk -v t="$T" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash "$repo/scripts/mkimage-busybox.sh" "$T" >/dev/null
"${B[@]}" import --change CMD=/bin/sh "$T/busybox-rootfs.tar" busybox >/dev/null
"${B[@]}" run --rm --network none busybox true # warm caches

# timeline FILE: strace -f -tt output -> ms since the first line, one line per
# execve / exit of a process, plus the slowest syscalls.
timeline() {
	python3 - "$1" <<'EOF'
import re, sys
t0 = None
names = {}
for line in open(sys.argv[1]):
    m = re.match(r'(\d+)\s+(\d+):(\d+):(\d+\.\d+)\s+(.*)', line)
    if not m:
        continue
    pid, h, mi, s, rest = m.groups()
    t = (int(h) * 3600 + int(mi) * 60 + float(s)) * 1000
    if t0 is None:
        t0 = t
    if rest.startswith('execve(') and '= 0' in rest:
        argv = re.search(r'\[(.*?)\]', rest)
        a = argv.group(1).replace('"', '').split(', ') if argv else []
        desc = ' '.join(a[:1] + [x for x in a[1:] if not x.startswith('/tmp')][:6])
        names[pid] = desc[:90]
        print('%8.1f ms  pid %-7s exec %s' % (t - t0, pid, desc[:90]))
    elif '+++ exited' in rest:
        print('%8.1f ms  pid %-7s exit   (%s)' % (t - t0, pid, names.get(pid, '?')))
    elif rest.startswith('wait4(') and 'resumed' not in rest and '<unfinished' in rest:
        pass
EOF
}

if [[ " $cases " == *" init "* ]]; then
	echo "== GODEBUG=inittrace=1 berth version: package init, slowest 12 and total"
	GODEBUG=inittrace=1 "${B[@]}" version 2>"$T/init" >/dev/null
	awk '/^init / {print $5, "ms", $2}' "$T/init" | sort -rn | head -12
	awk '/^init / {ms += $5; n++; at = substr($3, 2) + $5} END {printf "sum: %.2f ms in %d packages; main() reached at %.2f ms\n", ms, n, at}' "$T/init"
	echo
	echo "== berth version: strace -c -f (top 10)"
	strace -c -f -o "$T/s" "${B[@]}" version >/dev/null
	head -17 "$T/s"
	echo
fi

if [[ " $cases " == *" run "* ]]; then
	echo "== berth run --rm --network none busybox true: process timeline"
	strace -f --seccomp-bpf -tt -e trace=execve,exit_group -o "$T/tl" "${B[@]}" run --rm --network none busybox true
	timeline "$T/tl"
	echo
	echo "== same: strace -c -f (top 15)"
	strace -c -f -o "$T/s" "${B[@]}" run --rm --network none busybox true
	head -22 "$T/s"
	echo
fi

if [[ " $cases " == *" start "* ]]; then
	"${B[@]}" create --network none --name prof-start busybox sh -c 'trap "exit 0" TERM; sleep 1000 & wait' >/dev/null
	echo "== berth start (created container): process timeline"
	# conmon outlives `start`: stop tracing once the CLI itself has exited.
	"${B[@]}" start prof-start >/dev/null # warm
	"${B[@]}" stop -t 0 prof-start >/dev/null
	strace -f --seccomp-bpf -tt -e trace=execve,exit_group -o "$T/tl" "${B[@]}" start prof-start >/dev/null &
	spid=$!
	for ((i = 0; i < 200; i++)); do
		sleep 0.05
		first=$(awk 'NR==1 {print $1}' "$T/tl" 2>/dev/null)
		[[ -n $first ]] && grep -q "^$first .*+++ exited" "$T/tl" && break
	done
	sleep 0.2
	kill -9 "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	timeline "$T/tl"
	"${B[@]}" rm -f -t 0 prof-start >/dev/null
	echo
fi

if [[ " $cases " == *" create "* ]]; then
	echo "== berth create: strace -c -f (top 12)"
	strace -c -f -o "$T/s" "${B[@]}" create --network none busybox true >/dev/null
	head -19 "$T/s"
	echo
fi

if [[ " $cases " == *" ps "* ]]; then
	echo "== berth ps -a with $N containers"
	have=$("${B[@]}" ps -aq | wc -l)
	for ((i = have; i < N; i++)); do "${B[@]}" create --network none busybox true >/dev/null; done
	s=$EPOCHREALTIME; "${B[@]}" ps -a >/dev/null; e=$EPOCHREALTIME
	echo "wall: $(((${e/./} - ${s/./}) / 1000)) ms"
	strace -c -f -o "$T/s" "${B[@]}" ps -a >/dev/null
	head -17 "$T/s"
	echo "files opened per ps -a:"
	strace -f -e trace=openat -o "$T/o" "${B[@]}" ps -a >/dev/null
	grep -v ENOENT "$T/o" | grep -o '"[^"]*"' | sed -E 's#[0-9a-f]{64}#<id>#g; s#"##g' | sort | uniq -c | sort -rn | head -10
	echo
fi
