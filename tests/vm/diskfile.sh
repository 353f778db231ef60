#!/bin/bash
# tests/vm/diskfile.sh [--cat] IMG PATH: read PATH out of the ext4 image IMG
# without root or a mount (debugfs, e2fsprogs), after a guest wrote it:
# prints "PATH bytes N sha256 H" (the same words as the guest's "la-guest:
# write ..." line), or with --cat the file itself. Fails (status 1, one line
# "diskfile: ...") when PATH is not there, when the image's journal still
# holds changes (the guest did not sync and unmount or remount read-only:
# debugfs would show the old blocks) or when e2fsck -fn finds errors.
set -eu
PATH=$PATH:/usr/sbin:/sbin
export LC_ALL=C
die() {
	echo "diskfile: $*" >&2
	exit 1
}
cat=0
[ "${1:-}" != --cat ] || { cat=1; shift; }
[ $# = 2 ] || { echo "usage: diskfile.sh [--cat] IMG PATH" >&2; exit 2; }
img=$1 path=$2
command -v debugfs >/dev/null || die "debugfs not found (Debian package e2fsprogs)"
[ -r "$img" ] || die "$img: cannot read it"
features=$(dumpe2fs -h "$img" 2>/dev/null | sed -n 's/^Filesystem features: *//p')
[ -n "$features" ] || die "$img: not an ext2/3/4 image"
case " $features " in
*" needs_recovery "*) die "$img: its journal holds changes not yet written back (the guest did not unmount)" ;;
esac
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
e2fsck -fn "$img" >"$t/fsck" 2>&1 ||
	die "$img: e2fsck -fn finds errors: $(grep -v -E '^(Pass|e2fsck|Warning|$)' "$t/fsck" | head -n 1)"
type=$(debugfs -R "stat $path" "$img" 2>/dev/null | sed -n 's/^Inode: .*Type: \([a-z]*\).*/\1/p')
[ -n "$type" ] || die "$img: no $path"
[ "$type" = regular ] || die "$img: $path is a $type, not a file"
if [ "$cat" = 1 ]; then
	debugfs -R "cat $path" "$img" 2>/dev/null
	exit 0
fi
debugfs -R "dump $path $t/file" "$img" >/dev/null 2>&1 && [ -f "$t/file" ] ||
	die "$img: debugfs cannot dump $path"
echo "$path bytes $(stat -c %s "$t/file") sha256 $(sha256sum <"$t/file" | cut -d' ' -f1)"
