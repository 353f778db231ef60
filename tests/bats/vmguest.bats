#!/usr/bin/env bats
# The virtio test guest's pieces that run on this machine, no VM needed
# (tests/vm/README.md, Virtio): the module closure mkguest.sh --modules
# takes from the unpacked kernels, the disk images of mkdisk.sh and their
# reading back by diskfile.sh, la-vsock's command line. Their use with a VM:
# tests/bats/vmrun_vm_virtio.bats.

load helpers

PATH=$PATH:/usr/sbin:/sbin

setup() {
	T=$BATS_TEST_TMPDIR
	KDIR=${LA_KERNELS:-$LA_TOP/build/kernels}
	. "$LA_TOP/tests/vm/lib.sh"
}

# kernel_cache TARGET: the cache folder of TARGET (make kernels made it)
kernel_cache() {
	local d=$KDIR/$1
	[ -s "$d/kver" ] || {
		[ -z "${CI:-}" ] || fail "no $d (make kernels)"
		skip "no kernel cache $d (make kernels)"
	}
	[ -s "$d/lib/modules/$(cat "$d/kver")/modules.dep" ] || fail "$d: no modules.dep (an old cache: make kernels fetches it again)"
	echo "$d"
}

@test "mkguest --modules: virtio_blk on x86_64 needs virtio and virtio_ring first; ext4 is built in" {
	local d kver
	d=$(kernel_cache x86_64-cloud) || return
	kver=$(cat "$d/kver")
	run la_vm_module_deps "$d" "$kver" virtio_blk
	assert_success
	assert_output "$(printf '%s\n' kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko \
		kernel/drivers/block/virtio_blk.ko)"
	run la_vm_module_deps "$d" "$kver" ext4
	assert_success
	assert_output ""
	run --separate-stderr la_vm_module_deps "$d" "$kver" no_such_module
	assert_failure
	assert_equal "$stderr" "module no_such_module not found in $d/lib/modules/$kver"
}

@test "mkguest --modules: ext4 on aarch64 brings crc32c (its softdep, through modules.alias) before jbd2 and ext4" {
	local d
	d=$(kernel_cache aarch64) || return
	run la_vm_module_deps "$d" "$(cat "$d/kver")" ext4
	assert_success
	assert_output "$(printf '%s\n' kernel/crypto/crc32c_generic.ko kernel/lib/crc16.ko \
		kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko kernel/fs/ext4/ext4.ko)"
}

@test "mkguest --modules: the initramfs carries the modules decompressed, with la.dep in load order (riscv64: .ko.xz, virtio_pci built in)" {
	local d kver
	d=$(kernel_cache riscv64) || return
	kver=$(cat "$d/kver")
	"$LA_TOP/tests/vm/mkguest.sh" --modules "$d" "$T/g.cpio" riscv64
	mkdir "$T/x"
	(cd "$T/x" && cpio -id --quiet <"$T/g.cpio")
	run grep -E '^(virtio_pci|virtio_blk|ext4):' "$T/x/lib/modules/$kver/la.dep"
	assert_output "$(printf '%s\n' 'virtio_pci:' 'virtio_blk: virtio_blk' \
		'ext4: crc32c_generic crc16 mbcache jbd2 ext4')"
	run file -b "$T/x/lib/modules/$kver/ext4.ko"
	assert_output --regexp '^ELF 64-bit LSB relocatable, UCB RISC-V'
	[ -x "$T/x/init" ] && [ -x "$T/x/bin/busybox" ] || fail "no /init or busybox"
	# without --modules: no module, as before
	"$LA_TOP/tests/vm/mkguest.sh" "$T/plain.cpio" riscv64
	run sh -c "cpio -t --quiet <'$T/plain.cpio'"
	refute_output --partial lib/modules
}

