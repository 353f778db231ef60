#!/bin/bash
# tests/fuzz/run.sh check|long FUZZBUILD [SECONDS]: run the libFuzzer
# targets in FUZZBUILD/bin (make fuzz-build) over their corpora in
# tests/fuzz/corpus/TARGET, with tests/fuzz/TARGET.dict when there is one
# and the flags of tests/fuzz/TARGET.options (one per line).
#
#   check  make check's step: each target replays its whole corpus, then
#          runs FUZZ_RUNS (default 2000) mutated inputs from a fixed seed;
#          new inputs go to a scratch dir, the checked-in corpus is never
#          written. One line per target; any crash, leak or sanitizer report
#          fails the step and names the input that did it.
#   long   make fuzz: each target for SECONDS (default 60) over a writable
#          copy of its corpus (FUZZBUILD/corpus/TARGET, kept between runs);
#          one line per target: executions, coverage (libFuzzer's cov: and
#          ft: at the end), corpus size, crashes (saved in
#          FUZZBUILD/crashes/). FUZZ_MAX_RUNS=N ends a target after N
#          executions if that comes first (make fuzz's aim: 10 million or
#          30 minutes each).
# FUZZ_TARGETS="fuzz_a fuzz_b" runs only those targets (both modes).
set -u
mode=$1
build=$(cd "$2" && pwd)
secs=${3:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
fdir=$top/tests/fuzz
runs=${FUZZ_RUNS:-2000}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ASAN_COMMON=detect_leaks=1:abort_on_error=0

case "$mode" in check | long) ;; *) echo "usage: $0 check|long FUZZBUILD [SECONDS]" >&2; exit 2 ;; esac

# flags TARGET: the dictionary and the per-target options
flags() {
	local t=$1
	[ -f "$fdir/$t.dict" ] && echo "-dict=$fdir/$t.dict"
	[ -f "$fdir/$t.options" ] && grep -v -e '^#' -e '^asan:' "$fdir/$t.options"
	return 0
}

# asan TARGET: ASAN_OPTIONS for TARGET: the common ones, then its
# TARGET.options lines "asan:NAME=VALUE" (the later wins)
asan() {
	local o=$ASAN_COMMON
	[ -f "$fdir/$1.options" ] && o+=$(sed -n 's/^asan:/:/p' "$fdir/$1.options" | tr -d '\n')
	echo "$o"
}

# stat LOG: "EXECS COV FT" from libFuzzer's final lines
stat() {
	local execs cov ft
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$1" | tail -1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$1" | tail -1 | cut -d' ' -f2)
	echo "${execs:-?} ${cov:-?} ${ft:-?}"
}

status=0
total0=$(date +%s)
for bin in "$build"/bin/fuzz_*; do
	[ -x "$bin" ] || continue
	t=$(basename "$bin")
	if [ -n "${FUZZ_TARGETS:-}" ] && ! [[ " $FUZZ_TARGETS " == *" $t "* ]]; then
		continue
	fi
	corpus=$fdir/corpus/$t
	n=$(find "$corpus" -type f 2>/dev/null | wc -l)
	work=$build/run/$t
	rm -rf "$work"
	mkdir -p "$work/new" "$work/art"
	log=$work/log
	t0=$(date +%s.%N)
	if [ "$mode" = check ]; then
		# shellcheck disable=SC2046
		ASAN_OPTIONS=$(asan "$t") "$bin" $(flags "$t") -seed=1 -runs="$runs" -timeout=10 -print_final_stats=1 \
			-artifact_prefix="$work/art/" "$work/new" "$corpus" >"$log" 2>&1
	else
		keep=$build/corpus/$t
		mkdir -p "$keep" "$build/crashes"
		cp -n "$corpus"/* "$keep"/ 2>/dev/null
		# shellcheck disable=SC2046
		ASAN_OPTIONS=$(asan "$t") "$bin" $(flags "$t") -max_total_time="$secs" -runs="${FUZZ_MAX_RUNS:--1}" -timeout=10 -print_final_stats=1 \
			-artifact_prefix="$build/crashes/$t-" "$keep" >"$log" 2>&1
	fi
	st=$?
	t1=$(date +%s.%N)
	read -r execs cov ft < <(stat "$log")
	el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')
	if [ "$mode" = check ]; then
		crash=$(find "$work/art" -type f | head -1)
		printf 'fuzz: %-22s %4d corpus inputs, %7s runs, cov %5s, ft %5s, %ss\n' \
			"$t" "$n" "$execs" "$cov" "$ft" "$el"
	else
		crash=$(find "$build/crashes" -name "$t-*" -newer "$work/new" -type f | head -1)
		ncrash=$(find "$build/crashes" -name "$t-*" -newer "$work/new" -type f | wc -l)
		printf 'fuzz: %-22s %10s execs, cov %5s, ft %6s, corpus %5d, %d crashes, %ss\n' \
			"$t" "$execs" "$cov" "$ft" "$(find "$keep" -type f | wc -l)" "$ncrash" "$el"
	fi
	if [ "$st" -ne 0 ] || [ -n "$crash" ]; then
		status=1
		# an input of the checked-in corpus: its artifact is named
		# after its SHA-1; name the corpus file instead
		if [ -n "$crash" ]; then
			sha=${crash##*-}
			for c in "$corpus"/*; do
				[ "$(sha1sum <"$c" | cut -d' ' -f1)" = "$sha" ] && crash="$c (corpus)" && break
			done
		fi
		echo "fuzz: $t FAILED (exit $st)${crash:+: input $crash}" >&2
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|    #[0-9])' "$log" | head -30 >&2
		echo "fuzz: $t: whole log in $log" >&2
	fi
done
total1=$(date +%s)
echo "fuzz: $mode: $([ $status -eq 0 ] && echo ok || echo FAILED), $((total1 - total0))s"
exit $status
