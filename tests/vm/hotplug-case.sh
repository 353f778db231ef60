#!/bin/sh
# hotplug-case.sh (in the emulated host): la-vmrun --pci-hotplug-slots 1
# with the virtio test guest (a read-only boot disk: /dev/vda; virtio_pci
# and virtio_blk loaded; la.hotplug=/dev/vdb watches), then la-vmctl add
# disk, the error cases, remove, and the image read back; then, in the same
# slot, la-vmctl add net on a tap made with la-tap (la.hotplug=eth0,...:
# the guest configures it and pings L1), L1 pings the guest, remove, and
# the tap free again; one "hp: ..." line a check, for
# tests/bats/vmctl_hotplug_vm.bats. Ends with stop (a net device in).
P=${P:-/payload}
S=/tmp/hp.sock
dd if=/dev/zero of=/tmp/boot.img bs=1M count=1 2>/dev/null
dd if=/dev/zero of=/tmp/hp.img bs=1M count=4 2>/dev/null
printf 'host-marker-0042' | dd of=/tmp/hp.img conv=notrunc 2>/dev/null
cp /tmp/hp.img /tmp/hp2.img
t0=$(date +%s)
# LA_HP_ARGS: more la-vmrun options (e.g. --irqchip split), unquoted
la-vmrun $LA_HP_ARGS --mem 256M --cpus 2 --initrd "$P/virtio.cpio" --control "$S" --pci-hotplug-slots 1 \
	--disk /tmp/boot.img,ro --cmdline 'quiet la.modules=virtio_pci,virtio_blk,virtio_net la.hotplug=/dev/vdb la.hotplug=eth0,10.0.2.15/24,10.0.2.1 la.sleep=600' \
	"$P/vmlinuz" >/tmp/vm.out 2>/tmp/vm.err </dev/null &
pid=$!
# wait_for TEXT SECS: TEXT in the guest's output
wait_for() {
	i=0
	while ! grep -q "$1" /tmp/vm.out && [ $i -lt $(($2 * 5)) ]; do sleep 0.2; i=$((i + 1)); done
	grep -q "$1" /tmp/vm.out
}
# hp_remove WHAT ADDR NAME: la-vmctl remove ADDR ("hp: WHATremove rc ..."),
# timed, and the guest's line saying NAME is gone
hp_remove() {
	t=$(date +%s)
	out=$(la-vmctl "$S" remove "$2" 2>&1); echo "hp: $1remove rc $? $out"
	echo "hp: $1removed in $(($(date +%s) - t)) s"
	wait_for "la-guest: hotplug $3 gone" 30
	grep "la-guest: hotplug $3 gone" /tmp/vm.out | sed 's/^/hp: guest /'
}
wait_for 'la-guest: modules loaded' 300 && echo "hp: booted in $(($(date +%s) - t0)) s"
t1=$(date +%s)
out=$(la-vmctl "$S" add disk /tmp/hp.img 2>&1); echo "hp: add rc $? $out"
addr=$(echo "$out" | sed -n 's/.* at \([0-9a-f:.]*\)$/\1/p')
wait_for 'la-guest: hotplug /dev/vdb wrote' 120 && echo "hp: guest saw it in $(($(date +%s) - t1)) s"
grep 'la-guest: hotplug' /tmp/vm.out | sed 's/^/hp: guest /'
out=$(la-vmctl "$S" list 2>&1); echo "hp: list rc $? $(echo "$out" | tr '\n' '|')"
out=$(la-vmctl "$S" add disk /tmp/hp2.img 2>&1); echo "hp: full rc $? $out"
out=$(la-vmctl "$S" remove 00:1f.0 2>&1); echo "hp: empty rc $? $out"
echo "hp: malformed $(printf '{"op":"add","device":"disk"}\n' | la-ctl-fake --send "$S")"
echo "hp: nofd $(printf '{"op":"add","device":"disk","path":"/tmp/hp2.img"}\n' | la-ctl-fake --send "$S")"
printf '{"op":"remove","addr":"00:0' | la-ctl-fake --hangup "$S"
echo "hp: hangup done"
hp_remove "" "$addr" /dev/vdb
echo "hp: image $(dd if=/tmp/hp.img bs=1 count=16 2>/dev/null) $(dd if=/tmp/hp.img bs=512 skip=8 count=1 2>/dev/null | head -c 16)"
out=$(la-vmctl "$S" add disk /tmp/hp2.img 2>&1); echo "hp: again rc $? $out"
# the network device, in the slot the disk leaves
out=$(la-vmctl "$S" remove "$addr" 2>&1); echo "hp: disk out rc $? $out"
la-tap la-tap0 10.0.2.1/24 | sed 's/^/hp: /'
out=$(la-vmctl "$S" add net tap=la-tap0,vhost=on 2>&1); echo "hp: net vhost rc $? $out"
out=$(la-vmctl "$S" add net tap=la-nosuch 2>&1); echo "hp: net nosuch rc $? $out"
echo "hp: net nofd $(printf '{"op":"add","device":"net","tap":"la-tap0"}\n' | la-ctl-fake --send "$S")"
t3=$(date +%s)
out=$(la-vmctl "$S" add net tap=la-tap0 2>&1); echo "hp: net add rc $? $out"
naddr=$(echo "$out" | sed -n 's/.* at \([0-9a-f:.]*\): .*/\1/p')
out=$(la-vmctl "$S" add net tap=la-tap0 2>&1); echo "hp: net busy rc $? $out"
wait_for 'la-guest: hotplug eth0 ping' 120 && echo "hp: net guest pinged in $(($(date +%s) - t3)) s"
grep 'la-guest: hotplug eth0' /tmp/vm.out | sed 's/^/hp: guest /'
ping -c 3 -W 2 10.0.2.15 >/tmp/l1-ping.out 2>&1 && echo "hp: net l1 ping ok" ||
	echo "hp: net l1 ping failed: $(tail -n 1 /tmp/l1-ping.out)"
out=$(la-vmctl "$S" list 2>&1); echo "hp: net list rc $? $(echo "$out" | grep virtio-net-hp)"
echo "hp: net threads $(cat /proc/$pid/task/*/comm | grep -c '^la-vnet')"
hp_remove "net " "$naddr" eth0
echo "hp: net threads after $(cat /proc/$pid/task/*/comm | grep -c '^la-vnet')"
out=$(la-vmctl "$S" add net tap=la-tap0,mac=52:54:00:00:00:07 2>&1); echo "hp: net again rc $? $out"
out=$(la-vmctl "$S" status); echo "hp: status rc $? $(echo "$out" | head -n 1)"
kill -0 "$pid" && echo "hp: still running"
out=$(la-vmctl "$S" stop); echo "hp: stop rc $? $out"
wait "$pid"
echo "hp: vmrun exit $?"
sed 's/^/hp: vmrun stderr /' /tmp/vm.err
grep -i 'acpiphp\|pci 0000:00:04\|virtio_blk\|ACPI Error\|ACPI BIOS' /tmp/vm.out | sed 's/^/hp: dmesg /' | head -40
