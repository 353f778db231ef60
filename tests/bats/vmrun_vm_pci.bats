#!/usr/bin/env bats
# la-vmrun's virtio devices over PCI as a Linux guest sees them: Debian's cloud
# kernel loads its virtio modules (tests/vm/virtio-init.sh over the test
# guest, tests/vm/mkguest-virtio.sh) and reads a marker from /dev/vda,
# writes it, is refused writing a read-only disk, reads /dev/hwrng, and
# answers on hvc0 with --console virtio. Where /dev/kvm cannot boot Linux
# the cases run inside an emulated x86_64 host (tests/vm/run-in-l1.sh), all
# in ONE boot of it; each @test checks one case's saved results.
# LA_VM_FORCE_L1=1 runs them in the emulated host even where /dev/kvm exists.

load vmrun_vm_helpers

VM_LINUX_TIMEOUT=240

vm_cases_virtio() {
	local t=$VM_LINUX_TIMEOUT
	local boot='--mem 512M --initrd "$P/virtio.cpio" "$P/vmlinuz"'
	cat <<EOF
la-case v-blk $t la-vmrun --disk "\$P/d1.img,serial=la-serial-1" --disk "\$P/d2.img,ro" --cmdline 'la.vda=17 la.vda-write=WRITTEN la.vdb-write la.hwrng=64' $boot
la-case v-blk-data 10 sh -c 'dd if="\$P/d1.img" bs=1 skip=4096 count=7 2>/dev/null; echo'
la-case v-intx $t la-vmrun --cpus 2 --disk "\$P/d1.img,ro" --cmdline 'pci=nomsi la.vda=9 la.hwrng=32' $boot
la-case v-intx-mp $t la-vmrun --no-acpi --disk "\$P/d1.img,ro" --cmdline 'pci=nomsi la.fate=reboot la.vda=9 la.hwrng=32' $boot
la-case v-split $t la-vmrun --irqchip split --cpus 2 --disk "\$P/d1.img,ro" --cmdline 'la.vda=9 la.hwrng=32' $boot
la-case v-split-intx $t la-vmrun --irqchip split --cpus 2 --disk "\$P/d1.img,ro" --cmdline 'pci=nomsi la.vda=9 la.hwrng=32' $boot
la-case v-no-rng $t la-vmrun --no-rng --cmdline 'la.hwrng=16' $boot
la-case v-hvc $t "\$P/virtio-hvc.sh" $boot
la-case v-lock $t "\$P/virtio-lock.sh" "\$P/d2.img" $boot
EOF
}

vm_where_virtio() {
	vm_have_vmrun || return 0
	if [ "${LA_VM_FORCE_L1:-0}" != 1 ] && vm_hw_kvm; then echo native; else echo l1; fi
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload
	mkdir -p "$p" "$t/native" "$t/bin"
	vm_have_vmrun || return 0
	"$VM_TOP/tests/vm/mkguest-virtio.sh" "$p/virtio.cpio" 2>"$t/harness-error" || return 0
	truncate -s 16M "$p/d1.img"
	printf 'LA-MARKER-1234567' | dd of="$p/d1.img" conv=notrunc status=none
	truncate -s 8M "$p/d2.img"
	cp "$VM_TOP/tests/vm/virtio-hvc.sh" "$VM_TOP/tests/vm/virtio-lock.sh" "$p/"
	{
		echo 'P=${P:-/payload}; export P'
		vm_sanitizer_env
		vm_cases_virtio
	} >"$t/cases.sh"
	if [ "$(vm_where_virtio)" = l1 ]; then
		if [ -n "$(la_vm_missing)" ]; then
			la_vm_missing | head -n 1 >"$t/harness-error"
			return 0
		fi
		cp "$(la_vm_l2_kernel)" "$p/vmlinuz" || return 1
		vm_l1_batch "$t" "$p" "$t/cases.sh" 1200 --bin "$VM_BIN/la-vmrun"
	else
		ln -sf "$VM_TOP/tests/vm/la-case.sh" "$t/bin/la-case"
		cp "$(la_vm_l2_kernel)" "$p/vmlinuz" || return 1
		(cd "$t/native" && P=$p PATH=$t/bin:$VM_BIN:$PATH sh "$t/cases.sh" 2>&1) |
			tr -d '\r' | awk -v dir="$t/native" -f "$VM_TOP/tests/vm/split.awk"
	fi
}

need_case() {
	vm_have_vmrun || vm_cannot_run "no $VM_BIN/la-vmrun"
	[ -n "$(vm_case_dir "$1")" ] || vm_cannot_run "case $1 did not run: $(cat "$BATS_FILE_TMPDIR/harness-error" 2>/dev/null)"
}

@test "virtio-blk: the guest reads the marker from /dev/vda, with the serial and capacity given" {
	need_case v-blk
	vm_case_status v-blk 0
	assert_line 'la-guest: vda LA-MARKER-1234567'
	assert_line 'la-guest: disk vda 32768 sectors ro 0 serial la-serial-1'
	assert_line --regexp '^la-guest: pci 0000:00:01\.0 0x1af4:0x1042 irq 9 driver virtio-pci$'
	assert_line 'la-guest: fate poweroff'
	# the _PRT routes INTA: Linux finds the GSI (no "no GSI" fallback)
	refute_output --partial 'PCI INT A: no GSI'
}

