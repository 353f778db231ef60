# Helpers for tests/bats/hostcpu.bats.
load helpers

HC_FIX=$LA_TOP/tests/fixtures/hostcpu
HC_GOLD=$LA_TOP/tests/golden/hostcpu

# hc_golden FIXTURE GOLDEN ARGS...: run la-hostcpu on a canned tree (from
# the fixtures folder, so messages name FIXTURE/devices/...) and compare
# its stdout byte for byte with tests/golden/hostcpu/GOLDEN; exit 0.
hc_golden() {
	local fixture=$1 golden=$2 out=$BATS_TEST_TMPDIR/out rc=0
	shift 2
	(cd "$HC_FIX" && la-hostcpu --sysfs-root "$fixture" "$@") >"$out" 2>"$out.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$out.err"; echo "exit $rc"; return 1; }
	diff -u "$HC_GOLD/$golden" "$out"
}

# hc_tree FIXTURE: copy a canned tree to $BATS_TEST_TMPDIR/t (symlinks
# kept) and cd there, for tests that spoil one file; la-hostcpu then runs
# with --sysfs-root t, and messages name t/devices/system/cpu/...
hc_tree() {
	cp -a "$HC_FIX/$1" "$BATS_TEST_TMPDIR/t"
	cd "$BATS_TEST_TMPDIR"
	HC_CPU=t/devices/system/cpu
}

# hc_put FILE TEXT: overwrite a file of the copied tree, sysfs style.
hc_put() {
	mkdir -p "$(dirname "$HC_CPU/$1")"
	rm -f "$HC_CPU/$1"
	printf '%s\n' "$2" >"$HC_CPU/$1"
}
