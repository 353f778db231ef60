#!/usr/bin/env bats
# A hostile guest (issue 17): the probe guest's hostile modes (tests/guest/
# hostile.c) write seeded garbage to every IO and MMIO range la-vmrun
# --explain lists, move PCI BARs over RAM and over each other, program MSI-X
# with nonsense and hand the virtio devices malformed queues. la-vmrun must
# not crash, hang or touch memory outside guest RAM: the VM goes on (the
# probe prints "hostile survived" and powers off, exit 0) or ends with a
# status the man page's EXIT STATUS table documents; a malformed queue puts
# the device into NEEDS_RESET and la-vmrun says so once. Where /dev/kvm
# cannot run the probe the cases run in ONE boot of the emulated x86_64
# host; in make check's sanitizer pass (LA_SANITIZED=1) la-vmrun is the
# ASan+UBSan build, and any report fails the case (vm_case).

load vmrun_vm_helpers

VM_HOSTILE_TIMEOUT=240
# a few seeds, each every phase; a failing seed replays with the same seed
VM_HOSTILE_SEEDS="1 2 3"
VM_HOSTILE_FATE_SEED=4
# the VM: a disk, the console on virtio-console (and COM1's output, where
# the probe prints, still on standard output), virtio-rng and pvpanic
VM_HOSTILE_VM='--mem 256M --console virtio --disk "$P/d.img"'

# vm_hostile_explain: la-vmrun --explain --json for the suite's VM
vm_hostile_explain() {
	P=$BATS_FILE_TMPDIR/payload eval "\"\$VM_BIN/la-vmrun\" $VM_HOSTILE_VM --explain --json \
		\"\$VM_BUILD/guest/probe.bzImage\""
}

# vm_hostile_ranges KINDS SKIP: "probe.io=... probe.mmio=..." for the ranges
# of kinds io and mmio that la-vmrun --explain --json lists (grants and other
# devices) for the suite's VM, but those whose name matches the regex SKIP
vm_hostile_ranges() {
	local json
	json=$(vm_hostile_explain) || return 1
	jq -r --arg skip "$1" '[.grants[], .other_devices[]] |
		map(select((.kind == "io" or .kind == "mmio") and (.name | test($skip) | not))) |
		"probe.io=" + (map(select(.kind == "io") | "\(.start_hex)+\(.size_hex)") | join(",")) +
		" probe.mmio=" + (map(select(.kind == "mmio") | "\(.start_hex)+\(.size_hex)") | join(","))' \
		<<<"$json"
}

# what the cases may not touch: the PCI configuration ports (0xcf9 resets;
# the bars and msix phases reach config space on purpose). The survivor
# runs also leave out what ends a VM by design: the i8042 (0xfe resets), the
# ACPI PM block (S5) and pvpanic (a panic); the fate run keeps them.
VM_HOSTILE_NEVER='^pci-config$'
VM_HOSTILE_FATAL='^(pci-config|i8042\.io|acpi-pm\.io|pvpanic\.bar0)$'

