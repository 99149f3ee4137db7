#!/usr/bin/env bash
# setup.sh: install what berth needs to build, run and be tested on Debian 12.
# Idempotent: installs only packages that are missing and runs `apt-get
# update` only when something has to be installed. Run as root.
set -euo pipefail

packages=(
	runc crun conmon netavark aardvark-dns busybox-static docker-registry
	iptables uidmap catatonit hyperfine time sqlite3 gcc make git ca-certificates
	iproute2 nftables apparmor python3-docker docker-compose podman openssh-server
	passt slirp4netns criu fuse-overlayfs
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} > 0)); then
	if [[ $(id -u) -ne 0 ]]; then
		echo "setup.sh: missing packages (${missing[*]}); run as root to install them" >&2
		exit 1
	fi
	echo "setup.sh: installing ${missing[*]}"
	# Packages must not start daemons (openssh-server would start sshd on
	# port 22 where no systemd runs): the tests start their own.
	policy=/usr/sbin/policy-rc.d
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ -x /usr/local/go/bin/go ]]; then
	go=/usr/local/go/bin/go
elif command -v go >/dev/null 2>&1; then
	go=$(command -v go)
else
	echo "setup.sh: Go not found (expected /usr/local/go/bin/go or go in PATH)" >&2
	exit 1
fi
echo "setup.sh: ok ($("$go" version))"
