#!/usr/bin/env bash
# bench/run.sh: berth side by side with podman and the floors (bare `runc run`
# of a prepared bundle, `unshare ... chroot ROOTFS /bin/true`), in one run.
#
#   sudo bench/run.sh                 # full run (about 30-40 minutes)
#   sudo BENCH_QUICK=1 bench/run.sh   # quick run (about 5 minutes)
#
# Writes bench/results/<date>.md (gitignored) and, unless BENCH_UPDATE=0,
# replaces the generated part of bench/RESULTS.md with it. See bench/README.md
# for the cases and every knob.
#
# Isolation: every engine gets its own temporary --root/--runroot (podman also
# its own --tmpdir, --network-config-dir and file locks under the temporary
# directory), and the whole run happens in a private network namespace, so
# podman's bridge, veths and firewall rules never touch the host's and vanish
# with the namespace. Everything (containers, conmon processes, mounts,
# cgroups, temporary stores) is removed at the end, also on Ctrl-C.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

if [[ $(id -u) -ne 0 ]]; then
	echo "bench/run.sh: must run as root (containers, mounts, namespaces)" >&2
	exit 1
fi

# ---------------------------------------------------------------- settings
QUICK=${BENCH_QUICK:-0}
if [[ $QUICK == 1 ]]; then
	RUNS=${BENCH_RUNS:-5}
	WARMUP=${BENCH_WARMUP:-1}
	PS_LEVELS=${BENCH_PS_LEVELS:-"0 100 500"}
	PAR_RUNS=${BENCH_PAR_RUNS:-2}
	PODMAN_MAX=${BENCH_PODMAN_MAX:-500}
	CREATE_BUDGET=${BENCH_CREATE_BUDGET:-180}
	RSS_SAMPLES=${BENCH_RSS_SAMPLES:-3}
else
	RUNS=${BENCH_RUNS:-10}
	WARMUP=${BENCH_WARMUP:-2}
	PS_LEVELS=${BENCH_PS_LEVELS:-"0 100 500 2000"}
	PAR_RUNS=${BENCH_PAR_RUNS:-3}
	PODMAN_MAX=${BENCH_PODMAN_MAX:-2000}
	CREATE_BUDGET=${BENCH_CREATE_BUDGET:-900}
	RSS_SAMPLES=${BENCH_RSS_SAMPLES:-5}
fi
PAR=${BENCH_PARALLEL:-16}
IMAGES=${BENCH_IMAGES:-100}
PODMAN_LOCK=${BENCH_PODMAN_LOCK:-file}
ONLY=${BENCH_ONLY:-}             # space-separated case groups to run (default: all)
BERTH=${BERTH_BINARY:-$repo/bin/berth}
BUSYBOX=${BUSYBOX:-/usr/bin/busybox}
PORT=${BENCH_PORT:-18080}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

want() { [[ -z $ONLY ]] || [[ " $ONLY " == *" $1 "* ]]; }

