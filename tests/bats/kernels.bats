#!/usr/bin/env bats
# tests/vm/kernels.sh (make kernels): Debian's cloud kernel fetched as a file
# into the build tree, never installed. The first tests check the real cache
# (fetched here when absent: that needs Debian's mirror); the others run the
# script on a scratch folder with apt-get, apt-cache and id replaced by stubs
# that serve a small package made from the cached modules, so they need no
# network and check what the script does with what apt gives it.

# the stand-in package's kernel version
FAKE_KVER=6.1.0-99-cloud-amd64
FAKE_KVER_ARM64=6.1.0-99-arm64
# modinfo lives in /sbin, which a user's PATH may lack
PATH=$PATH:/usr/sbin:/sbin

setup_file() {
	load helpers
	export KDIR=${LA_KERNELS:-$LA_TOP/build/kernels}
	export KC=$KDIR/x86_64-cloud
	# the fetch as make check does it (MAKEFLAGS: not the outer make's jobs
	# or variables)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL LA_KERNELS="$KDIR" \
		make -s --no-print-directory -C "$LA_TOP" kernels >"$BATS_FILE_TMPDIR/fetch.log" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/fetch.status"
	[ "$(cat "$BATS_FILE_TMPDIR/fetch.status")" = 0 ] || return 0

	# a small stand-in for linux-image-KVER: the kernel, kvm and its
	# dependencies from the cache, and the files the script throws away
	local kver p
	kver=$(cat "$KC/kver")
	p=$BATS_FILE_TMPDIR/pkg
	mkdir -p "$p/DEBIAN" "$p/boot" "$p/lib/modules/$FAKE_KVER/kernel/kvm" \
		"$p/usr/share/doc/linux-image-$FAKE_KVER"
	cp "$KC/boot/vmlinuz-$kver" "$p/boot/vmlinuz-$FAKE_KVER"
	cp "$KC/lib/modules/$kver/kernel/arch/x86/kvm/"kvm*.ko \
		"$KC/lib/modules/$kver/kernel/virt/lib/irqbypass.ko" "$p/lib/modules/$FAKE_KVER/kernel/kvm/"
	echo changelog >"$p/usr/share/doc/linux-image-$FAKE_KVER/changelog"
	printf '%s\n' "Package: linux-image-$FAKE_KVER" "Version: 6.1.999-1" "Architecture: amd64" \
		"Maintainer: la tests <la@example.invalid>" "Description: a test stand-in" >"$p/DEBIAN/control"
	dpkg-deb --root-owner-group -Zgzip --build "$p" "$BATS_FILE_TMPDIR/fake.deb" >/dev/null

	# --- aarch64: stand-ins for the arm64 kernel (an Image header, a module
	# the cache keeps and indexes) and busybox-static (its executable, and the
	# non-executable file of the same name the real package has) ---
	p=$BATS_FILE_TMPDIR/pkg-arm64
	mkdir -p "$p/DEBIAN" "$p/boot" "$p/lib/modules/$FAKE_KVER_ARM64/kernel"
	{ head -c 56 /dev/zero; printf 'ARM\x64'; head -c 64 /dev/zero; } >"$p/boot/vmlinuz-$FAKE_KVER_ARM64"
	echo module >"$p/lib/modules/$FAKE_KVER_ARM64/kernel/x.ko"
	printf '%s\n' "Package: linux-image-$FAKE_KVER_ARM64" "Version: 6.1.999-1" "Architecture: arm64" \
		"Maintainer: la tests <la@example.invalid>" "Description: a test stand-in" >"$p/DEBIAN/control"
	dpkg-deb --root-owner-group -Zgzip --build "$p" "$BATS_FILE_TMPDIR/fake-arm64.deb" >/dev/null
	p=$BATS_FILE_TMPDIR/pkg-busybox
	mkdir -p "$p/DEBIAN" "$p/bin" "$p/usr/share/initramfs-tools/bin"
	printf '#!/bin/sh\necho arm64 busybox\n' >"$p/bin/busybox"
	chmod 755 "$p/bin/busybox"
	echo 'not it' >"$p/usr/share/initramfs-tools/bin/busybox"
	printf '%s\n' "Package: busybox-static" "Version: 1:1.35.0-4" "Architecture: arm64" \
		"Maintainer: la tests <la@example.invalid>" "Description: a test stand-in" >"$p/DEBIAN/control"
	dpkg-deb --root-owner-group -Zgzip --build "$p" "$BATS_FILE_TMPDIR/fake-busybox.deb" >/dev/null
}