vm_cases_hostile() {
	local t=$VM_HOSTILE_TIMEOUT s ranges all vm=$VM_HOSTILE_VM
	ranges=$(vm_hostile_ranges "$VM_HOSTILE_FATAL") || return 1
	all=$(vm_hostile_ranges "$VM_HOSTILE_NEVER") || return 1
	for s in $VM_HOSTILE_SEEDS; do
		echo "la-case x-seed-$s $t la-vmrun $vm --cmdline 'probe.mode=hostile probe.seed=$s $ranges' \"\$P/probe.bzImage\""
	done
	echo "la-case x-fate $t la-vmrun $vm --cmdline 'probe.mode=hostile-bus probe.seed=$VM_HOSTILE_FATE_SEED $all' \"\$P/probe.bzImage\""
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload
	mkdir -p "$p" "$t/native" "$t/bin"
	vm_have_vmrun || return 0
	cp "$VM_BUILD/guest/probe.bzImage" "$p/" || return 1
	truncate -s 1M "$p/d.img"
	{
		echo 'P=${P:-/payload}; export P'
		vm_sanitizer_env
		# LeakSanitizer's exit-time check reads /proc, which la-vmrun's jail
		# (an empty root) hides: "Can't open /proc/PID/task", exit 86. The
		# jail is what la-vmrun runs in; ASan's and UBSan's checks of every
		# access, the point here, stay on.
		[ "${LA_SANITIZED:-0}" != 1 ] ||
			echo "export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=86"
		vm_cases_hostile
	} >"$t/cases.sh" || return 1
	if [ "$(vm_where_probe)" = l1 ]; then
		if [ -n "$(la_vm_missing)" ]; then
			la_vm_missing | head -n 1 >"$t/harness-error"
			return 0
		fi
		vm_l1_batch "$t" "$p" "$t/cases.sh" 1200 --bin "$VM_BIN/la-vmrun"
	else
		ln -sf "$VM_TOP/tests/vm/la-case.sh" "$t/bin/la-case"
		(cd "$t/native" && P=$p PATH=$t/bin:$VM_BIN:$PATH sh "$t/cases.sh" 2>&1) |
			tr -d '\r' | awk -v dir="$t/native" -f "$VM_TOP/tests/vm/split.awk"
	fi
}

need_case() {
	vm_have_vmrun || vm_cannot_run "no $VM_BIN/la-vmrun"
	[ -n "$(vm_case_dir "$1")" ] || vm_cannot_run "case $1 did not run: $(cat "$BATS_FILE_TMPDIR/harness-error" 2>/dev/null)"
}

# the suite's virtio devices, "SLOT NAME" (00:01.0 virtio-blk0, ...)
vm_hostile_virtio() {
	vm_hostile_explain | jq -r '.virtio_devices[] | "\(.slot) \(.name)"'
}

# the exit statuses man/la-vmrun.1's EXIT STATUS table gives a guest's fate:
# every row but la-vmrun's own failures (1, 2) and a seccomp violation (40)
vm_documented_fates() {
	sed -n '/^\.SH EXIT STATUS/,/^\.TE/p' "$VM_TOP/man/la-vmrun.1" |
		sed -n 's/^\([0-9][0-9]*\)\tT{$/\1/p' | grep -vxE '1|2|40'
}

# the queue cases a device must answer with NEEDS_RESET
VM_HOSTILE_BROKEN='table-outside-ram buffer-outside-ram loop huge-length next-beyond-table
head-beyond-table avail-index-jump indirect-bad-length indirect-nested indirect-outside-ram
indirect-loop'

@test "hostile guest: the seeds' runs survive: every phase ran, 'survived', powered off (0)" {
	local s
	for s in $VM_HOSTILE_SEEDS; do
		need_case "x-seed-$s"
		vm_case_status "x-seed-$s" 0
		assert_line "probe: hostile seed $s phases bus bars msix virtio"
		assert_line --regexp '^probe: hostile bus 3000 accesses over [0-9]+ ranges$'
		assert_line "probe: hostile survived seed $s"
		assert_line 'probe: errors 0'
		refute_line --regexp '^probe: error '
	done
}

@test "hostile guest: garbage reaches every io and mmio range but those above the identity map" {
	need_case x-seed-1
	vm_case_status x-seed-1 0
	local n
	n=$(vm_hostile_ranges "$VM_HOSTILE_FATAL" | grep -oE '0x[0-9a-f]+\+0x[0-9a-f]+' | wc -l)
	# pcie-vcfg and high-mmio lie above 4 GiB, which the probe does not map
	assert_line 'probe: hostile skip mmio 0x100000000+0x8000000 (not under 4 GiB, the identity map)'
	assert_line --regexp '^probe: hostile skip mmio 0x108000000\+'
	assert_line "probe: hostile bus 3000 accesses over $((n - 2)) ranges"
}

