#!/bin/bash
# tests/vm/kernels.sh DIR TARGET...: fetch the kernels the VM tests boot (the
# emulated host, L1, and the Linux guest, L2) as files into DIR/TARGET, from
# Debian's package, without installing it (no /boot, no /lib/modules):
#
#   x86_64-cloud   linux-image-cloud-amd64 (the versioned package it depends on)
#   aarch64        linux-image-arm64 (bookworm's generic arm64 kernel: KVM built
#                  in, so L1 needs no modules; a raw Image) and busybox-static
#                  for arm64, through a private apt configuration (DIR/.apt-arm64:
#                  its own lists, cache and status; no dpkg foreign architecture)
#   riscv64        linux-image-riscv64 (trixie's riscv64 kernel: a raw Image;
#                  KVM is a module, also kept decompressed as
#                  lib/modules/KVER/kvm.ko) and busybox-static for riscv64,
#                  through a private apt configuration (DIR/.apt-riscv64)
#
# DIR/TARGET/ then holds
#   vmlinuz          symlink to boot/vmlinuz-KVER
#   kver             KVER, the module directory name
#   deb              the package's name and version
#   boot/            the package's boot/ (vmlinuz, config)
#   lib/modules/KVER the modules as the package has them (.ko, or .ko.xz on
#                    riscv64), with depmod's index: modinfo -b DIR/TARGET -k KVER
#                    (every target: the test guest loads the virtio modules)
#   bin/busybox      the target's static busybox (aarch64, riscv64)
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
usage_line="usage: kernels.sh DIR TARGET... (targets: x86_64-cloud aarch64 riscv64)"
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

# target_vars TARGET: set what a target is made of: the meta package, its
# Debian architecture, the versioned package's flavour suffix, extra
# packages (their bin/busybox is kept) and, for a foreign architecture, the
# suite of its private package list. Every target keeps its modules.
target_vars() {
	suite="" extra=""
	case $1 in
	x86_64-cloud) meta=linux-image-cloud-amd64 debarch=amd64 flavour=cloud-amd64 ;;
	# --- aarch64 ---
	aarch64)
		meta=linux-image-arm64 debarch=arm64 flavour=arm64
		extra=busybox-static suite=bookworm
		;;
	# --- end aarch64 ---
	# --- riscv64 ---
	riscv64)
		meta=linux-image-riscv64 debarch=riscv64 flavour=riscv64
		extra=busybox-static suite=trixie
		;;
	# --- end riscv64 ---
	*) return 1 ;;
	esac
}
# all targets are checked before anything is fetched
for t in "$@"; do
	target_vars "$t" || usage "'$t': unknown target (known: x86_64-cloud aarch64 riscv64)"
done

# complete DEST: DEST is a finished cache (kver, the kernel, the module index)
complete() {
	local kver
	kver=$(cat "$1/kver" 2>/dev/null) || return 1
	[ -n "$kver" ] && [ -s "$1/vmlinuz" ] || return 1
	[ -z "$extra" ] || [ -x "$1/bin/busybox" ] || return 1
	[ -s "$1/lib/modules/$kver/modules.dep" ] || return 1
	# --- riscv64: its KVM module ---
	[ "$meta" != linux-image-riscv64 ] || [ -s "$1/lib/modules/$kver/kvm.ko" ]
	# --- end riscv64 ---
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
		grep -E "^linux-image-[0-9].*-$flavour\$" | sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "E: $meta depends on no linux-image-*-$flavour" >"$stage/apt.log"; return 1; }
}

