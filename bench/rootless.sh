#!/usr/bin/env bash
# bench/rootless.sh: rootless `run --rm` of berth next to rootless podman's.
#
# Run as root: it makes a throw-away user with /etc/subuid and /etc/subgid
# ranges and a temporary home, opens /dev/net/tun to users for the run
# (pasta and slirp4netns need it; its mode is restored), imports the same
# busybox rootfs into each engine's per-user storage and times, as that
# user, `run --rm busybox true` with --network none and slirp4netns (both
# engines; podman 4.3 has no pasta) and pasta (berth's default). Both
# engines use runc and cgroupfs; on a cgroup v1 host neither has cgroups.
# At the end every process of the user is killed by PID (the pause
# processes too) and the user, its ranges and its home are removed.
set -euo pipefail

[[ $(id -u) -eq 0 ]] || { echo "bench/rootless.sh: run as root" >&2; exit 1; }
cd "$(dirname "$0")/.."
BERTH=${BERTH_BINARY:-$PWD/bin/berth}
RUNS=${BENCH_RUNS:-10}
for t in hyperfine podman pasta slirp4netns newuidmap setpriv; do
	command -v "$t" >/dev/null || { echo "bench/rootless.sh: $t missing (scripts/setup.sh)" >&2; exit 1; }
done

user=berthbench$$
T=$(mktemp -d /tmp/berth-bench-rootless-XXXXXX)
chmod 755 "$T"
tun_mode=$(stat -c %a /dev/net/tun)
cleanup() {
	set +e
	uid=$(id -u "$user" 2>/dev/null)
	if [[ -n $uid ]]; then
		for _ in $(seq 20); do
			pids=$(ps -o pid= -U "$uid")
			[[ -z $pids ]] && break
			kill -9 $pids 2>/dev/null
			sleep 0.2
		done
		userdel "$user"
	fi
	chmod "$tun_mode" /dev/net/tun
	rm -rf "$T"
}
trap cleanup EXIT

useradd -M -d "$T/home" -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user"
uid=$(id -u "$user")
start=$((20000000 + uid * 65536))
usermod --add-subuids "$start-$((start + 65535))" --add-subgids "$start-$((start + 65535))" "$user"
mkdir -p "$T/home/run" "$T/bin"
chown -R "$user:" "$T/home"
chmod 700 "$T/home/run"
chmod 666 /dev/net/tun
scripts/mkimage-busybox.sh "$T" >/dev/null
chmod 644 "$T/busybox-rootfs.tar"

as_user() {
	printf '#!/bin/sh\nexec setpriv --reuid=%s --regid=%s --clear-groups env -i HOME=%q PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin XDG_RUNTIME_DIR=%q %s "$@"\n' \
		"$uid" "$(id -g "$user")" "$T/home" "$T/home/run" "$1" >"$2"
	chmod 755 "$2"
}
as_user "$BERTH" "$T/bin/berth"
as_user "podman --runtime runc --cgroup-manager cgroupfs --events-backend file" "$T/bin/podman"

"$T/bin/berth" import --change CMD=/bin/sh "$T/busybox-rootfs.tar" busybox >/dev/null
"$T/bin/podman" import --change CMD=/bin/sh "$T/busybox-rootfs.tar" busybox >/dev/null 2>&1
# Warm both: the pause processes, storage and the first layer mount.
for e in berth podman; do "$T/bin/$e" run --rm --network none busybox true; done

results=$T/results.md
# case NAME CMD...: time the commands that succeed once untimed; a failing
# one is reported with its error instead.
case_() {
	local name=$1 args=() n
	shift
	for c in "$@"; do
		n=${c%%|*}
		if out=$(${c#*|} 2>&1); then
			args+=(-n "$n" "${c#*|}")
		else
			printf '%s: %s fails: %s\n\n' "$name" "$n" "$(tail -1 <<<"$out")" >>"$results"
		fi
	done
	((${#args[@]})) || return 0
	if ! hyperfine -N -w 3 -r "$RUNS" --export-markdown "$T/$name.md" "${args[@]}" >/dev/null 2>"$T/$name.err"; then
		printf '%s: a run failed (%s); timed again ignoring failures (-i)\n\n' "$name" "$(grep -m1 -i error "$T/$name.err")" >>"$results"
		hyperfine -i -N -w 3 -r "$RUNS" --export-markdown "$T/$name.md" "${args[@]}" >/dev/null 2>&1
	fi
	cat "$T/$name.md" >>"$results"
}
for net in none slirp4netns; do
	case_ "$net" "berth --network $net|$T/bin/berth run --rm --network $net busybox true" \
		"podman --network $net|$T/bin/podman run --rm --network $net busybox true"
done
case_ pasta "berth --network pasta (default)|$T/bin/berth run --rm busybox true"
echo "rootless run --rm, $(uname -r), podman $(podman --version | awk '{print $3}'), $RUNS runs:"
cat "$results"
