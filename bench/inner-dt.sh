#!/bin/sh
# bench/inner-dt.sh: the measurements of bench/dt.sh, run in the emulated
# aarch64 or riscv64 host. Settings from the environment:
#   B           folder with probe (the power-off payload), vmlinuz, guest.cpio
#   VMRUN       la-vmrun (static, for ARCH)
#   PEER        lkvm to measure beside it ("": no peer)
#   ARCH        aarch64 or riscv64
#   RUNS_PROBE  probe runs per VMM (default 9)
#   RUNS_LINUX  Linux boots per VMM (default 5)
#   KERNEL_NAME what $B/vmlinuz is, for the table
# Runs interleave la-vmrun and the peer; each figure is the median. The
# peer runs with -n mode=none: la-vmrun gives these guests no NIC either.
B=${B:?}
RUNS_PROBE=${RUNS_PROBE:-9}
RUNS_LINUX=${RUNS_LINUX:-5}
GMEM=256
X=la-bench-exec
log=${TMPDIR:-/tmp}/la-bench.$$
append="quiet la.fate=poweroff la.sleep=2"

median() {
	sed -n "s/.*$1=\\([-0-9.]*\\).*/\\1/p" "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}
statuses() {
	sed -n 's/.*status=\([0-9]*\).*/\1/p' "$1" | sort -u | paste -sd, -
}
guest_uptime() {
	for l in "$1".log.*; do
		sed -n 's/^la-guest: init \([0-9.]*\).*/uptime=\1/p' "$l"
	done >"$1.up"
	median uptime "$1.up"
}
row() {
	printf '    %-10s %10s %14s %8s\n' "$1" "$(median wall_ms "$2")" \
		"$(median maxrss_kib "$2")" "$(statuses "$2")"
}
lrow() {
	printf '    %-10s %12s %16s %10s %10s %14s %8s\n' "$1" "$(guest_uptime "$2")" \
		"$(median marker_ms "$2")" "$(median vmm_kib "$2")" "$(median rss_kib "$2")" \
		"$(median maxrss_kib "$2")" "$(statuses "$2")"
}

probe() {
	echo "(a) VMM exec -> exit, a payload that powers off at once ($ARCH, PSCI/SBI): median of $RUNS_PROBE runs each, interleaved"
	printf '    %-10s %10s %14s %8s\n' VMM wall_ms peak_rss_kib status
	: >"$log.p-la"
	: >"$log.p-peer"
	i=0
	while [ "$i" -lt "$RUNS_PROBE" ]; do
		$X -- "$VMRUN" --mem "${GMEM}M" "$B/probe" >>"$log.p-la" 2>>"$log.p-la.err"
		[ -z "$PEER" ] ||
			$X -- "$PEER" run -m "$GMEM" -c 1 -n mode=none -k "$B/probe" >>"$log.p-peer" 2>>"$log.p-peer.err"
		i=$((i + 1))
	done
	row la-vmrun "$log.p-la"
	if [ -n "$PEER" ]; then row lkvm "$log.p-peer"; else printf '    %-10s %s\n' lkvm "no peer"; fi
}

linux() {
	echo "(b) Linux ${KERNEL_NAME:-vmlinuz}, 1 vCPU, ${GMEM} MiB: kernel start -> init marker, and (c) VMM memory while it runs"
	echo "    median of $RUNS_LINUX boots each, interleaved; guest_init_s = guest uptime at /init; vmm_kib = RSS minus guest RAM (smaps, 1 s after the marker)"
	printf '    %-10s %12s %16s %10s %10s %14s %8s\n' VMM guest_init_s exec_to_init_ms vmm_kib rss_kib peak_rss_kib status
	: >"$log.l-la"
	: >"$log.l-peer"
	i=0
	while [ "$i" -lt "$RUNS_LINUX" ]; do
		$X --marker 'la-guest: init' --smaps-delay 1000 --log "$log.l-la.log.$i" -- \
			"$VMRUN" --mem "${GMEM}M" --cpus 1 --initrd "$B/guest.cpio" --cmdline "$append" \
			"$B/vmlinuz" >>"$log.l-la" 2>>"$log.l-la.err"
		[ -z "$PEER" ] ||
			$X --marker 'la-guest: init' --smaps-delay 1000 --log "$log.l-peer.log.$i" -- \
				"$PEER" run -m "$GMEM" -c 1 -n mode=none -k "$B/vmlinuz" -i "$B/guest.cpio" \
				-p "console=ttyS0 $append" >>"$log.l-peer" 2>>"$log.l-peer.err"
		i=$((i + 1))
	done
	lrow la-vmrun "$log.l-la"
	if [ -n "$PEER" ]; then lrow lkvm "$log.l-peer"; else printf '    %-10s %s\n' lkvm "no peer"; fi
}

probe
linux
for f in "$log".*.err; do
	[ -s "$f" ] && { echo "--- $(basename "$f") (last lines)"; tail -n 5 "$f"; }
done
rm -f "$log".*
exit 0