# ---------------------------------------------------------------- packages
need_pkgs=()
command -v hyperfine >/dev/null || need_pkgs+=(hyperfine)
command -v podman >/dev/null || need_pkgs+=(podman)
command -v runc >/dev/null || need_pkgs+=(runc)
command -v conmon >/dev/null || need_pkgs+=(conmon)
[[ -x /usr/bin/time ]] || need_pkgs+=(time)
[[ -x $BUSYBOX ]] || need_pkgs+=(busybox-static)
command -v jq >/dev/null || need_pkgs+=(jq)
command -v python3 >/dev/null || need_pkgs+=(python3)
dpkg-query -W -f='${Status}' netavark 2>/dev/null | grep -q "ok installed" || need_pkgs+=(netavark)
if ((${#need_pkgs[@]})); then
	log "installing ${need_pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq "${need_pkgs[@]}" >/dev/null || {
		echo "bench/run.sh: could not install ${need_pkgs[*]}" >&2
		exit 1
	}
fi
if [[ ! -x $BERTH ]]; then
	log "building berth"
	make -C "$repo" build >/dev/null || exit 1
fi

# Re-exec in a private network namespace (same process: unshare without
# --fork execs the script in place, so Ctrl-C and traps work as usual).
if [[ ${BENCH_NETNS:-1} == 1 && -z ${BENCH_IN_NETNS:-} ]]; then
	export BENCH_IN_NETNS=1
	exec unshare --net -- bash "$0" "$@"
fi
if [[ -n ${BENCH_IN_NETNS:-} ]]; then
	ip link set lo up
fi

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
GIT_REV="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null)$(git -C "$repo" diff --quiet 2>/dev/null || echo '+dirty')"

# ---------------------------------------------------------------- workspace
T=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
chmod 0755 "$T"
mkdir -p "$T"/{json,rss,logs}
FLOOR_ID=berth-bench-floor-$$
# Measure a snapshot of the binary: a rebuild during the run must not mix versions.
mkdir -p "$T/bin"
cp "$BERTH" "$T/bin/berth" || exit 1
# The lean berth hands image transfers (import below) to berth-full beside it.
if [[ -x $(dirname "$BERTH")/berth-full ]]; then cp "$(dirname "$BERTH")/berth-full" "$T/bin/berth-full" || exit 1; fi
BERTH_SRC=$BERTH
BERTH=$T/bin/berth
B=("$BERTH" --root "$T/store-berth/root" --runroot "$T/store-berth/run" --runtime runc --cgroup-manager cgroupfs)
P=(podman --root "$T/store-podman/root" --runroot "$T/store-podman/run" --tmpdir "$T/store-podman/tmp"
	--network-config-dir "$T/store-podman/net" --runtime runc --cgroup-manager cgroupfs --events-backend file)
R=(runc --root "$T/store-runc")
RES=$T/results.tsv   # case \t engine \t median \t min \t max \t mean \t n \t note
NOTES=$T/notes.tsv   # case \t note
: >"$RES"
: >"$NOTES"

# Both engines read this containers.conf. Podman's default rlimits (nofile
# 1048576, nproc 4194304) exceed this machine's hard limits and podman lowers
# its own nproc to 32768 before starting runc, so runc fails with EPERM unless
# they are given. Podman's default SHM lock segment (/dev/shm/libpod_lock) is
# shared with every other podman on the host and cannot be moved in 4.3, so
# file locks under --tmpdir are used (BENCH_PODMAN_LOCK=shm to compare).
hard_nofile=$(ulimit -Hn)
cat >"$T/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$hard_nofile:$hard_nofile", "nproc=32768:32768"]
[engine]
num_locks = 4096
EOF
if [[ $PODMAN_LOCK == file ]]; then
	printf 'lock_type = "file"\n' >>"$T/containers.conf"
fi
export CONTAINERS_CONF=$T/containers.conf

# The REST API services (the api group): `berth system service` and
# `podman system service` on sockets of their own, stopped by PID.
API_PIDS=()
api_down() {
	local pid
	for pid in "${API_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
	done
	API_PIDS=()
}

cleaned=0
cleanup() {
	((cleaned)) && return
	cleaned=1
	trap - INT TERM EXIT
	set +e
	log "cleaning up $T"
	api_down
	{
		timeout 60 "${B[@]}" ps -aq --no-trunc
		timeout 60 "${P[@]}" ps -aq --no-trunc
	} >"$T/ids" 2>/dev/null
	echo "$FLOOR_ID" >>"$T/ids"
	timeout 300 "${B[@]}" rm -af -t 0 >/dev/null 2>&1
	# Networks keep their bridges and rules until removed: reset drops them.
	timeout 300 "${B[@]}" system reset -f >/dev/null 2>&1
	timeout 600 "${P[@]}" rm -af -t 0 >/dev/null 2>&1
	for id in $(timeout 10 "${R[@]}" list -q 2>/dev/null); do
		"${R[@]}" delete -f "$id" >/dev/null 2>&1
	done
	# Anything still running from this run's directory (conmon, cleanup
	# processes, container init): by pid, never by name.
	for pid in $(pgrep -f -- "$T"); do
		[[ $pid == "$$" ]] || kill -9 "$pid" 2>/dev/null
	done
	sleep 0.2
	awk -v t="$T" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	# Cgroups named after this run's containers (the engines remove their
	# own; this catches what an interrupted run left).
	if [[ -s $T/ids ]]; then
		find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d 2>/dev/null | grep -F -f "$T/ids" | sort -r | while read -r d; do
			rmdir "$d" 2>/dev/null
		done
	fi
	rm -rf "$T"
	log "cleanup done"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

# ---------------------------------------------------------------- images and floors
log "workspace $T (quick=$QUICK runs=$RUNS warmup=$WARMUP)"
BUSYBOX=$BUSYBOX bash "$repo/scripts/mkimage-busybox.sh" "$T" >/dev/null || exit 1
"${B[@]}" import --change CMD=/bin/sh "$T/busybox-rootfs.tar" busybox >/dev/null || {
	echo "bench/run.sh: berth import failed" >&2
	exit 1
}
"${P[@]}" import -q --change CMD=/bin/sh "$T/busybox-rootfs.tar" busybox >/dev/null || {
	echo "bench/run.sh: podman import failed" >&2
	exit 1
}
# The floors run the same rootfs.
mkdir -p "$T/bundle/rootfs"
tar -C "$T/bundle/rootfs" -xf "$T/busybox-rootfs.tar"
(cd "$T/bundle" && runc spec)
jq --arg cg "/$FLOOR_ID" '.process.terminal = false | .process.args = ["/bin/true"] | .linux.cgroupsPath = $cg' \
	"$T/bundle/config.json" >"$T/bundle/config.json.new" && mv "$T/bundle/config.json.new" "$T/bundle/config.json"
ROOTFS=$T/bundle/rootfs

# Per-engine wrappers with the full command line baked in, and helper scripts
# run by hyperfine --prepare and the parallel case.
printf '#!/bin/sh\nexec %s "$@"\n' "$(printf '%q ' "${B[@]}")" >"$T/berth"
printf '#!/bin/sh\nCONTAINERS_CONF=%q exec %s "$@"\n' "$CONTAINERS_CONF" "$(printf '%q ' "${P[@]}")" >"$T/podman"
printf '#!/bin/sh\nexec %s "$@"\n' "$(printf '%q ' "${R[@]}")" >"$T/runc"
chmod +x "$T/berth" "$T/podman" "$T/runc"
cat >"$T/prep" <<'EOF'
#!/bin/bash
# prep WHAT ENGINE: set up the state one timed run needs; quiet, never fails.
d=$(dirname "$0"); what=$1; eng=$2; e=$d/$eng
SVC='trap "exit 0" TERM; sleep 1000 & wait'
case $what in
start) "$e" rm -f -t 0 bench-start; "$e" create --network none --name bench-start busybox sh -c "$SVC" ;;
stop) "$e" rm -f -t 0 bench-stop; "$e" run -d --network none --name bench-stop busybox sh -c "$SVC" ;;
rm) "$e" rm -f -t 0 bench-rm; "$e" create --network none --name bench-rm busybox true ;;
runc-create) "$d/runc" delete -f "$3" ;;
runc-start|runc-delete) "$d/runc" delete -f "$3"; "$d/runc" create -b "$d/bundle" "$3" ;;
esac >/dev/null 2>&1
exit 0
EOF
cat >"$T/par" <<'EOF'
#!/bin/bash
# par ENGINE N: N concurrent `run --rm --network none busybox true`; counts failures.
d=$(dirname "$0"); e=$d/$1; n=$2
pids=()
for ((i = 0; i < n; i++)); do
	"$e" run --rm --network none busybox true >/dev/null 2>>"$d/logs/par-$1.err" &
	pids+=($!)
