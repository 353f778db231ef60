#!/bin/sh
# tests/vm/disk-kill.sh kill|poweroff DISK COUNT SEED K DELAY_MS: in the
# emulated host, one boot of the virtio test guest ($P/vmlinuz,
# $P/virtio.cpio) on la-vmrun --disk DISK (PATH[,direct]), its /init writing
# COUNT numbered blocks to /dev/vda with a flush after each (la.blocks=,
# tests/vm/blocks.c), then the check of the image against what the guest
# said it had flushed (tests/bats/vmrun_vm_disk.bats).
#   kill      once the guest has printed block K's line, DELAY_MS more
#             milliseconds, then la-vmrun gets SIGKILL
#   poweroff  the guest powers itself off once block K is flushed, its
#             writes still going (la.blocks=...,K); la-vmrun ends by itself
# Prints la-vmrun's output (the guest's console; its standard error to
# standard error), then
#   disk: vmrun status STATUS
#   disk: last flushed N          (-1: none)
# and la-blocks check's line for blocks 0..N of the image. Exits with
# la-blocks check's status.
mode=$1 disk=$2 count=$3 seed=$4 k=$5 delay=$6
img=${disk%,direct}
blocks=/dev/vda,$count,$seed
[ "$mode" = kill ] || blocks=$blocks,$k
# an image file is made here, 16 MiB, when it is not there: each case stands
# alone (a rerun in a fresh emulated host, after one froze, has a new /tmp)
case $img in
/dev/*) ;;
*) [ -e "$img" ] || truncate -s 16M "$img" || exit 1 ;;
esac
# emptied here, before the wait below reads it: the child's own truncation
# may come after the first look, which would find the last case's lines
: >/tmp/disk.out
la-vmrun --mem 512M --initrd "$P/virtio.cpio" --disk "$disk" \
	--cmdline "quiet la.modules=virtio_pci,virtio_blk la.blocks=$blocks" \
	"$P/vmlinuz" >/tmp/disk.out 2>/tmp/disk.err &
pid=$!
if [ "$mode" = kill ]; then
	# (the console's lines end in \r\n: no $ anchor)
	while kill -0 "$pid" 2>/dev/null && ! grep -q "^la-blocks: flushed $k ok" /tmp/disk.out; do
		sleep 0.05
	done
	sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
	kill -KILL "$pid" 2>/dev/null
fi
wait "$pid"
st=$?
# a last line cut short by the kill ends here too (its number, when whole,
# was printed after its flush: it counts)
awk '{ sub(/\r$/, ""); print }' /tmp/disk.out
cat /tmp/disk.err >&2
last=$(awk '{ sub(/\r$/, ""); print }' /tmp/disk.out |
	sed -n 's/^la-blocks: flushed \([0-9]*\) ok$/\1/p' | tail -n 1)
echo "disk: vmrun status $st"
echo "disk: last flushed ${last:=-1}"
la-blocks check "$img" "$last" "$seed"
