#!/bin/bash
# bench/report.sh RESULTS [SVG]: make bench's table from the raw results of
# bench/boot.sh (RESULTS: its H, R, T and # lines), and, with SVG, the boot
# timelines drawn by gnuplot: for each configuration the run with the
# median exec -> init, split where the time goes.
#   H WORD TEXT              the run's header (date, machine, commit, ...)
#   R PART CONFIG ROUND K=V...  one run: la-bench-exec's keys (wall_ms,
#                               marker_ms, ready_ms, done_ms, maxrss_kib,
#                               rss_kib, vmm_kib, status) and the guest's
#                               uptimes (init_s, ready_s)
#   T CONFIG ROUND MS STEP   one la-vmrun --boot-timing line of that run
#   # TEXT                   a note (a failed run's console end)
# Figures are medians over the rounds, with the lowest and highest; a ratio
# is of the medians. Exit status: 0; 1 when RESULTS cannot be read or has
# no runs, 2 usage.
set -u
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: bench/report.sh RESULTS [SVG]" >&2; exit 2; }
raw=$1 svg=${2:-}
[ -r "$raw" ] || { echo "bench/report.sh: $raw: cannot read it" >&2; exit 1; }
grep -q '^R ' "$raw" || { echo "bench/report.sh: $raw: no results (R lines)" >&2; exit 1; }

# stat PART CONFIG KEY [SCALE]: "median min max n" of KEY over the rounds
# (times SCALE), "- - - 0" when there is none; a value below 0 (a marker
# never seen) does not count
stat() {
	awk -v p="$1" -v c="$2" -v k="$3" -v s="${4:-1}" '
		$1 == "R" && $2 == p && $3 == c {
			for (i = 5; i <= NF; i++)
				if (index($i, k "=") == 1) {
					v = substr($i, length(k) + 2)
					if (v != "" && v + 0 >= 0)
						x[n++] = v * s
				}
		}
		END {
			if (!n) { print "- - - 0"; exit }
			for (i = 0; i < n; i++)
				for (j = i + 1; j < n; j++)
					if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			m = n % 2 ? x[(n - 1) / 2] : (x[n / 2 - 1] + x[n / 2]) / 2
			print m, x[0], x[n - 1], n
		}' "$raw"
}
# statuses PART CONFIG: the exit statuses seen ("0", "0,1")
statuses() {
	awk -v p="$1" -v c="$2" '$1 == "R" && $2 == p && $3 == c {
		for (i = 5; i <= NF; i++) if ($i ~ /^status=/) print substr($i, 8) }' "$raw" |
		sort -un | paste -sd, -
}
# fmt V DIGITS: V with DIGITS decimals, "-" as is
fmt() {
	awk -v v="$1" -v d="$2" 'BEGIN { if (v == "-") print "-"; else printf "%.*f\n", d, v }'
}
# ratio A B: A/B, two decimals
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}
# verdict RATIO OP LIMIT: "met" or "NOT met" ("-": not measured)
verdict() {
	awk -v r="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (r == "-") { print "not measured"; exit }
		ok = op == "<=" ? r + 0 <= l + 0 : r + 0 >= l + 0
		print ok ? "met" : "NOT met" }'
}
has() {
	grep -q "^R $1 $2 " "$raw"
}
header() {
	sed -n "s/^H $1 //p" "$raw" | head -n "${2:-1}"
}

echo "la bench, $(header date): commit $(header commit)"
echo "  machine: $(header machine)"
[ -n "$(header l1)" ] && echo "  emulated host (where /dev/kvm runs the guests): $(header l1)"
[ -n "$(header kernel)" ] && echo "  guest: $(header kernel)"
sed -n 's/^H load /  load: /p' "$raw"
verdicts=()

# --- (1) stage programs ------------------------------------------------------------
if grep -q '^R stage ' "$raw"; then
	echo
	echo "(1) stage programs, exec -> exit in ms (median, min-max over $(stat stage true wall_ms | cut -d' ' -f4) calls); target <= 2 ms"
	printf '    %-18s %8s %13s %12s %8s\n' program median min-max over-true status
	read -r tm _ _ _ < <(stat stage true wall_ms)
	for c in true la-layout la-alloc la-hostcpu la-mkfdt la-mkfdt-hostcpu; do
		has stage "$c" || continue
		read -r m lo hi _ < <(stat stage "$c" wall_ms)
		printf '    %-18s %8s %13s %12s %8s\n' "$c" "$(fmt "$m" 2)" "$(fmt "$lo" 2)-$(fmt "$hi" 2)" \
			"$(awk -v a="$m" -v b="$tm" 'BEGIN { printf "%+.2f", a - b }')" "$(statuses stage "$c")"
		[ "$c" = true ] || verdicts+=("$c <= 2 ms: $(fmt "$m" 2) ms, $(verdict "$m" "<=" 2)")
	done
