#!/bin/sh
# seccomp-live.sh CMD...: start la-vmrun (CMD, booting the probe guest in
# probe.mode=wait) with standard input from a pipe; while the guest waits,
# print what /proc says about la-vmrun's sandbox: each task's name and
# Seccomp line ("live: task NAME Seccomp: N"), NoNewPrivs, CapEff, which namespaces are new, the jail's root. Then
# send the byte the guest waits for, and exit with la-vmrun's status.
. "$(dirname "$(readlink -f "$0")")/probe-wait.sh"
probe_start live "$@"
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
probe_release
exit "$st"
