#!/bin/bash
# tests/vm/kernels.sh DIR TARGET...: fetch the kernels the VM tests boot (the
# emulated host, L1, and the Linux guest, L2) as files into DIR/TARGET, from
# Debian's package, without installing it (no /boot, no /lib/modules):
#
#   x86_64-cloud   linux-image-cloud-amd64 (the versioned package it depends on)
#
# DIR/TARGET/ then holds
#   vmlinuz          symlink to boot/vmlinuz-KVER
#   kver             KVER, the module directory name
#   deb              the package's name and version
#   boot/            the package's boot/ (vmlinuz, config)
#   lib/modules/KVER the modules, with depmod's index: modinfo -b DIR/TARGET -k KVER
#
# Fetched once: when DIR/TARGET is complete this does nothing and touches no
# network (remove the folder to fetch again). It is written atomically: the
# package is unpacked into a temporary folder beside it, then renamed, so an
# interrupted fetch leaves no half cache. When apt has no list for the
# package (or a stale one), root runs `apt-get update` once and retries;
# anyone else is told to.
#
# Exit status: 0 ok, 1 the fetch failed (one line "kernels: ..."), 2 usage.
set -u
prog=kernels
usage_line="usage: kernels.sh DIR TARGET... (targets: x86_64-cloud)"
usage() {
	echo "$prog: $*" >&2
	exit 2
}
die() {
	echo "$prog: $*" >&2
	exit 1
}
# depmod lives in /usr/sbin, which a user's PATH may not have (appended, so
# PATH still decides first)
PATH=$PATH:/usr/sbin:/sbin
export LC_ALL=C

case ${1:-} in
-h | --help) echo "$usage_line"; exit 0 ;;
-*) usage "unknown option '$1'; $usage_line" ;;
esac
[ $# -ge 2 ] || usage "$usage_line"
dir=$1
shift

# target_vars TARGET: set what a target is made of. Other flavours (arm64,
# riscv64 cloud kernels) go here; they need another architecture's package
# list, which this script does not set up.
target_vars() {
	case $1 in
	x86_64-cloud) meta=linux-image-cloud-amd64 debarch=amd64 ;;
	*) return 1 ;;
	esac
}
# all targets are checked before anything is fetched
for t in "$@"; do
	target_vars "$t" || usage "'$t': unknown target (known: x86_64-cloud)"
done

# complete DEST: DEST is a finished cache (kver, the kernel, the module index)
complete() {
	local kver
	kver=$(cat "$1/kver" 2>/dev/null) || return 1
	[ -n "$kver" ] && [ -s "$1/vmlinuz" ] && [ -s "$1/lib/modules/$kver/modules.dep" ]
}

# apt_error FILE: the last error line apt wrote, for a one-line message
apt_error() {
	local e
	e=$(grep -E '^(E|W): ' "$1" 2>/dev/null | tail -n 1)
	echo "${e:-$(tail -n 1 "$1" 2>/dev/null)}"
}

# resolve: set pkg to the versioned package the meta package depends on
# (the candidate's; the newest, should there be more than one)
resolve() {
	local out
	out=$(apt-cache depends "$meta" 2>"$stage/apt.log") || return 1
	pkg=$(awk '$1 ~ /Depends:$/ { gsub(/[<>]/, "", $2); print $2 }' <<<"$out" |
		grep -E "^linux-image-[0-9].*-cloud-$debarch\$" | sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "E: $meta depends on no linux-image-*-cloud-$debarch" >"$stage/apt.log"; return 1; }
}

