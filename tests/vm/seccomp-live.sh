#!/bin/sh
# seccomp-live.sh CMD...: start la-vmrun (CMD, booting the probe guest in
# probe.mode=wait) with standard input from a pipe; while the guest waits,
# print what /proc says about la-vmrun's sandbox: each task's name and
# Seccomp line ("live: task NAME Seccomp: N"), NoNewPrivs, CapEff, which namespaces are new, the jail's root. Then
# send the byte the guest waits for, and exit with la-vmrun's status.
fifo=/tmp/live.fifo out=/tmp/live.out
rm -f "$fifo" "$out"
mkfifo "$fifo" || exit 90
"$@" <"$fifo" >"$out" 2>/tmp/live.err &
pid=$!
exec 3>"$fifo"
i=0
until grep -q 'waiting for a byte' "$out" 2>/dev/null; do
	i=$((i + 1))
	if [ "$i" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "seccomp-live: the guest never waited" >&2
		cat "$out" /tmp/live.err >&2
		kill -9 "$pid" 2>/dev/null
		exit 91
	fi
	sleep 0.1
done
for t in /proc/"$pid"/task/*; do
	echo "live: task $(cat "$t/comm") $(grep -E '^Seccomp:' "$t/status" | tr -s '\t ' ' ')"
done
grep -E '^(NoNewPrivs|CapEff):' /proc/"$pid"/status | tr -s '\t ' ' ' | sed 's/^/live: /'
for ns in mnt ipc uts; do
	if [ "$(readlink /proc/"$pid"/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ]; then
		echo "live: $ns namespace new"
	else
		echo "live: $ns namespace shared"
	fi
done
echo "live: root entries $(ls -A /proc/"$pid"/root/ | wc -l)"
printf x >&3
exec 3>&-
wait "$pid"
st=$?
cat "$out"
cat /tmp/live.err >&2
exit "$st"