@test "virtio: the guest's drivers take MSI-X, one vector per queue and one for configuration" {
	need_case v-blk
	vm_case_status v-blk 0
	assert_line 'la-guest: irq PCI-MSI 16384-edge virtio0-config'
	assert_line 'la-guest: irq PCI-MSI 16385-edge virtio0-req.0'
	assert_line --regexp '^la-guest: irq PCI-MSI [0-9]+-edge virtio2-input$'
}

@test "virtio: with pci=nomsi the devices work on INTx (the _PRT's IRQs, the ISR)" {
	need_case v-intx
	vm_case_status v-intx 0
	assert_line 'la-guest: vda LA-MARKER'
	assert_line 'la-guest: hwrng 32 bytes from virtio_rng.0'
	assert_line --regexp '^la-guest: irq IO-APIC 9-fasteoi virtio0$'
	refute_output --partial 'PCI-MSI'
}

@test "virtio on --irqchip split: MSI-X (irqfd routes beside the IOAPIC's) and, with pci=nomsi, level-triggered INTx through la's IOAPIC and its EOIs" {
	need_case v-split
	vm_case_status v-split 0
	assert_line 'la-guest: vda LA-MARKER'
	assert_line 'la-guest: hwrng 32 bytes from virtio_rng.0'
	assert_line 'la-guest: irq PCI-MSI 16384-edge virtio0-config'
	need_case v-split-intx
	vm_case_status v-split-intx 0
	assert_line 'la-guest: vda LA-MARKER'
	assert_line 'la-guest: hwrng 32 bytes from virtio_rng.0'
	assert_line --regexp '^la-guest: irq IO-APIC 9-fasteoi virtio0$'
	refute_output --partial 'PCI-MSI'
}

# Debian's cloud kernel has no MP-table parser (CONFIG_X86_MPPARSE is off):
# without ACPI it finds no IOAPIC and runs on the PICs, with each device's
# IRQ from its Interrupt Line register (the MP table's PCI entries are
# checked by test_x86boot through the probe's walk of the table).
@test "virtio: without ACPI (--no-acpi, pci=nomsi) the devices work on the PIC, on their INTx IRQs" {
	need_case v-intx-mp
	vm_case_status v-intx-mp 32
	assert_line 'la-guest: vda LA-MARKER'
	assert_line 'la-guest: hwrng 32 bytes from virtio_rng.0'
	assert_line 'la-guest: pci 0000:00:01.0 0x1af4:0x1042 irq 9 driver virtio-pci'
	assert_line --regexp '^la-guest: irq XT-PIC virtio0$'
	refute_output --partial 'PCI-MSI'
	assert_line 'la-guest: fate reboot'
}

@test "virtio-blk: what the guest writes and syncs is in the image afterwards" {
	need_case v-blk
	vm_case_status v-blk 0
	assert_line 'la-guest: vda-write ok'
	vm_case_status v-blk-data 0
	assert_output WRITTEN
}

@test "virtio-blk: a read-only disk is read-only to the guest, and refuses writes past that" {
	need_case v-blk
	vm_case_status v-blk 0
	assert_line 'la-guest: disk vdb 16384 sectors ro 1 serial '
	assert_line 'la-guest: vdb-write fail'
}

@test "virtio-rng: on by default, the guest reads /dev/hwrng from it; --no-rng: none" {
	need_case v-blk
	vm_case_status v-blk 0
	assert_line 'la-guest: hwrng 64 bytes from virtio_rng.0'
	assert_line --regexp '^la-guest: pci 0000:00:03\.0 0x1af4:0x1044 irq 11 driver virtio-pci$'
	vm_case_status v-no-rng 0
	refute_output --partial '0x1af4'
	refute_line --partial 'from virtio_rng'
}

@test "virtio-console: with --console virtio the shell on hvc0 answers" {
	need_case v-hvc
	vm_case_status v-hvc 0
	assert_line 'la-guest: hvc0 present'
	assert_line hvc-42
	assert_line --regexp '^la-guest: pci 0000:00:01\.0 0x1af4:0x1043 irq 9 driver virtio-pci$'
}

@test "virtio: each device runs on its own named thread under a seccomp filter" {
	need_case v-lock
	vm_case_status v-lock 0
	assert_line 'live: task la-vblk0 Seccomp: 2'
	assert_line 'live: task la-vcons Seccomp: 2'
	assert_line 'live: task la-vrng Seccomp: 2'
}

@test "virtio-blk: a second VM cannot open a running VM's disk (exit 1, the file named)" {
	need_case v-lock
	vm_case_status v-lock 0
	assert_line 'second: status 1'
	assert_line --regexp "^second: la-vmrun: --disk: '.*/d2\\.img': in use: another process holds a lock on it"
	assert_line 'first: status 0'
}