@test "mkdisk + diskfile: a file put in the image is read back out without root, the same bytes" {
	require mke2fs "Debian package e2fsprogs"
	mkdir -p "$T/d/sub"
	head -c 123457 /dev/urandom >"$T/d/sub/blob"
	"$LA_TOP/tests/vm/mkdisk.sh" --size 8M "$T/disk.img" "$T/d"
	run "$LA_TOP/tests/vm/diskfile.sh" "$T/disk.img" /sub/blob
	assert_success
	assert_output "/sub/blob bytes 123457 sha256 $(sha256sum <"$T/d/sub/blob" | cut -d' ' -f1)"
	"$LA_TOP/tests/vm/diskfile.sh" --cat "$T/disk.img" /sub/blob | cmp - "$T/d/sub/blob"
	# bootable: busybox and the guest's init, owned by root
	"$LA_TOP/tests/vm/diskfile.sh" --cat "$T/disk.img" /sbin/init | cmp - "$LA_TOP/tests/vm/guest-init.sh"
	run debugfs -R 'stat /sbin/init' "$T/disk.img"
	assert_output --regexp 'User: +0 +Group: +0'
	# --data: the folder alone
	"$LA_TOP/tests/vm/mkdisk.sh" --data --size 4M "$T/data.img" "$T/d"
	fails 1 "diskfile: $T/data.img: no /sbin/init" "$LA_TOP/tests/vm/diskfile.sh" "$T/data.img" /sbin/init
}

@test "diskfile: an absent path, a folder, a non-image and an unreplayed journal fail with one line" {
	require mke2fs "Debian package e2fsprogs"
	"$LA_TOP/tests/vm/mkdisk.sh" --data --size 4M "$T/disk.img"
	fails 1 "diskfile: $T/disk.img: no /nope" "$LA_TOP/tests/vm/diskfile.sh" "$T/disk.img" /nope
	fails 1 "diskfile: $T/disk.img: /lost+found is a directory, not a file" \
		"$LA_TOP/tests/vm/diskfile.sh" "$T/disk.img" /lost+found
	head -c 65536 /dev/zero >"$T/zero.img"
	fails 1 "diskfile: $T/zero.img: not an ext2/3/4 image" "$LA_TOP/tests/vm/diskfile.sh" "$T/zero.img" /x
	# what a guest that powered off without unmounting leaves
	debugfs -w -R 'feature needs_recovery' "$T/disk.img" >/dev/null 2>&1
	fails 1 "diskfile: $T/disk.img: its journal holds changes not yet written back (the guest did not unmount)" \
		"$LA_TOP/tests/vm/diskfile.sh" "$T/disk.img" /nope
}

@test "mkdisk: usage errors exit 2, a missing folder 1, one line each" {
	run --separate-stderr "$LA_TOP/tests/vm/mkdisk.sh"
	assert_failure 2
	run --separate-stderr "$LA_TOP/tests/vm/mkdisk.sh" --arch sparc "$T/x.img"
	assert_failure 2
	[[ $stderr == "mkdisk: --arch: 'sparc': not x86_64, aarch64 or riscv64"* ]] || fail "stderr: $stderr"
	fails 1 "mkdisk: '$T/none': not a directory" "$LA_TOP/tests/vm/mkdisk.sh" "$T/x.img" "$T/none"
}

@test "la-vsock: usage errors exit 2 with the usage; without a vsock transport a connect fails with one line" {
	local v=${LA_BUILD:-$LA_TOP/build}/tests/x86_64/la-vsock
	[ "$(uname -m)" = x86_64 ] || skip "the x86_64 build"
	[ -x "$v" ] || make -s -C "$LA_TOP" --no-print-directory BUILD="${LA_BUILD:-$LA_TOP/build}" "$v"
	run --separate-stderr "$v"
	assert_failure 2
	assert_equal "$stderr" "la-vsock: no mode given
usage: la-vsock [-n BYTES] [-t SECS] [-w] listen PORT | connect CID PORT"
	run --separate-stderr "$v" connect 2
	assert_failure 2
	[[ $stderr == "la-vsock: connect takes CID PORT"* ]] || fail "stderr: $stderr"
	run --separate-stderr "$v" -n -5 listen 1
	assert_failure 2
	[[ $stderr == "la-vsock: -n: '-5' is not a number"* ]] || fail "stderr: $stderr"
	# a real exchange needs a vsock transport (vsock_loopback, or a VM):
	# tests/bats/vmrun_vm_virtio.bats; here at least it fails cleanly
	run --separate-stderr "$v" -t 5 connect 1 9
	[ "$status" = 0 ] || { assert_failure 1; [[ $stderr == "la-vsock: "* ]] || fail "stderr: $stderr"; }
}