done
fail=0
for p in "${pids[@]}"; do wait "$p" || fail=$((fail + 1)); done
echo "$fail" >>"$d/logs/par-$1.fail"
exit 0
EOF
chmod +x "$T/prep" "$T/par"

# ---------------------------------------------------------------- machinery
note() { printf '%s\t%s\n' "$1" "$2" >>"$NOTES"; log "$1: $2"; }

# probe ENGINE CMD...: does the command work once? Sets probe_err.
probe() {
	local out
	if out=$("$@" 2>&1 >/dev/null); then
		return 0
	fi
	probe_err=$(printf '%s' "$out" | grep -v '^$' | head -1 | cut -c1-160)
	return 1
}

# hf CASE ENTRY...; ENTRY is "engine|command|prepare" (prepare may be empty).
# Runs hyperfine once with every entry and records median/min/max per engine.
hf() {
	local case=$1
	shift
	local args=(-N --style basic --warmup "${HF_WARMUP:-$WARMUP}" --runs "${HF_RUNS:-$RUNS}" --export-json "$T/json/$case.json")
	local names=() cmds=() preps=() anyprep=0 e
	for e in "$@"; do
		IFS='|' read -r name cmd prep <<<"$e"
		names+=("$name")
		cmds+=("$cmd")
		preps+=("${prep:-true}")
		[[ -n $prep ]] && anyprep=1
	done
	for i in "${!cmds[@]}"; do
		args+=(-n "${names[$i]}" "${cmds[$i]}")
	done
	if ((anyprep)); then
		for i in "${!preps[@]}"; do args+=(--prepare "${preps[$i]}"); done
	fi
	[[ ${HF_IGNORE:-0} == 1 ]] && args+=(-i)
	log "case $case: ${names[*]}"
	if ! hyperfine "${args[@]}" >"$T/logs/$case.hf" 2>&1; then
		note "$case" "hyperfine failed: $(grep -i -m1 'error\|fail' "$T/logs/$case.hf" | cut -c1-200)"
		return 1
	fi
	jq -r --arg c "$case" '.results[] | [$c, .command, .median, .min, .max, .mean, (.times|length)] | @tsv' \
		"$T/json/$case.json" >>"$RES"
}

