#!/bin/sh
# hugepages.sh CMD...: in the emulated host (which is ours to change),
# give the kernel a pool of 2 MiB pages, start la-vmrun (CMD, with
# --hugepages, booting the probe in probe.mode=wait) with standard input
# from a pipe and, while the guest waits, print how many pages of the pool
# are taken (in use or reserved: Total - Free + Rsvd); then send the byte,
# print the count again once la-vmrun has exited, and exit with its
# status. A second run with a pool too small must fail at once.
huge() {
	awk '/^HugePages_Total:/ { t = $2 } /^HugePages_Free:/ { f = $2 }
		/^HugePages_Rsvd:/ { r = $2 } END { print t - f + r }' /proc/meminfo
}
pool() {
	echo "$1" >/proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" = "$1" ] || { echo "hugepages: no pool of $1" >&2; exit 92; }
}
. "$(dirname "$(readlink -f "$0")")/probe-wait.sh"
pool 64
echo "huge: taken before $(huge)"
probe_start huge "$@"
echo "huge: taken while it runs $(huge)"
probe_release
echo "huge: taken after $(huge)"
pool 8
"$@" </dev/null >/dev/null 2>/tmp/huge.small
echo "huge: small pool status $?"
sed 's/^/huge: small pool says: /' /tmp/huge.small
pool 0
exit "$st"