setup() {
	load helpers
	KERNELS_SH=$LA_TOP/tests/vm/kernels.sh
	T=$BATS_TEST_TMPDIR
	CALLS=$T/calls
	export CALLS STUB_UID=0 FAKE_DEB=$BATS_FILE_TMPDIR/fake.deb FAKE_KVER FAKE_KVER_ARM64
	mkdir -p "$T/stub"
}

# need_cache: the real cache is there (setup_file fetched it)
need_cache() {
	[ "$(cat "$BATS_FILE_TMPDIR/fetch.status")" = 0 ] ||
		fail "make kernels failed: $(cat "$BATS_FILE_TMPDIR/fetch.log")"
}

# stub NAME [SHELL...]: a NAME in $T/stub (first on PATH for with_stubs) that
# logs its arguments to $CALLS, then runs SHELL (default: fails)
stub() {
	local name=$1
	shift
	printf '#!/bin/sh\necho "%s $*" >>"$CALLS"\n%s\n' "$name" "${*:-exit 1}" >"$T/stub/$name"
	chmod +x "$T/stub/$name"
}

# with_stubs CMD...: run CMD with the stubs first on PATH
with_stubs() {
	PATH="$T/stub:$PATH" "$@"
}

# fake_apt: apt-cache and apt-get that serve the stand-in package, and id
# saying $STUB_UID
fake_apt() {
	stub apt-cache 'printf "linux-image-cloud-amd64\n  Depends: linux-image-%s\n" "$FAKE_KVER"'
	stub apt-get '[ "$1" = download ] && cp "$FAKE_DEB" "linux-image-${FAKE_KVER}_6.1.999-1_amd64.deb"'
	stub id 'echo "$STUB_UID"'
}

# is_bzimage FILE: the x86 boot protocol's "HdrS" at 0x202
is_bzimage() {
	[ "$(dd if="$1" bs=1 skip=$((0x202)) count=4 2>/dev/null)" = HdrS ]
}

@test "kernels: make kernels leaves a complete cache: vmlinuz, kver, modules with depmod's index" {
	need_cache
	[ -L "$KC/vmlinuz" ] || fail "$KC/vmlinuz is not a symlink"
	is_bzimage "$KC/vmlinuz" || fail "$KC/vmlinuz is not a bzImage"
	kver=$(cat "$KC/kver")
	assert_equal "$(ls "$KC/lib/modules")" "$kver"
	assert_equal "$(readlink "$KC/vmlinuz")" "boot/vmlinuz-$kver"
	[[ "$kver" == *-cloud-amd64 ]] || fail "kver '$kver'"
	[[ "$(cat "$KC/deb")" == "linux-image-$kver "* ]] || fail "deb: $(cat "$KC/deb")"
	run modinfo -b "$KC" -k "$kver" -n kvm-amd
	assert_success
	assert_output "$KC/lib/modules/$kver/kernel/arch/x86/kvm/kvm-amd.ko"
	# the rest of the package is gone, and no temporary folder is left
	[ ! -e "$KC/usr" ] || fail "$KC/usr is still there"
	run ls -A "$KDIR"
	refute_output --regexp '^\.x86_64-cloud\.'
}

@test "kernels: the emulated-host harness finds the cached kernel and its kvm-amd modules" {
	need_cache
	. "$LA_TOP/tests/vm/lib.sh"
	assert_equal "$(la_vm_l1_kernel)" "$KC/vmlinuz"
	assert_equal "$(la_vm_l2_kernel)" "$KC/vmlinuz"
	assert_equal "$(la_vm_kver "$KC/vmlinuz")" "$(cat "$KC/kver")"
	run la_vm_modules_in_order "$(cat "$KC/kver")" kvm-amd
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 2 --regexp "^$KC/lib/modules/.*/kvm-amd\.ko$"
}