# rss CASE ENGINE CMD...: peak RSS (KiB, max over samples) of the CLI process.
rss() {
	local case=$1 eng=$2 i max=0 v
	shift 2
	for ((i = 0; i < RSS_SAMPLES; i++)); do
		/usr/bin/time -f %M -o "$T/rss/tmp" "$@" >/dev/null 2>&1 || true
		v=$(tail -1 "$T/rss/tmp")
		[[ $v =~ ^[0-9]+$ ]] && ((v > max)) && max=$v
	done
	printf '%s\t%s\t%s\n' "$case" "$eng" "$max" >>"$T/rss.tsv"
}

# ---------------------------------------------------------------- cases
# Timed commands are the engines' own command lines (no wrapper process).
BC="${B[*]}"
PC="${P[*]}"
RC="${R[*]}"
RUNC_RUN="$RC run -b $T/bundle $FLOOR_ID"
UNSHARE="unshare --mount --uts --ipc --pid --fork chroot $ROOTFS /bin/true"

if want version; then
	hf version "berth|$BC version|" "podman|$PC version|"
fi

if want run; then
	hf run-none "berth|$BC run --rm --network none busybox true|" \
		"podman|$PC run --rm --network none busybox true|" \
		"runc|$RUNC_RUN|" "unshare|$UNSHARE|"

	# Default network: podman's is the netavark bridge; berth has no bridge
	# yet (its default is a private netns with only lo).
	if probe "$T/berth" run --rm busybox true; then
		# Interfaces besides lo in berth's default network?
		nif=$("$T/berth" run --rm busybox cat /proc/net/dev 2>/dev/null | tail -n +3 | grep -vc '^ *lo:')
		if ((nif == 0)); then
			note run-default "berth's default network has no interface but lo (no bridge yet), podman's is the netavark bridge: not like for like"
		fi
		hf run-default "berth|$BC run --rm busybox true|" "podman|$PC run --rm busybox true|" "runc|$RUNC_RUN|"
	else
		note run-default "berth skipped: $probe_err"
		hf run-default "podman|$PC run --rm busybox true|" "runc|$RUNC_RUN|"
	fi

	if probe "$T/berth" run --rm -p "$PORT:80" busybox true; then
		hf run-port "berth|$BC run --rm -p $PORT:80 busybox true|" "podman|$PC run --rm -p $PORT:80 busybox true|"
	else
		note run-port "berth skipped: $probe_err"
		hf run-port "podman|$PC run --rm -p $PORT:80 busybox true|"
	fi

	rss run berth "${B[@]}" run --rm --network none busybox true
	rss run podman "${P[@]}" run --rm --network none busybox true
	rss run runc "${R[@]}" run -b "$T/bundle" "$FLOOR_ID"
