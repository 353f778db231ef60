#!/bin/bash
# tests/run.sh BUILD LABEL: run the C unit tests and the bats suites against
# the programs in BUILD/bin, count the TAP results, write them to
# BUILD/results-LABEL and print one line "LABEL: N passed, N failed". Each
# suite (a unit-test program, a bats file) says in one line, as it ends,
# its tests, failures and seconds; the TAP of all is in BUILD/test-LABEL.tap.
# Under sanitizers (LABEL san) any ASan/UBSan report also fails the run.
set -u
build=$1
label=$2
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
log=$build/test-$label.tap
logdir=$build/sanitizer-logs
: >"$log"

export LA_BIN=$build/bin LA_BUILD=$build LA_TOP=$top
if [ "$label" = san ]; then
	rm -rf "$logdir"
	mkdir -p "$logdir"
	export ASAN_OPTIONS="log_path=$logdir/asan:detect_leaks=1:abort_on_error=0:exitcode=86"
	export UBSAN_OPTIONS="log_path=$logdir/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=86"
	export LA_SANITIZED=1
fi

# run_suite NAME CMD...: run one suite, append its TAP to the log and say
# how it went in one line as soon as it ends (make check is long; this is
# its progress)
status=0
run_suite() {
	local name=$1 t0 t1 out n f s st fz
	shift
	out=$build/suite.tap
	t0=$(date +%s.%N)
	"$@" >"$out" 2>&1
	st=$?
	t1=$(date +%s.%N)
	n=$(grep -cE '^(not )?ok ' "$out")
	f=$(grep -cE '^not ok ' "$out")
	s=$(grep -cE '^ok .* # skip' "$out")
	# an emulated host that froze and was started again (vm_l1_tries)
	fz=$(grep -cE '^# [^ ]+: the emulated host froze ' "$out")
	echo "# suite: $name" >>"$log"
	cat "$out" >>"$log"
	rm -f "$out"
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $name: exited $st without a failed test" >>"$log"
		f=1
	fi
	[ "$st" -eq 0 ] || status=1
	printf '%s: %-22s %4d tests, %d failed%s, %ss%s\n' "$label" "$name" "$n" "$f" \
		"$([ "$s" -gt 0 ] && echo ", $s skipped")" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')" \
		"$([ "$fz" -gt 0 ] && echo ", emulated host froze: $fz")"
}

echo "$label: TAP log: $log"
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_suite "unit/$(basename "$t")" "$t"
done

# The emulated-host suites boot QEMU TCG hosts and guests: minutes each. They
# run once, in the plain pass, as does the cross build (not sanitized); the
# sanitizer pass runs everything else, vmrun_vm_hostile.bats included: the
# hostile guest (one short emulated-host boot) against the ASan+UBSan
# la-vmrun is the point of that suite; and vmrun_vm_san.bats, the sanitized
# la-vmrun booting Linux with every device (one boot; not in the plain pass).
for f in "$top"/tests/bats/*.bats; do
	case "$label:$(basename "$f")" in
	plain:vmrun_vm_san.bats) continue ;;
	san:vmrun_vm_disk.bats) continue ;;
	san:vmrun_vm.bats | san:vmrun-boot.bats | san:cross.bats) continue ;;
	san:vmrun_vm_aarch64.bats) continue ;;
	san:vmrun_vm_riscv64.bats | san:make_run_dt.bats) continue ;;
	san:vmrun_vm_virtio.bats | san:vmrun_vm_pci.bats | san:vmrun_vm_pci_dt.bats) continue ;;
	san:vmctl_vm.bats | san:vmctl_hotplug_vm.bats | san:vmrun_vm_bvm.bats) continue ;;
	esac
	run_suite "bats/$(basename "$f")" bats --tap "$f"
done

passed=$(grep -cE '^ok ' "$log" | tr -d ' ')
skipped=$(grep -cE '^ok .* # skip' "$log" | tr -d ' ')
failed=$(grep -cE '^not ok ' "$log" | tr -d ' ')
passed=$((passed - skipped))

if [ "$label" = san ] && [ -n "$(ls -A "$logdir" 2>/dev/null)" ]; then
	echo "sanitizer reports:" >&2
	cat "$logdir"/* >&2
	failed=$((failed + 1))
fi
# show what failed, with bats' diagnostics
if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
	grep -A15 -E '^not ok ' "$log" | head -200 >&2
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "a test runner failed without a TAP failure; see $log" >&2
	failed=1
fi
echo "$passed $failed $skipped" >"$build/results-$label"
echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