# vm_hostile_each CHECK...: for each seed's case (loaded, status 0) and each
# virtio device of the suite's VM, CHECK... SEED SLOT NAME
vm_hostile_each() {
	local s slot name
	for s in $VM_HOSTILE_SEEDS; do
		need_case "x-seed-$s"
		vm_case_status "x-seed-$s" 0
		while read -r slot name; do
			"$@" "$s" "$slot" "$name"
		done < <(vm_hostile_virtio)
	done
}

vm_hostile_bars() {
	assert_line "probe: hostile bars $2 moved 24 times, restored ok"
	refute_line --regexp '^probe: hostile bars .* restored BAD$'
}

@test "hostile guest: BARs moved over RAM, ECAM and each other come back and the devices answer" {
	vm_hostile_each vm_hostile_bars
}

vm_hostile_msix() {
	assert_line --regexp "^probe: hostile msix $2 table [0-9]+ entries enabled\$"
	# the device still serves a valid request after everything
	assert_line --regexp "^probe: virtq $2 q[0-9] valid-after needs-reset no used 1\$"
}

@test "hostile guest: MSI-X tables of nonsense, enabled, do not stop la-vmrun or the devices" {
	vm_hostile_each vm_hostile_msix
}

vm_hostile_queues() {
	local c
	assert_line --regexp "^probe: virtq $2 q[0-9] valid needs-reset no used 1\$"
	for c in $VM_HOSTILE_BROKEN; do
		assert_line --regexp "^probe: virtq $2 q[0-9] $c needs-reset yes used 0\$"
	done
	# virtio-console's valid requests reached standard output
	[ "$(grep -c '^probe: hvc says hello$' <<<"$output")" -ge 2 ] ||
		fail "seed $1: virtio-console did not print the probe's line twice"
}

@test "hostile guest: each malformed queue puts the device into NEEDS_RESET; a valid one works" {
	vm_hostile_each vm_hostile_queues
}

# each broken queue was notified three times, and said once
vm_hostile_notes() {
	local want got
	want=$(sed -n "s/^probe: virtq $2 resets \\([0-9]*\\)\$/\\1/p" <<<"$output")
	[ -n "$want" ] || fail "seed $1: no resets line for $2"
	[ "$want" -ge 11 ] || fail "seed $1: $2 needed only $want resets"
	got=$(grep -c "^la-vmrun: note: the guest broke $3's virtqueue (.*): the device needs a reset (DEVICE_NEEDS_RESET); the VM runs on\$" <<<"$stderr")
	[ "$got" = "$want" ] || fail "seed $1: $3: $got notes on stderr for $want resets
$stderr"
}

@test "hostile guest: la-vmrun says once per broken queue (and reset) that the device needs a reset" {
	vm_hostile_each vm_hostile_notes
}

@test "hostile guest: garbage to the i8042, ACPI PM and pvpanic too ends in a documented fate" {
	need_case x-fate
	vm_case x-fate
	local fates
	fates=$(vm_documented_fates)
	[ -n "$fates" ] || fail "no statuses found in man/la-vmrun.1's EXIT STATUS table"
	grep -qx -- "$status" <<<"$fates" ||
		fail "status $status is not a documented fate ($(echo $fates))
--- stdout (last 20 lines)
$(tail -n 20 <<<"$output")
--- stderr (last 20 lines)
$(tail -n 20 <<<"$stderr")"
	assert_line "probe: hostile seed $VM_HOSTILE_FATE_SEED phases bus"
	# the probe turned memory decoding on first: every BAR answered (the
	# survivor runs toggle it on purpose in their bars phase)
	[[ $stderr != *"MMIO no device claims"* ]] || fail "garbage missed the devices: $stderr"
}

@test "hostile guest: the documented fates come from the man page's EXIT STATUS table" {
	run vm_documented_fates
	assert_success
	assert_output "0
32
33
34
36"
}