fi

# The docker CLI against each engine's REST API (berth: system service;
# podman: its own system service), one socket each; DOCKER_CONFIG of its own.
API_UP=0
if want api; then
	if ! command -v docker >/dev/null; then
		note api-run "skipped: no docker CLI on PATH"
	else
		"$T/berth" system service -t 0 "unix://$T/berth-api.sock" >"$T/logs/berth-api.log" 2>&1 &
		API_PIDS+=($!)
		"$T/podman" system service -t 0 "unix://$T/podman-api.sock" >"$T/logs/podman-api.log" 2>&1 &
		API_PIDS+=($!)
		for _ in $(seq 100); do [[ -S $T/berth-api.sock && -S $T/podman-api.sock ]] && break; sleep 0.1; done
		mkdir -p "$T/docker"
		DB="docker --config $T/docker -H unix://$T/berth-api.sock"
		DP="docker --config $T/docker -H unix://$T/podman-api.sock"
		if probe $DB run --rm busybox true && probe $DP run --rm busybox true; then
			API_UP=1
			hf api-run "berth|$DB run --rm busybox true|" "podman|$DP run --rm busybox true|"
			note api-run "docker CLI $(docker version --format '{{.Client.Version}}' 2>/dev/null) through each engine's REST API socket (podman system service), default network"
		else
			note api-run "skipped: $probe_err"
			api_down
		fi
	fi
fi

if want lifecycle; then
	hf create "berth|$BC create --network none busybox true|" \
		"podman|$PC create --network none busybox true|" \
		"runc|$RC create -b $T/bundle $FLOOR_ID|$T/prep runc-create x $FLOOR_ID"
	"$T/runc" delete -f "$FLOOR_ID" >/dev/null 2>&1
	"$T/berth" rm -af >/dev/null 2>&1
	"$T/podman" rm -af >/dev/null 2>&1

	hf start "berth|$BC start bench-start|$T/prep start berth" \
		"podman|$PC start bench-start|$T/prep start podman" \
		"runc|$RC start $FLOOR_ID|$T/prep runc-start x $FLOOR_ID"
	hf stop "berth|$BC stop bench-stop|$T/prep stop berth" \
		"podman|$PC stop bench-stop|$T/prep stop podman"
	hf rm "berth|$BC rm bench-rm|$T/prep rm berth" \
		"podman|$PC rm bench-rm|$T/prep rm podman" \
		"runc|$RC delete $FLOOR_ID|$T/prep runc-delete x $FLOOR_ID"
	note start "container created (not started) by --prepare; the command is sh waiting on sleep; runc: runc start of a created bundle"
	note stop "running container whose sh exits on SIGTERM; no runc floor"
	note rm "created (never started) container; runc: runc delete of a created bundle"
	"$T/runc" delete -f "$FLOOR_ID" >/dev/null 2>&1
	"$T/berth" rm -af -t 0 >/dev/null 2>&1
	"$T/podman" rm -af -t 0 >/dev/null 2>&1
fi

if want exec; then
	SVC='trap "exit 0" TERM; sleep 1000 & wait'
	if probe "$T/berth" exec --help; then
		"$T/berth" run -d --network none --name bench-exec busybox sh -c "$SVC" >/dev/null
		"$T/podman" run -d --network none --name bench-exec busybox sh -c "$SVC" >/dev/null
		hf exec "berth|$BC exec bench-exec true|" "podman|$PC exec bench-exec true|"
	else
		note exec "berth skipped: $probe_err"
		"$T/podman" run -d --network none --name bench-exec busybox sh -c "$SVC" >/dev/null
		hf exec "podman|$PC exec bench-exec true|"
	fi
	"$T/berth" rm -f -t 0 bench-exec >/dev/null 2>&1
	"$T/podman" rm -f -t 0 bench-exec >/dev/null 2>&1
fi

