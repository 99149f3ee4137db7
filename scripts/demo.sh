#!/usr/bin/env bash
# demo.sh: the first thing a user sees. With bin/berth and the default store,
# make sure a busybox image exists (built offline from the host's static
# busybox and imported), then run a container from it.
set -euo pipefail
cd "$(dirname "$0")/.."

berth=${BERTH:-./bin/berth}
if [[ ! -x $berth ]]; then
	echo "demo.sh: $berth not found; run 'make build' first" >&2
	exit 1
fi

if ! "$berth" image exists busybox 2>/dev/null; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/berth-demo.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	./scripts/mkimage-busybox.sh "$work" >/dev/null
	echo "+ berth import --change CMD=/bin/sh busybox-rootfs.tar busybox"
	"$berth" import --change CMD=/bin/sh "$work/busybox-rootfs.tar" busybox
fi

echo '+ berth run --rm busybox echo "Hello from berth"'
"$berth" run --rm busybox echo "Hello from berth"
