# shellcheck shell=bash
# Helpers for tests/bats/vmrun_vm.bats: the VM cases of la-vmrun, run in one
# batch (one emulated-host boot), then checked one @test each.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

VM_TOP=${LA_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
VM_BUILD=${LA_BUILD:-$VM_TOP/build}
VM_BIN=${LA_BIN:-$VM_BUILD/bin}
# shellcheck source=tests/vm/lib.sh
. "$VM_TOP/tests/vm/lib.sh"

# vm_cannot_run REASON: a case that cannot run here fails in CI and skips,
# loudly, elsewhere
vm_cannot_run() {
	if [ "${CI:-}" = true ]; then
		fail "cannot run: $1 (CI=true, so this is a failure)"
	fi
	skip "CANNOT RUN: $1"
}

# vm_hw_kvm: true when /dev/kvm is hardware KVM (vmx/svm, no kvm_pvm), where
# stock Linux guests boot natively
vm_hw_kvm() {
	[ "$(la_vm_kvm_kind)" = hardware ]
}

# vm_any_kvm: true when /dev/kvm can run the probe guest natively (hardware
# KVM or kvm_pvm); LA_VM_FORCE_L1=1 sends every case to the emulated host
vm_any_kvm() {
	[ "${LA_VM_FORCE_L1:-0}" != 1 ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

vm_have_vmrun() {
	[ -x "$VM_BIN/la-vmrun" ]
}

vm_have_mkfdt() {
	[ -x "$VM_BIN/la-mkfdt" ]
}

# where the groups of cases run: "l1" (emulated host), "native" or "" (not
# at all). The harness's own self-tests always run in L1.
vm_where_probe() {
	vm_have_vmrun || return 0
	if vm_any_kvm; then echo native; else echo l1; fi
}
vm_where_linux() {
	vm_have_vmrun || return 0
	if [ "${LA_VM_FORCE_L1:-0}" != 1 ] && vm_hw_kvm; then echo native; else echo l1; fi
}

# vm_sanitizer_env: the sanitizer settings for la-vmrun inside a case
# script (reports on standard error, where the case captures them)
vm_sanitizer_env() {
	[ "${LA_SANITIZED:-0}" = 1 ] || return 0
	echo "export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86"
	echo "export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86"
}

# vm_l1_tries T NAME ARGS...: the case script T/NAME.sh in one emulated
# host (run-in-l1.sh --quiet ARGS..., results in T/NAME, its standard error
# in T/NAME.stderr); returns run-in-l1.sh's status. The emulated host
# freezes now and then, at its own boot or in any case (nested SVM under
# TCG; run-in-l1.sh --stall ends it): up to twice more, the cases it did not
# finish run in a fresh one (with the cases that set L1 up, la-tap), their
# results joining the others in T/NAME; each frozen try's standard error is
# kept as T/NAME-stallN.stderr and each freeze is one line on the TAP
# (tests/run.sh counts them). VM_RUN_IN_L1 stands in for run-in-l1.sh in
# the tests of this function.
vm_l1_tries() {
	local t=$1 name=$2 rc try out script
	shift 2
	for try in 1 2 3; do
		out=$t/$name script=$t/$name.sh
		[ "$try" = 1 ] || {
			out=$t/$name-try$try script=$t/$name-try$try.sh
			vm_unfinished "$t/$name.sh" "$t/$name" >"$script"
			cp "$t/$name.stderr" "$t/$name-stall$try.stderr"
		}
		rc=0
		"${VM_RUN_IN_L1:-$VM_TOP/tests/vm/run-in-l1.sh}" --quiet "$@" --out "$out" --script "$script" \
			2>"$t/$name.stderr" || rc=$?
		[ "$try" = 1 ] || cp "$out"/*.out "$out"/*.err "$out"/*.status \
			"$out"/*.seconds "$t/$name/" 2>/dev/null || true
		if [ "$rc" != 3 ] || [ ! -e "$out/stalled" ]; then
			break
		fi
		# on the TAP (bats's fd 3), so a run's log says why it took longer
		echo "# $name: the emulated host froze ($(tail -n 1 "$t/$name.stderr")), try $try of 3" >&3
	done
	return "$rc"
}

# vm_run_l1 T ARGS...: vm_l1_tries T l1 ARGS..., its status in T/l1.rc and,
# when the harness failed (3), why in T/harness-error
vm_run_l1() {
	local t=$1 rc=0
	shift
	vm_l1_tries "$t" l1 "$@" || rc=$?
	echo "$rc" >"$t/l1.rc"
	[ "$rc" != 3 ] || cat "$t/l1.stderr" >"$t/harness-error"
}

# vm_need_case NAME: la-vmrun is built and the batch ran NAME, or the test
# cannot run (vm_cannot_run, with the harness's reason)
vm_need_case() {
	vm_have_vmrun || vm_cannot_run "no $VM_BIN/la-vmrun"
	[ -n "$(vm_case_dir "$1")" ] ||
		vm_cannot_run "case $1 did not run: $(cat "$BATS_FILE_TMPDIR/harness-error" 2>/dev/null)"
}

# vm_case_dir NAME: the folder that holds NAME's results
vm_case_dir() {
	local d
	for d in "$BATS_FILE_TMPDIR/l1" "$BATS_FILE_TMPDIR/native"; do
		if [ -e "$d/$1.status" ]; then
			echo "$d"
			return
		fi
	done
}

# vm_case NAME: load NAME's results into $status, $output (stdout), $stderr
# and $case_seconds; fail when the batch never ran NAME
vm_case() {
	local d
	d=$(vm_case_dir "$1")
	if [ -z "$d" ]; then
		local why
		why=$(cat "$BATS_FILE_TMPDIR/harness-error" 2>/dev/null)
		fail "case $1 did not run${why:+: $why}"
	fi
	status=$(cat "$d/$1.status")
	output=$(cat "$d/$1.out")
	stderr=$(cat "$d/$1.err")
	case_seconds=$(cat "$d/$1.seconds")
	# what bats' run would set, for assert_line
	mapfile -t lines <<<"$output"
	# a sanitizer report anywhere fails the case
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$d/$1.err"; then
		fail "sanitizer report in case $1: $(head -n 20 "$d/$1.err")"
	fi
}

# vm_case_status NAME WANT: the case ended with status WANT (with its output
# in the failure message)
vm_case_status() {
	vm_case "$1"
	if [ "$status" != "$2" ]; then
		fail "case $1: status $status, want $2
--- stdout (last 30 lines)
$(tail -n 30 <<<"$output")
--- stderr (last 30 lines)
$(tail -n 30 <<<"$stderr")"
	fi
}

# vm_hex N: N (decimal) as 0x-prefixed lowercase hexadecimal, as the probe
# prints numbers
vm_hex() {
	printf '0x%x' "$1"
}

# vm_expected_e820 MEM: the e820 lines a probe booted with --mem MEM must
# print, from la-layout (regions, ECAM, identity map + TSS) and la-alloc
# (PCIe VCFG window): crosvm-arch.md §3.5
vm_expected_e820() {
	local mem=$1 layout alloc
	layout=$("$VM_BIN/la-layout" --arch x86_64 --mem "$mem" --json) || return 1
	alloc=$("$VM_BIN/la-alloc" --arch x86_64 --mem "$mem" --json) || return 1
	{
		jq -r '.regions[] | "\(.start) \(.size) \(if .purpose == "guest-memory" or
			.purpose == "protected-firmware" then 1 else 2 end)"' <<<"$layout"
		jq -r '.pci.config | "\(.start) \(.size) 2"' <<<"$layout"
		jq -r '.config.pcie_vcfg | "\(.start) \(.end - .start + 1) 2"' <<<"$alloc"
		jq -r '.boot | "\(.identity_map) \(.tss + 12288 - .identity_map) 2"' <<<"$layout"
	} | while read -r a s t; do
		echo "probe: e820 $(vm_hex "$a") $(vm_hex "$s") $t"
	done
}

# vm_ram_lines MEM: the "la-guest: ram" lines a Linux guest with --mem MEM
# prints from /proc/iomem: each RAM region of la-layout, except that Linux
# keeps page 0 for itself
vm_ram_lines() {
	"$VM_BIN/la-layout" --arch x86_64 --mem "$1" --json |
		jq -r '.regions[] | select(.purpose == "guest-memory") | "\(.start) \(.start + .size - 1)"' |
		while read -r a e; do
			[ "$a" = 0 ] && a=4096
			printf 'la-guest: ram %08x-%08x\n' "$a" "$e"
		done
}

# vm_fnv1a FILE: the 32-bit FNV-1a hash of a (small) file, as the probe
# prints it for the initrd
vm_fnv1a() {
	local h=2166136261 b
	for b in $(od -An -v -tu1 "$1"); do
		h=$(((h ^ b) * 16777619 & 0xffffffff))
	done
	vm_hex "$h"
}

# vm_guest_ram: the guest's "la-guest: ram" lines from $output with adjacent
# ranges merged: Linux splits System RAM around the setup_data it keeps
# reserved (00020800-0002080f after la-vmrun's RNG seed header), so the
# pieces only add up to la-layout's regions
vm_guest_ram() {
	local a e ps="" pe=""
	while read -r a e; do
		a=$((16#$a)) e=$((16#$e))
		if [ -n "$pe" ] && [ "$a" = $((pe + 1)) ]; then
			pe=$e
			continue
		fi
		[ -z "$pe" ] || printf 'la-guest: ram %08x-%08x\n' "$ps" "$pe"
		ps=$a pe=$e
	done < <(sed -n 's/^la-guest: ram \([0-9a-f]*\)-\([0-9a-f]*\)$/\1 \2/p' <<<"$output")
	[ -z "$pe" ] || printf 'la-guest: ram %08x-%08x\n' "$ps" "$pe"
}

# vm_case_done DIR NAME: DIR holds NAME's results
vm_case_done() {
	[ -e "$1/$2.status" ]
}

# vm_unfinished SCRIPT DIR: SCRIPT without the cases whose results are in
# DIR (what a stalled emulated host did not finish, and what sets a fresh
# one up)
vm_unfinished() {
	la_vm_drop_cases vm_case_not_rerun "$2" "$1" <"$1"
}

# vm_case_not_rerun DIR SCRIPT NAME: NAME's results are in DIR and it does
# not set the emulated host up (la-tap: a fresh host needs its tap again)
vm_case_not_rerun() {
	vm_case_done "$1" "$3" && ! grep -q "^la-case $3 [0-9]* la-tap " "$2"
}

# vm_virtio_payload T P: put the L2 kernel (vmlinuz) and the virtio test
# guest (virtio.cpio, made if need be; make's output in T/make.log) in
# payload folder P for an x86_64 suite; or print why the suite cannot run
# (the emulated host's pieces, la-vmrun, the guest) and put nothing
vm_virtio_payload() {
	local m
	m=$(la_vm_missing | head -n 1)
	if [ -z "$m" ] && ! vm_have_vmrun; then
		m="la-vmrun is not built yet"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/vm/guest-virtio-x86_64.cpio" >"$1/make.log" 2>&1; then
		m="the virtio guest did not build: $(tail -n 1 "$1/make.log")"
	fi
	if [ -n "$m" ]; then
		echo "$m"
		return 0
	fi
	cp "$(la_vm_l2_kernel)" "$2/vmlinuz" || echo "cannot copy the L2 kernel"
	cp "$VM_BUILD/vm/guest-virtio-x86_64.cpio" "$2/virtio.cpio" || echo "cannot copy the guest"
}

# vm_l1_batch T P SCRIPT TIMEOUT RUN-IN-L1-ARGS...: SCRIPT's cases in one
# emulated host with payload folder P (results in T/l1), as vm_run_l1 runs
# T/l1.sh (SCRIPT is copied there): with its reruns after a freeze, a
# harness failure left in T/harness-error.
vm_l1_batch() {
	local t=$1 p=$2 cases=$3 timeout=$4
	shift 4
	cp "$cases" "$t/l1.sh" || return 1
	vm_run_l1 "$t" --timeout "$timeout" --stall 240 --payload "$p" "$@"
}