if want inspect; then
	"$T/berth" run --network none --name bench-logs busybox sh -c 'i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); done' >/dev/null
	"$T/podman" run --network none --name bench-logs busybox sh -c 'i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); done' >/dev/null
	hf logs "berth|$BC logs bench-logs|" "podman|$PC logs bench-logs|"
	note logs "exited container that printed 100 lines"
	hf inspect "berth|$BC inspect bench-logs|" "podman|$PC inspect bench-logs|"
	"$T/berth" rm -f bench-logs >/dev/null 2>&1
	"$T/podman" rm -f bench-logs >/dev/null 2>&1
fi

if want images; then
	log "tagging busybox $IMAGES times"
	for ((i = 1; i < IMAGES; i++)); do
		"$T/berth" tag busybox "localhost/bench$i:latest" >/dev/null
		"$T/podman" tag busybox "localhost/bench$i:latest" >/dev/null
	done
	hf images "berth|$BC images|" "podman|$PC images|"
	note images "one image with $IMAGES names (busybox tagged $((IMAGES - 1)) times): $IMAGES rows"
fi

if want build; then
	# A 10-step Containerfile (FROM and nine steps: RUN, COPY, config), built
	# once by each engine; then timed: the cached rebuild and a --no-cache
	# build. --pull=never: both use their local busybox.
	mkdir -p "$T/buildctx/src"
	printf 'hello\n' >"$T/buildctx/src/a.txt"
	cat >"$T/buildctx/Containerfile" <<'CF'
FROM busybox
ENV APP=/app
RUN mkdir -p /app && echo built > /app/stamp
COPY src /app/src
RUN cat /app/src/a.txt > /app/copy
WORKDIR /app
LABEL bench=build
RUN ls -l /app > /app/listing
EXPOSE 8080
CMD ["cat", "/app/stamp"]
CF
	for eng in berth podman; do
		"$T/$eng" build -q --pull=never -t benchbuild "$T/buildctx" >/dev/null 2>>"$T/logs/build-$eng.err" ||
			note build "$eng: first build failed: $(tail -1 "$T/logs/build-$eng.err" | cut -c1-160)"
	done
	hf build-cached "berth|$BC build -q --pull=never -t benchbuild $T/buildctx|" \
		"podman|$PC build -q --pull=never -t benchbuild $T/buildctx|"
	HF_RUNS=$((RUNS < 5 ? RUNS : 5)) HF_WARMUP=0 hf build-nocache \
		"berth|$BC build -q --pull=never --no-cache -t benchbuild $T/buildctx|" \
		"podman|$PC build -q --pull=never --no-cache -t benchbuild $T/buildctx|"
	note build "10-step Containerfile (3 RUN, 1 COPY, 5 config steps); build-cached reuses every step"
fi

if want parallel; then
	: >"$T/logs/par-berth.fail"
	: >"$T/logs/par-podman.fail"
	HF_IGNORE=1 HF_RUNS=$PAR_RUNS HF_WARMUP=1 hf parallel "berth|$T/par berth $PAR|" "podman|$T/par podman $PAR|"
	for eng in berth podman; do
		runs=$(wc -l <"$T/logs/par-$eng.fail")
		failed=$(awk '{s += $1} END {print s + 0}' "$T/logs/par-$eng.fail")
		left=$("$T/$eng" ps -aq 2>/dev/null | wc -l)
		note parallel "$eng: $PAR concurrent run --rm --network none x $runs rounds: $failed failed, $left containers left behind$( ((failed)) && printf ' (first error: %s)' "$(grep -v '^$' "$T/logs/par-$eng.err" | head -1 | cut -c1-160)")"
		printf '%s\t%s\t%s\n' "$eng" "$failed" "$left" >>"$T/par.tsv"
	done
fi