# download: apt-get download $pkg into $stage/deb (apt drops to user _apt to
# download, which cannot write the private stage folder: root stays root)
download() {
	local sandbox=()
	[ "$(id -u)" != 0 ] || sandbox=(-o APT::Sandbox::User=root)
	rm -rf "$stage/deb"
	mkdir -p "$stage/deb" || return 1
	# shellcheck disable=SC2086
	(cd "$stage/deb" && apt-get download -qq "${sandbox[@]}" "$pkg" $extra) >"$stage/apt.log" 2>&1 &&
		ls "$stage/deb"/*.deb >/dev/null 2>&1
}

# private_apt: for a foreign architecture's target, an apt configuration of
# its own under DIR/.apt-$debarch (sources, lists, cache, status; the
# machine's apt setup and dpkg architectures are untouched), exported as
# APT_CONFIG for resolve and download; its lists are fetched once.
private_apt() {
	local a=$dir/.apt-$debarch m
	m=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	m=${LA_DEBIAN_MIRROR:-${m:-http://deb.debian.org/debian}}
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/etc/preferences.d" || return 1
	[ -e "$a/status" ] || : >"$a/status"
	echo "deb [arch=$debarch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m $suite main" \
		>"$a/etc/sources.list"
	cat >"$a/apt.conf" <<CONF
Dir::Etc::sourcelist "$a/etc/sources.list"; Dir::Etc::sourceparts "/nonexistent";
Dir::Etc::preferencesparts "$a/etc/preferences.d"; Dir::State::Lists "$a/lists";
Dir::Cache "$a/cache"; Dir::State::status "$a/status";
APT::Architecture "$debarch"; APT::Architectures { "$debarch"; };
CONF
	export APT_CONFIG=$a/apt.conf
	ls "$a"/lists/*_Packages* >/dev/null 2>&1 && return 0
	apt-get update -qq >"$stage/apt.log" 2>&1
}

# fetch: resolve and download $meta's kernel package into $stage/deb
updated=0
fetch() {
	local what
	if [ -n "$suite" ]; then
		private_apt || die "apt-get update of the $debarch list failed: $(apt_error "$stage/apt.log")"
	fi
	while :; do
		what="no apt list has $meta"
		if resolve; then
			what="apt-get download $pkg failed"
			download && return 0
		fi
		if [ -n "$suite" ]; then
			# the private list: anyone may update it
			[ "$updated" = 0 ] || die "$what ($(apt_error "$stage/apt.log")), even after updating the $debarch list"
			APT_CONFIG=$APT_CONFIG apt-get update -qq >"$stage/apt.log" 2>&1 ||
				die "apt-get update of the $debarch list failed: $(apt_error "$stage/apt.log")"
			updated=1
			continue
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
	[ "$host" = "$debarch" ] || [ -n "$suite" ] ||
		die "$target: comes from $meta, an $debarch package; this host's apt is $host (foreign architectures are not set up)"
	stage=$(mktemp -d "$dir/.$target.XXXXXX") || die "cannot create a folder in $dir"
	trap 'rm -rf "$stage"' EXIT
	trap 'exit 130' INT TERM HUP

	fetch
	debs=("$stage/deb/$pkg"_*.deb)
	deb=${debs[0]}
	version=$(dpkg-deb -f "$deb" Version 2>/dev/null) || die "$deb: not a Debian package"
	root=$stage/root
	dpkg -x "$deb" "$root" 2>"$stage/dpkg.log" ||
		die "dpkg -x $(basename "$deb") failed: $(tail -n 1 "$stage/dpkg.log")"
	# a merged-/usr package (trixie) has usr/lib/modules: keep it as lib/modules
	if [ ! -e "$root/lib/modules" ] && [ -d "$root/usr/lib/modules" ]; then
		mkdir -p "$root/lib" && mv "$root/usr/lib/modules" "$root/lib/modules" ||
			die "$pkg: cannot move usr/lib/modules to lib/modules"
	fi
	for p in $extra; do
		x=$(ls "$stage/deb/$p"_*.deb 2>/dev/null | head -n 1)
		[ -n "$x" ] || die "apt-get download $p gave no package"
		dpkg -x "$x" "$stage/extra" 2>"$stage/dpkg.log" ||
			die "dpkg -x $(basename "$x") failed: $(tail -n 1 "$stage/dpkg.log")"
	done
	if [ -n "$extra" ]; then
		# the static busybox (the package also has a non-executable file
		# of that name under usr/share)
		# (trixie's is in usr/bin: merged /usr)
		bb=$stage/extra/bin/busybox
		[ -x "$bb" ] || bb=$stage/extra/usr/bin/busybox
		[ -f "$bb" ] || die "$extra: no bin/busybox"
		install -D -m 755 "$bb" "$root/bin/busybox" ||
			die "$extra: cannot copy bin/busybox"
	fi
	# --- riscv64: KVM is a module; keep a decompressed copy of kvm.ko
	# beside the tree (busybox's insmod takes no .xz) ---
	if [ "$target" = riscv64 ]; then
		rvk=${pkg#linux-image-}
		ko=$(find "$root/lib/modules/$rvk/kernel/arch/riscv/kvm" -name 'kvm.ko*' 2>/dev/null | head -n 1)
		[ -n "$ko" ] || die "$pkg: no kernel/arch/riscv/kvm/kvm.ko"
		case $ko in
		*.xz) xz -dc "$ko" >"$root/lib/modules/$rvk/kvm.ko" ;;
		*) cp "$ko" "$root/lib/modules/$rvk/kvm.ko" ;;
		esac || die "$pkg: cannot unpack $(basename "$ko")"
		# the package calls its Image (EFI stub, raw Image header) vmlinux
		[ -e "$root/boot/vmlinuz-$rvk" ] || ln -s "vmlinux-$rvk" "$root/boot/vmlinuz-$rvk"
	fi
	# --- end riscv64 ---
	rm -rf "$stage/deb" "$stage/extra"
	# keep the kernel and its modules; the docs, lintian and bug files go
	find "$root" -mindepth 1 -maxdepth 1 ! -name boot ! -name lib ! -name bin -exec rm -rf {} +
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