# download: apt-get download $pkg into $stage/deb (apt drops to user _apt to
# download, which cannot write the private stage folder: root stays root)
download() {
	local sandbox=()
	[ "$(id -u)" != 0 ] || sandbox=(-o APT::Sandbox::User=root)
	rm -rf "$stage/deb"
	mkdir -p "$stage/deb" || return 1
	(cd "$stage/deb" && apt-get download -qq "${sandbox[@]}" "$pkg") >"$stage/apt.log" 2>&1 &&
		ls "$stage/deb"/*.deb >/dev/null 2>&1
}

# fetch: resolve and download $meta's kernel package into $stage/deb
updated=0
fetch() {
	local what
	while :; do
		what="no apt list has $meta"
		if resolve; then
			what="apt-get download $pkg failed"
			download && return 0
		fi
		if [ "$(id -u)" != 0 ]; then
			die "$what ($(apt_error "$stage/apt.log")): run 'sudo apt-get update', then this again"
		fi
		[ "$updated" = 0 ] || die "$what ($(apt_error "$stage/apt.log")), even after apt-get update"
		# no list, or a stale one (the mirror dropped the version it names)
		echo "$prog: $what; running apt-get update"
		apt-get update -qq >"$stage/apt.log" 2>&1 ||
			die "apt-get update failed: $(apt_error "$stage/apt.log")"
		updated=1
	done
}

mkdir -p "$dir" || die "cannot create $dir"
dir=$(cd "$dir" && pwd) || die "cannot enter $dir"

for target in "$@"; do
	target_vars "$target"
	dest=$dir/$target
	complete "$dest" && continue
	# one fetch at a time per DIR (make -j, parallel test suites); the
	# winner's cache is then complete for the others
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$dir/.lock" || die "cannot write $dir/.lock"
		flock 9 || die "cannot lock $dir/.lock"
		complete "$dest" && continue
	fi
	# what an interrupted fetch left (the lock says no one else is at it)
	rm -rf "$dir/.$target".*
	for cmd in apt-get apt-cache dpkg dpkg-deb depmod; do
		command -v "$cmd" >/dev/null 2>&1 ||
			die "$cmd not found (the kernels come from Debian packages, via apt)"
	done
	host=$(dpkg --print-architecture)
	[ "$host" = "$debarch" ] ||
		die "$target: comes from $meta, an $debarch package; this host's apt is $host (foreign architectures are not set up)"
	stage=$(mktemp -d "$dir/.$target.XXXXXX") || die "cannot create a folder in $dir"
	trap 'rm -rf "$stage"' EXIT
	trap 'exit 130' INT TERM HUP

	fetch
	debs=("$stage/deb"/*.deb)
	deb=${debs[0]}
	version=$(dpkg-deb -f "$deb" Version 2>/dev/null) || die "$deb: not a Debian package"
	dpkg -x "$deb" "$stage/root" 2>"$stage/dpkg.log" ||
		die "dpkg -x $(basename "$deb") failed: $(tail -n 1 "$stage/dpkg.log")"
	rm -rf "$stage/deb"
	# keep the kernel and its modules; the docs, lintian and bug files go
	root=$stage/root
	find "$root" -mindepth 1 -maxdepth 1 ! -name boot ! -name lib -exec rm -rf {} +
	find "$root/lib" -mindepth 1 -maxdepth 1 ! -name modules -exec rm -rf {} + 2>/dev/null
	kvers=()
	for k in "$root"/lib/modules/*; do
		[ ! -d "$k" ] || kvers+=("$k")
	done
	[ ${#kvers[@]} = 1 ] || die "$pkg: expected one lib/modules/KVER folder, found ${#kvers[@]}"
	kver=$(basename "${kvers[0]}")
	[ -s "$root/boot/vmlinuz-$kver" ] || die "$pkg: no boot/vmlinuz-$kver"
	depmod -b "$root" "$kver" 2>"$stage/depmod.log" ||
		die "depmod -b for $kver failed: $(tail -n 1 "$stage/depmod.log")"
	ln -s "boot/vmlinuz-$kver" "$root/vmlinuz"
	echo "$pkg $version" >"$root/deb"
	echo "$kver" >"$root/kver"
	complete "$root" || die "$pkg: the unpacked tree is incomplete"

	# a cache that was there but incomplete goes aside first (renaming onto
	# a non-empty folder fails); in between there is no cache, never half one
	if [ -e "$dest" ] || [ -L "$dest" ]; then
		mv "$dest" "$stage/old" || die "cannot move the old $dest aside"
	fi
	mv "$root" "$dest" || die "cannot rename the new cache to $dest"
	echo "$prog: $target: $pkg $version -> $dest"
	rm -rf "$stage"
	trap - EXIT
	exec 9>&-
done
exit 0
