#!/usr/bin/env bash
# mkimage-busybox.sh OUTDIR: build OUTDIR/busybox-rootfs.tar, a busybox root
# filesystem, offline, from the host's static busybox (Debian busybox-static).
# The tarball is byte-for-byte reproducible (fixed mtimes, sorted entries,
# numeric owners) so that the image imported from it has a stable ID.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
outdir=$1
busybox=${BUSYBOX:-/usr/bin/busybox}

if [[ ! -x $busybox ]]; then
	echo "mkimage-busybox.sh: $busybox not found (apt-get install busybox-static)" >&2
	exit 1
fi
# ldd succeeds only on dynamic executables; a dynamic busybox would not run
# inside the image, which has no libc.
if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
	echo "mkimage-busybox.sh: $busybox is not statically linked (apt-get install busybox-static)" >&2
	exit 1
fi

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mkimage-busybox.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

mkdir -p "$root"/{bin,etc,root,tmp,proc,sys,dev,home/berthuser}
install -m 0755 "$busybox" "$root/bin/busybox"
# One symlink per applet, all in /bin, so PATH=/bin finds every command.
"$busybox" --list | sort -u | while read -r applet; do
	[[ -z $applet || $applet == busybox ]] && continue
	ln -sf busybox "$root/bin/$applet"
done

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
berthuser:x:1000:1000:berthuser:/home/berthuser:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
wheel:x:10:berthuser
berthgroup:x:1000:
nogroup:x:65534:
GROUP

chmod 0755 "$root" "$root"/{bin,etc,home,proc,sys,dev}
chmod 0700 "$root/root"
chmod 1777 "$root/tmp"
chmod 0755 "$root/home/berthuser"
chmod 0644 "$root/etc/passwd" "$root/etc/group"

# Everything belongs to root except the user's home. As root, set the owners
# on the files and let tar record them numerically (an --owner override would
# also hit the home directory). Unprivileged, fall back to --owner=0: the
# home then belongs to root and the image ID differs from the root-built one.
owner_flags=()
if [[ $(id -u) -eq 0 ]]; then
	chown -R 0:0 "$root"
	chown 1000:1000 "$root/home/berthuser"
else
	echo "mkimage-busybox.sh: not root, /home/berthuser will be owned by 0:0" >&2
	owner_flags=(--owner=0 --group=0)
fi

tar --sort=name --mtime=@0 --numeric-owner "${owner_flags[@]}" --format=gnu \
	-C "$root" -cf "$outdir/busybox-rootfs.tar.tmp" .
mv "$outdir/busybox-rootfs.tar.tmp" "$outdir/busybox-rootfs.tar"
echo "$outdir/busybox-rootfs.tar"