@test "kernels: with the cache complete, a second run calls neither apt nor dpkg and prints nothing" {
	need_cache
	for c in apt-get apt-cache dpkg dpkg-deb depmod flock id; do stub "$c"; done
	run --separate-stderr with_stubs env http_proxy=http://127.0.0.1:9 "$KERNELS_SH" "$KDIR" x86_64-cloud
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	[ ! -e "$CALLS" ] || fail "it called: $(cat "$CALLS")"
}

@test "kernels: a fetch unpacks the package, keeps boot/ and lib/modules/, indexes the modules" {
	need_cache
	fake_apt
	run --separate-stderr with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud
	assert_success
	assert_output "kernels: x86_64-cloud: linux-image-$FAKE_KVER 6.1.999-1 -> $T/k/x86_64-cloud"
	d=$T/k/x86_64-cloud
	assert_equal "$(cat "$d/kver")" "$FAKE_KVER"
	assert_equal "$(cat "$d/deb")" "linux-image-$FAKE_KVER 6.1.999-1"
	is_bzimage "$d/vmlinuz" || fail "$d/vmlinuz is not a bzImage"
	assert_equal "$(modinfo -b "$d" -k "$FAKE_KVER" -F depends kvm-amd)" kvm
	[ ! -e "$d/usr" ] || fail "usr/ was kept"
	run ls -A "$T/k"
	refute_output --regexp '^\.x86_64-cloud\.'
	grep -q '^apt-get download -qq -o APT::Sandbox::User=root linux-image-6.1.0-99-cloud-amd64$' "$CALLS" ||
		fail "calls: $(cat "$CALLS")"
	# and once there, it is not fetched again
	: >"$CALLS"
	run with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud
	assert_success
	assert_output ""
	[ ! -s "$CALLS" ] || fail "it called: $(cat "$CALLS")"
}

@test "kernels: an incomplete cache is replaced as a whole" {
	need_cache
	fake_apt
	mkdir -p "$T/k/x86_64-cloud/lib"
	echo "$FAKE_KVER" >"$T/k/x86_64-cloud/kver"
	echo stale >"$T/k/x86_64-cloud/stale"
	run with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud
	assert_success
	[ -s "$T/k/x86_64-cloud/lib/modules/$FAKE_KVER/modules.dep" ] || fail "no modules.dep"
	[ ! -e "$T/k/x86_64-cloud/stale" ] || fail "the old cache's files are still there"
}

@test "kernels: a package that does not unpack fails with one line and leaves no cache, no temporary folder" {
	fake_apt
	echo 'not a package' >"$T/bad.deb"
	FAKE_DEB=$T/bad.deb
	run --separate-stderr with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud
	assert_failure 1
	[[ "$stderr" == "kernels: "* ]] || fail "stderr: $stderr"
	assert_equal "$(wc -l <<<"$stderr")" 1
	run ls -A "$T/k"
	refute_output --regexp '^\.?x86_64-cloud'
}

@test "kernels: an interrupted fetch's temporary folder is removed by the next fetch" {
	need_cache
	fake_apt
	mkdir -p "$T/k/.x86_64-cloud.AbC123/root/boot"
	run with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud
	assert_success
	[ ! -e "$T/k/.x86_64-cloud.AbC123" ] || fail "the old temporary folder is still there"
}

@test "kernels: as root, no apt list means apt-get update once, then the fetch" {
	need_cache
	fake_apt
	stub apt-cache '[ -e "$CALLS.updated" ] || { echo "E: No packages found" >&2; exit 100; }
printf "linux-image-cloud-amd64\n  Depends: linux-image-%s\n" "$FAKE_KVER"'
	stub apt-get 'case $1 in update) touch "$CALLS.updated" ;;
download) cp "$FAKE_DEB" "linux-image-${FAKE_KVER}_6.1.999-1_amd64.deb" ;; esac'
	run --separate-stderr with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud
	assert_success
	assert_line --index 0 "kernels: no apt list has linux-image-cloud-amd64; running apt-get update"
	assert_equal "$(grep -c '^apt-get update' "$CALLS")" 1
	[ -s "$T/k/x86_64-cloud/kver" ] || fail "no cache"
}