fi

# --- (2) firmware -------------------------------------------------------------------
for where in fw-native fw-l1; do
	grep -q "^R $where " "$raw" || continue
	echo
	[ "$where" = fw-native ] && w="natively" || w="in the emulated host"
	echo "(2) firmware exec -> exit, $w: ms (median, min-max over $(stat "$where" qemu-microvm wall_ms | cut -d' ' -f4) rounds)"
	echo "    over-floor: la-vmrun over the leanest platform's floor (floor-split; target <= 2); over-qemu: over QEMU microvm (target <= 0.20)"
	printf '    %-14s %9s %17s %13s %11s %10s %7s\n' config median min-max peak_rss_kib over-floor over-qemu status
	read -r q _ _ _ < <(stat "$where" qemu-microvm wall_ms)
	read -r fl _ _ _ < <(stat "$where" floor-split wall_ms)
	for c in la-kernel la-split floor-la floor-split qemu-microvm lkvm; do
		has "$where" "$c" || continue
		read -r m lo hi _ < <(stat "$where" "$c" wall_ms)
		read -r rss _ _ _ < <(stat "$where" "$c" maxrss_kib)
		printf '    %-14s %9s %17s %13s %11s %10s %7s\n' "$c" "$(fmt "$m" 1)" "$(fmt "$lo" 1)-$(fmt "$hi" 1)" \
			"$(fmt "$rss" 0)" "$(ratio "$m" "$fl")" "$(ratio "$m" "$q")" "$(statuses "$where" "$c")"
	done
	read -r la _ _ _ < <(stat "$where" la-kernel wall_ms)
	verdicts+=("firmware $w, la-vmrun (default irqchip) <= 2x floor-split: $(ratio "$la" "$fl"), $(verdict "$(ratio "$la" "$fl")" "<=" 2)")
	verdicts+=("firmware $w, la-vmrun <= 1/5 of QEMU microvm: $(ratio "$la" "$q"), $(verdict "$(ratio "$la" "$q")" "<=" 0.20)")
done

