#!/bin/bash
# tests/run.sh BUILD LABEL: run the C unit tests and the bats suites against
# the programs in BUILD/bin, count the TAP results, write them to
# BUILD/results-LABEL and print one line "LABEL: N passed, N failed".
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

status=0
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: $(basename "$t")" >>"$log"
	"$t" >>"$log" 2>&1 || status=1
done

jobs=$(nproc 2>/dev/null || echo 1)
bats_args=(--tap)
# bats runs files in parallel only with GNU parallel; use it when present
if command -v parallel >/dev/null 2>&1; then bats_args+=(--jobs "$jobs"); fi
# The emulated-host suites boot QEMU TCG hosts and guests: minutes each. They
# run once, in the plain pass; the sanitizer pass runs everything else.
suites=()
for f in "$top"/tests/bats/*.bats; do
	case "$label:$(basename "$f")" in
	san:vmrun_vm.bats | san:vmrun-boot.bats) continue ;;
	esac
	suites+=("$f")
done
bats "${bats_args[@]}" "${suites[@]}" >>"$log" 2>&1 || status=1

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