@test "kernels: as root, a list that stays empty after apt-get update fails with one line" {
	stub apt-cache 'echo "E: No packages found" >&2; exit 100'
	stub apt-get 'exit 0'
	stub id 'echo 0'
	fails 1 "kernels: no apt list has linux-image-cloud-amd64 (E: No packages found), even after apt-get update" \
		with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud
	assert_equal "$(grep -c '^apt-get update' "$CALLS")" 1
}

@test "kernels: not as root, no apt list means: run sudo apt-get update (exit 1)" {
	stub apt-cache 'echo "E: No packages found" >&2; exit 100'
	stub apt-get
	stub id 'echo 1000'
	fails 1 "kernels: no apt list has linux-image-cloud-amd64 (E: No packages found): run 'sudo apt-get update', then this again" \
		with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud
	run grep '^apt-get' "$CALLS"
	assert_output ""
}

@test "kernels: usage errors exit 2 with one line" {
	fails 2 "kernels: usage: kernels.sh DIR TARGET... (targets: x86_64-cloud aarch64 riscv64)" "$KERNELS_SH"
	fails 2 "kernels: usage: kernels.sh DIR TARGET... (targets: x86_64-cloud aarch64 riscv64)" "$KERNELS_SH" "$T/k"
	fails 2 "kernels: unknown option '--refresh'; usage: kernels.sh DIR TARGET... (targets: x86_64-cloud aarch64 riscv64)" \
		"$KERNELS_SH" --refresh "$T/k" x86_64-cloud
	run "$KERNELS_SH" --help
	assert_success
	assert_output "usage: kernels.sh DIR TARGET... (targets: x86_64-cloud aarch64 riscv64)"
}

@test "kernels: an unknown target exits 2 before anything is fetched" {
	for c in apt-get apt-cache dpkg id; do stub "$c"; done
	fails 2 "kernels: 'aarch64-cloud': unknown target (known: x86_64-cloud aarch64 riscv64)" \
		with_stubs "$KERNELS_SH" "$T/k" x86_64-cloud aarch64-cloud
	[ ! -e "$CALLS" ] || fail "it called: $(cat "$CALLS")"
	[ ! -e "$T/k" ] || fail "it created $T/k"
}

# --- aarch64 ---

# is_arm64_image FILE: the arm64 Image header's magic "ARM\x64" at 56
is_arm64_image() {
	[ "$(od -An -tx1 -j56 -N4 "$1" | tr -d ' ')" = 41524d64 ]
}

@test "kernels: make kernels leaves the arm64 kernel (a raw Image), its modules with depmod's index and an arm64 static busybox" {
	need_cache
	local d=$KDIR/aarch64 kver
	[ -L "$d/vmlinuz" ] || fail "$d/vmlinuz is not a symlink"
	is_arm64_image "$d/vmlinuz" || fail "$d/vmlinuz is not an arm64 Image"
	kver=$(cat "$d/kver")
	[[ "$kver" == *-arm64 ]] || fail "kver '$kver'"
	assert_equal "$(readlink "$d/vmlinuz")" "boot/vmlinuz-$kver"
	[[ "$(cat "$d/deb")" == "linux-image-$kver "* ]] || fail "deb: $(cat "$d/deb")"
	[ -s "$d/lib/modules/$kver/modules.dep" ] || fail "no $d/lib/modules/$kver/modules.dep"
	# the test guest's modules are there (mkguest.sh --modules)
	run modinfo -b "$d" -k "$kver" -n virtio_blk
	assert_success
	assert_output "$d/lib/modules/$kver/kernel/drivers/block/virtio_blk.ko"
	run file -b "$d/bin/busybox"
	assert_output --regexp 'ELF 64-bit LSB .*ARM aarch64.*statically linked'
	# the machine's own apt is untouched: no foreign architecture
	run dpkg --print-foreign-architectures
	assert_output ""
	. "$LA_TOP/tests/vm/lib.sh"
	assert_equal "$(la_vm_l1_kernel_aarch64)" "$d/vmlinuz"
	assert_equal "$(la_vm_busybox_aarch64)" "$d/bin/busybox"
	assert_equal "$(la_vm_missing_aarch64)" ""
}