if want ps; then
	"$T/berth" rm -af -t 0 >/dev/null 2>&1
	"$T/podman" rm -af -t 0 >/dev/null 2>&1
	: >"$T/create-berth.tsv"
	: >"$T/create-podman.tsv"
	declare -A have=([berth]=0 [podman]=0) spent=([berth]=0 [podman]=0) capped=([berth]=0 [podman]=0)
	# populate ENGINE TARGET: create containers one by one, timing each.
	populate() {
		local eng=$1 target=$2 max=$3 t0 t1 us start=$EPOCHREALTIME
		while ((have[$eng] < target && have[$eng] < max)); do
			t0=$EPOCHREALTIME
			if ! "$T/$eng" create --network none busybox true >/dev/null 2>>"$T/logs/create-$eng.err"; then
				note create-growth "$eng: create failed at ${have[$eng]} containers: $(tail -1 "$T/logs/create-$eng.err" | cut -c1-160)"
				capped[$eng]=1
				break
			fi
			t1=$EPOCHREALTIME
			us=$((${t1/./} - ${t0/./}))
			printf '%s\t%s\n' "${have[$eng]}" "$us" >>"$T/create-$eng.tsv"
			have[$eng]=$((have[$eng] + 1))
			if (((${t1/./} - ${start/./}) / 1000000 + spent[$eng] > CREATE_BUDGET)); then
				note create-growth "$eng: stopped at ${have[$eng]} containers (BENCH_CREATE_BUDGET=${CREATE_BUDGET}s)"
				capped[$eng]=1
				break
			fi
		done
		spent[$eng]=$((spent[$eng] + (${EPOCHREALTIME/./} - ${start/./}) / 1000000))
	}
	for n in $PS_LEVELS; do
		entries=()
		for eng in berth podman; do
			max=100000000
			[[ $eng == podman ]] && max=$PODMAN_MAX
			((capped[$eng])) || populate "$eng" "$n" "$max"
			if ((have[$eng] == n)); then
				cmd=$BC
				[[ $eng == podman ]] && cmd=$PC
				entries+=("$eng|$cmd ps -a|")
				rss "ps-$n" "$eng" "$T/$eng" ps -a
			else
				note "ps-$n" "$eng skipped: store has ${have[$eng]} containers (BENCH_PODMAN_MAX=$PODMAN_MAX, BENCH_CREATE_BUDGET=${CREATE_BUDGET}s)"
			fi
		done
		((${#entries[@]})) && hf "ps-$n" "${entries[@]}"
		last=$n
	done
	if ((API_UP)) && ((have[berth] == last && have[podman] == last)); then
		hf api-ps "berth|$DB ps -a|" "podman|$DP ps -a|"
		note api-ps "docker ps -a through the REST API with $last containers"
	fi
	cp "$T/create-berth.tsv" "$T/create-podman.tsv" "$T/logs/" 2>/dev/null
fi

# ---------------------------------------------------------------- report
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir -p "$here/results"
out=$here/results/$stamp.md
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
cgv=$([[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] && echo v2 || echo "v1 (hybrid)")
{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine=$(nproc) cores, $cpu, $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r), cgroup $cgv, $(stat -fc %T "$T") under $T"
	echo "berth=$("$T/berth" version 2>/dev/null | awk '/^Version/ {print $2}') (binary $BERTH_SRC, sha256 $(sha256sum "$BERTH" | cut -c1-12), built $(date -u -r "$BERTH_SRC" '+%H:%M UTC' 2>/dev/null); tree at run start $GIT_REV)"
	echo "podman=$(podman --version | awk '{print $3}') (runc, cgroupfs, events file, lock_type $PODMAN_LOCK)"
	echo "load=load average $LOAD_START at start, $(cut -d' ' -f1-3 /proc/loadavg) at end (2 cores: other work on the machine shows here and in the min-max ranges)"
	echo "runc=$(runc --version | awk 'NR==1 {print $3}')"
	echo "conmon=$(conmon --version | awk 'NR==1 {print $3}')"
	echo "hyperfine=$(hyperfine --version | awk '{print $2}')"
	echo "mode=$([[ $QUICK == 1 ]] && echo quick || echo full): $RUNS runs after $WARMUP warm-up per command; $PAR parallel; ps levels $PS_LEVELS; podman capped at $PODMAN_MAX"
} >"$T/meta"
python3 "$here/report.py" "$T" >"$out" || {
	echo "bench/run.sh: report failed" >&2
	exit 1
}
log "results: $out"
if [[ ${BENCH_UPDATE:-1} == 1 ]]; then
	python3 "$here/report.py" --splice "$here/RESULTS.md" "$out"
	log "updated $here/RESULTS.md"
fi
api_down
cat "$out"