# --- (3) and (4) Linux ----------------------------------------------------------------
if grep -q '^R linux ' "$raw"; then
	n=$(stat linux qemu marker_ms | cut -d' ' -f4)
	echo
	echo "(3) Linux boots in the emulated host, median (min-max) over $n interleaved rounds; +dev: one virtio disk and one NIC"
	echo "    init_ms: exec -> the guest's /init; init_s: guest uptime at /init; ready_s: uptime once its modules found"
	echo "    the disk and NIC; exit_ms: exec -> exit; vmm_kib: RSS minus guest RAM at ready (4); x: over QEMU, same devices"
	printf '    %-12s %8s %13s %5s %7s %11s %5s %7s %8s %8s %6s\n' config init_ms min-max x init_s min-max x \
		ready_s exit_ms vmm_kib status
	for c in la la-split qemu la+dev la-split+dev la-huge+dev qemu+dev; do
		has linux "$c" || continue
		peer=qemu
		[[ $c == *+dev ]] && peer=qemu+dev
		read -r m lo hi _ < <(stat linux "$c" marker_ms)
		read -r qm _ _ _ < <(stat linux "$peer" marker_ms)
		read -r u ulo uhi _ < <(stat linux "$c" init_s)
		read -r qu _ _ _ < <(stat linux "$peer" init_s)
		read -r r _ _ _ < <(stat linux "$c" ready_s)
		read -r w _ _ _ < <(stat linux "$c" wall_ms)
		read -r v _ _ _ < <(stat linux "$c" vmm_kib)
		printf '    %-12s %8s %13s %5s %7s %11s %5s %7s %8s %8s %6s\n' "$c" "$(fmt "$m" 0)" \
			"$(fmt "$lo" 0)-$(fmt "$hi" 0)" "$(ratio "$m" "$qm")" "$(fmt "$u" 2)" \
			"$(fmt "$ulo" 2)-$(fmt "$uhi" 2)" "$(ratio "$u" "$qu")" "$(fmt "$r" 2)" "$(fmt "$w" 0)" \
			"$(fmt "$v" 0)" "$(statuses linux "$c")"
	done
	# the targets: every round, with the devices on (round i of la+dev
	# against round i of qemu+dev, the two next to each other in time)
	for c in la+dev la; do
		has linux "$c" || continue
		peer=qemu
		[ "$c" = la+dev ] && peer=qemu+dev
		read -r m _ _ _ < <(stat linux "$c" marker_ms)
		read -r qm _ _ _ < <(stat linux "$peer" marker_ms)
		read -r u _ _ _ < <(stat linux "$c" init_s)
		read -r qu _ _ _ < <(stat linux "$peer" init_s)
		worst=$(awk -v a="$c" -v b="$peer" '
			function val(k,   i) { for (i = 5; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
			$1 == "R" && $2 == "linux" && $3 == a { ma[$4] = val("marker_ms"); ua[$4] = val("init_s") }
			$1 == "R" && $2 == "linux" && $3 == b { mb[$4] = val("marker_ms"); ub[$4] = val("init_s") }
			END {
				wm = wu = "-"
				for (r in ma) if ((r in mb) && mb[r] > 0 && ma[r] >= 0) { x = ma[r] / mb[r]; if (wm == "-" || x > wm) wm = x }
				for (r in ua) if ((r in ub) && ub[r] > 0 && ua[r] != "") { x = ua[r] / ub[r]; if (wu == "-" || x > wu) wu = x }
				printf "%s %s\n", wm == "-" ? "-" : sprintf("%.2f", wm), wu == "-" ? "-" : sprintf("%.2f", wu)
			}' "$raw")
		verdicts+=("Linux $c exec -> init <= 0.5 of QEMU microvm: $(ratio "$m" "$qm") (worst round ${worst% *}), $(verdict "${worst% *}" "<=" 0.5)")
		verdicts+=("Linux $c uptime at init <= 0.7 of QEMU microvm: $(ratio "$u" "$qu") (worst round ${worst#* }), $(verdict "${worst#* }" "<=" 0.7)")
	done
	read -r v _ _ _ < <(stat linux la+dev vmm_kib)
	[ "$v" != - ] && verdicts+=("(4) la-vmrun RSS minus guest RAM with a disk and a NIC <= 3 MiB: $(fmt "$v" 0) KiB, $(verdict "$v" "<=" 3072)")
	if has linux la-huge+dev; then
		read -r h _ _ _ < <(stat linux la-huge+dev marker_ms)
		read -r m _ _ _ < <(stat linux la+dev marker_ms)
		echo "    --hugepages (hugetlbfs 2 MiB pages) over anonymous memory (THP-aligned), exec -> init: $(ratio "$h" "$m")"
	fi
fi

# --- (5) la-vmrun's own breakdown (--boot-timing) ------------------------------------
# steps CONFIG...: each --boot-timing step's median end (ms since exec) in
# each CONFIG (T lines), in the order of their medians
steps() {
	awk -v list="$*" '
		BEGIN { nc = split(list, cs, " "); for (i = 1; i <= nc; i++) want[cs[i]] = i }
		$1 == "T" && ($2 in want) {
			c = $2; ms = $4; $1 = $2 = $3 = $4 = ""; sub(/^ +/, "")
			k = c SUBSEP $0
			if (!(k in n)) { n[k] = 0; if (!($0 in seen)) { seen[$0] = 1; st[++ns] = $0 } }
			v[k, ++n[k]] = ms
		}
		function med(k,   i, j, t, m, a) {
			m = n[k]; if (!m) return "-"
			for (i = 1; i <= m; i++) a[i] = v[k, i]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
			return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
		}
		END {
			# a step the first CONFIG lacks (taps, a device thread) goes
			# by the first CONFIG that has it
			for (s = 1; s <= ns; s++) {
				m1[s] = "-"
				for (c = 1; c <= nc && m1[s] == "-"; c++)
					m1[s] = med(cs[c] SUBSEP st[s])
				o[s] = s
			}
			for (i = 1; i <= ns; i++) for (j = i + 1; j <= ns; j++)
				if ((m1[o[j]] == "-" ? 1e18 : m1[o[j]]) < (m1[o[i]] == "-" ? 1e18 : m1[o[i]])) { t = o[i]; o[i] = o[j]; o[j] = t }
			for (i = 1; i <= ns; i++) {
				line = sprintf("    %-56s", st[o[i]])
				for (c = 1; c <= nc; c++) {
					m = med(cs[c] SUBSEP st[o[i]])
					line = line sprintf(" %11s", m == "-" ? "-" : sprintf("%.1f", m))
				}
				print line
			}
		}' "$raw"
}
if grep -q '^T ' "$raw"; then
	echo
	echo "(5) la-vmrun --boot-timing: when each step ended, ms since exec (median over the rounds)"
	fwc="" lc=""
	for c in fw-l1/la-kernel fw-l1/la-split fw-native/la-kernel fw-native/la-split; do
		grep -q "^T $c " "$raw" && fwc="$fwc $c"
	done
	for c in la la-split la+dev la-split+dev la-huge+dev; do
		grep -q "^T $c " "$raw" && lc="$lc $c"
	done
	if [ -n "$fwc" ]; then
		printf '    %-56s' "firmware"
		printf ' %11s' $(echo $fwc | sed 's#fw-l1/##g; s#fw-native/#native:#g')
		echo
		steps $fwc
	fi
	if [ -n "$lc" ]; then
		printf '    %-56s' "Linux"
		printf ' %11s' $lc
		echo
		steps $lc
	fi
fi

# --- the verdicts and the notes ----------------------------------------------------
if [ ${#verdicts[@]} -gt 0 ]; then
	echo
	echo "targets (issue 18):"
	printf '    %s\n' "${verdicts[@]}"
fi
if grep -q '^# ' "$raw"; then
	echo
	echo "notes from the runs:"
	sed -n 's/^# /    /p' "$raw" | head -n 60
fi

[ -n "$svg" ] || exit 0

# --- the timelines (gnuplot) ------------------------------------------------------
# For each configuration, the round with the median exec -> init (Linux) or
# exec -> exit (firmware). Linux rows: exec -> kernel clock 0 (split at
# vCPU 0's first KVM_RUN for la-vmrun) -> /init -> devices ready ->
# "la-bench: done" -> exit. Firmware rows: la-vmrun's start-up steps.
command -v gnuplot >/dev/null 2>&1 || { echo "bench/report.sh: no gnuplot (make deps): no $svg" >&2; exit 0; }
dat=$(mktemp)
trap 'rm -f "$dat"' EXIT
awk '
function val(s, k,   i, n, f) {
	n = split(s, f, " ")
	for (i = 1; i <= n; i++) if (index(f[i], k "=") == 1) return substr(f[i], length(k) + 2)
	return ""
}
FNR == NR && $1 == "T" {
	ms = $4; c = $2; r = $3
	$1 = $2 = $3 = $4 = ""; sub(/^ +/, "")
	T[c, r, $0] = ms
	next
}
FNR == NR && $1 == "R" && ($2 == "linux" || $2 == "fw-l1") {
	key = $2 " " $3
	if (!(key in cnt)) order[++no] = key
	n = ++cnt[key]; L[key, n] = $0; R[key, n] = $4
	S[key, n] = val($0, $2 == "linux" ? "marker_ms" : "wall_ms") + 0
	next
}
END {
	# kinds: 0 VMM start-up, 1 boot code (-> kernel clock 0), 2 kernel -> /init,
	# 3 /init -> devices ready, 4 -> power-off asked (1 s sample), 5 -> exit,
	# 6 start-up + boot code (not split: a peer), 7 guest runs (firmware),
	# 8 teardown, 9 la-vmrun: options, files, layout, build_vm, 10 its KVM
	# objects, 11 its jail, threads and seccomp filters
	for (o = 1; o <= no; o++) {
		key = order[o]; split(key, kp, " "); part = kp[1]; c = kp[2]
		n = cnt[key]
		# the median round by the sort value
		for (i = 1; i <= n; i++) idx[i] = i
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (S[key, idx[j]] < S[key, idx[i]]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
		m = idx[int((n + 1) / 2)]
		s = L[key, m]; r = R[key, m]
		wall = val(s, "wall_ms") / 1000
		pk = (part == "linux" ? "linux" : "fw")
		y = rows[pk]++
		print pk, y, c > "/dev/stderr"
		if (part == "linux") {
			init = val(s, "marker_ms") / 1000; up = val(s, "init_s")
			k0 = init - up
			ready = val(s, "ready_ms") / 1000; done = val(s, "done_ms") / 1000
			fr = T[c, r, "vCPU 0'\''s first KVM_RUN"]
			if (fr != "") {
				printf "%s %d %f %f 0\n", pk, y, 0, fr / 1000
				printf "%s %d %f %f 1\n", pk, y, fr / 1000, k0
			} else
				printf "%s %d %f %f 6\n", pk, y, 0, k0
			printf "%s %d %f %f 2\n", pk, y, k0, init
			if (ready > init) printf "%s %d %f %f 3\n", pk, y, init, ready
			if (done > ready && ready > 0) printf "%s %d %f %f 4\n", pk, y, ready, done
			if (wall > done && done > 0) printf "%s %d %f %f 5\n", pk, y, done, wall
		} else {
			fr = T[part "/" c, r, "vCPU 0'\''s first KVM_RUN"]
			fd = T[part "/" c, r, "fate decided, threads joined"]
			bv = T[part "/" c, r, "build_vm: payload, tables and tree in guest memory"]
			vc = T[part "/" c, r, "vCPUs created and configured"]
			if (fr != "" && fd != "" && bv != "" && vc != "") {
				printf "%s %d %f %f 9\n", pk, y, 0, bv / 1000
				printf "%s %d %f %f 10\n", pk, y, bv / 1000, vc / 1000
				printf "%s %d %f %f 11\n", pk, y, vc / 1000, fr / 1000
				printf "%s %d %f %f 7\n", pk, y, fr / 1000, fd / 1000
				printf "%s %d %f %f 8\n", pk, y, fd / 1000, wall
			} else
				printf "%s %d %f %f 6\n", pk, y, 0, wall
		}
	}
}' "$raw" "$raw" 2>"$dat.labels" >"$dat"
if [ ! -s "$dat" ]; then
	echo "bench/report.sh: nothing to draw: no $svg" >&2
	exit 0
fi
# the firmware rows are milliseconds long, the Linux rows seconds: two plots
ytics() {
	awk -v p="$1" '$1 == p { printf "%s\"%s\" %d", (n++ ? ", " : ""), $3, $2 }' "$dat.labels"
}
nl=$(grep -c '^linux ' "$dat.labels")
nf=$(grep -c '^fw ' "$dat.labels")
grep '^linux ' "$dat" | cut -d' ' -f2- >"$dat.linux"
grep '^fw ' "$dat" | awk '{ print $2, $3 * 1000, $4 * 1000, $5 }' >"$dat.fw"
# each plot's share of the height: its rows, and room for its title
hl=$(awk -v a="$nl" -v b="$nf" 'BEGIN { if (!b) print 1; else if (!a) print 0; else printf "%.3f", (a + 3) / (a + b + 6) }')
{
	cat <<EOF
set terminal svg size 1000,$((240 + 34 * (nl + nf))) dynamic font "sans,11" background "#ffffff"
set output "$svg"
set style fill solid 0.9 noborder
set key outside right center vertical font ",10"
set grid xtics lc rgb "#dddddd"
set multiplot title "la bench: $(header commit), $(header date)" font ",12"
array kinds[12] = ["VMM start-up (exec to vCPU 0's first KVM_RUN)", "boot code, early kernel (to kernel clock 0)", "kernel to /init", "/init to devices ready", "1 s sample, then power-off asked", "power-off to exit", "peer: start-up and boot code (not split)", "firmware runs (first KVM_RUN to reset)", "teardown (to exit)", "options, files, layout, build_vm", "KVM: VM, irqchip, memory, devices, vCPUs", "jail, threads, seccomp filters"]
colors = "#4c72b0 #8fb1e0 #dd8452 #55a868 #cccccc #c44e52 #8172b3 #937860 #da8bc3 #64b5cd #2a4d8f #ccb974"
EOF
	if [ "$nl" -gt 0 ]; then
		cat <<EOF
set size 1, $hl - 0.04
set origin 0, 1 - $hl
set title "Linux in the emulated host: exec to exit (s), the median round of each" font ",11"
set xlabel "seconds since exec"
set ytics ($(ytics linux)) nomirror
set yrange [-0.6:$nl - 0.4] reverse
set xrange [0:*]
plot for [k=0:6] "$dat.linux" using (\$4 == k ? \$2 : NaN):1:2:3:(\$1 - 0.32):(\$1 + 0.32) \\
	with boxxyerror lc rgb word(colors, k + 1) title kinds[k + 1] noenhanced
EOF
	fi
	if [ "$nf" -gt 0 ]; then
		cat <<EOF
set size 1, 1 - $hl
set origin 0, 0
set title "firmware in the emulated host: exec to exit (ms), the median round of each" font ",11"
set xlabel "milliseconds since exec"
set ytics ($(ytics fw)) nomirror
set yrange [-0.6:$nf - 0.4] reverse
set xrange [0:*]
plot for [k=6:11] "$dat.fw" using (\$4 == k ? \$2 : NaN):1:2:3:(\$1 - 0.32):(\$1 + 0.32) \\
	with boxxyerror lc rgb word(colors, k + 1) title kinds[k + 1] noenhanced
EOF
	fi
	echo "unset multiplot"
} >"$dat.gp"
# gnuplot warns of a kind no row has ("no valid points"): not an error
gnuplot "$dat.gp" 2>"$dat.err" ||
	{ echo "bench/report.sh: gnuplot failed: $(grep -v 'no valid points' "$dat.err" | head -n 3)" >&2; exit 1; }
rm -f "$dat".*
echo
echo "timelines: $svg"