# fake_apt_arm64: apt-cache and apt-get that serve the arm64 stand-ins and
# log APT_CONFIG; id saying $STUB_UID
fake_apt_arm64() {
	stub apt-cache 'echo "APT_CONFIG=$APT_CONFIG" >>"$CALLS"
printf "linux-image-arm64\n  Depends: linux-image-%s\n" "$FAKE_KVER_ARM64"'
	stub apt-get 'echo "APT_CONFIG=$APT_CONFIG" >>"$CALLS"
case $1 in
update) ;;
download) cp "$FAKE_DEB_ARM64" "linux-image-${FAKE_KVER_ARM64}_6.1.999-1_arm64.deb"
	cp "$FAKE_BUSYBOX" "busybox-static_1.35.0-4_arm64.deb" ;;
*) exit 1 ;;
esac'
	stub id 'echo "$STUB_UID"'
	export FAKE_DEB_ARM64=$BATS_FILE_TMPDIR/fake-arm64.deb FAKE_BUSYBOX=$BATS_FILE_TMPDIR/fake-busybox.deb
}

@test "kernels: aarch64 comes through a private apt configuration, as any user: its own lists, arm64, its modules indexed" {
	fake_apt_arm64
	STUB_UID=1000
	run --separate-stderr with_stubs "$KERNELS_SH" "$T/k" aarch64
	assert_success
	assert_output "kernels: aarch64: linux-image-$FAKE_KVER_ARM64 6.1.999-1 -> $T/k/aarch64"
	local d=$T/k/aarch64 a=$T/k/.apt-arm64
	assert_equal "$(cat "$d/kver")" "$FAKE_KVER_ARM64"
	is_arm64_image "$d/vmlinuz" || fail "$d/vmlinuz is not the Image"
	assert_equal "$("$d/bin/busybox")" "arm64 busybox"
	grep -q '^kernel/x.ko:' "$d/lib/modules/$FAKE_KVER_ARM64/modules.dep" ||
		fail "modules.dep: $(cat "$d/lib/modules/$FAKE_KVER_ARM64/modules.dep" 2>&1)"
	[ ! -e "$d/usr" ] || fail "usr/ was kept"
	# every apt call used the private configuration, whose lists are its own
	! grep '^APT_CONFIG=' "$CALLS" | grep -qv "^APT_CONFIG=$a/apt.conf\$" || fail "calls: $(cat "$CALLS")"
	grep -q '^apt-get update -qq$' "$CALLS" || fail "no update of the private list: $(cat "$CALLS")"
	grep -q "^apt-get download -qq linux-image-$FAKE_KVER_ARM64 busybox-static\$" "$CALLS" ||
		fail "calls: $(cat "$CALLS")"
	grep -q "Dir::State::Lists \"$a/lists\"" "$a/apt.conf" || fail "apt.conf: $(cat "$a/apt.conf")"
	grep -q 'APT::Architecture "arm64"' "$a/apt.conf" || fail "apt.conf: $(cat "$a/apt.conf")"
	grep -q '^deb \[arch=arm64 .* bookworm main$' "$a/etc/sources.list" ||
		fail "sources.list: $(cat "$a/etc/sources.list")"
	# once there, nothing is fetched again
	: >"$CALLS"
	run with_stubs "$KERNELS_SH" "$T/k" aarch64
	assert_success
	assert_output ""
	[ ! -s "$CALLS" ] || fail "it called: $(cat "$CALLS")"
}

@test "kernels: aarch64 without busybox-static's executable is an error, one line, no cache" {
	fake_apt_arm64
	local p=$T/pkg
	mkdir -p "$p/DEBIAN" "$p/usr/share/doc/busybox-static"
	echo doc >"$p/usr/share/doc/busybox-static/README"
	printf '%s\n' "Package: busybox-static" "Version: 1:1.35.0-4" "Architecture: arm64" \
		"Maintainer: la tests <la@example.invalid>" "Description: a test stand-in" >"$p/DEBIAN/control"
	dpkg-deb --root-owner-group -Zgzip --build "$p" "$T/bb.deb" >/dev/null
	FAKE_BUSYBOX=$T/bb.deb
	run --separate-stderr with_stubs "$KERNELS_SH" "$T/k" aarch64
	assert_failure 1
	assert_equal "$stderr" "kernels: busybox-static: no bin/busybox"
	run ls -A "$T/k"
	refute_output --regexp '^\.?aarch64'
}
