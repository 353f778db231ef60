#!/bin/sh
# san-all.sh (in the emulated host, after la-tap la-tap0 10.0.2.1/24): one
# boot of the virtio test guest with every device la-vmrun has, each used:
# a disk the guest writes numbered flushed blocks to (la-blocks), virtio-rng,
# the console on virtio (hvc0), virtio-net on the tap through la-vmrun's own
# backend (vhost=off: ping, a file each way), vsock (1 MiB each way with
# la-vsock), the control socket (la-vmctl status while the guest runs),
# pstore (ramoops) and pvpanic (the guest panics at the end: exit 34). For
# tests/bats/vmrun_vm_san.bats, where la-vmrun is the ASan+UBSan build.
# --no-jail: LeakSanitizer's exit-time check reads /proc/PID/task, which
# the jail's empty root has not ("Can't open /proc/N/task for reading",
# exit 86); the seccomp filters stay (trap, the default).
# Prints la-vmrun's output (standard error to standard error), then one
# "san: ..." line per check made here.
P=${P:-/payload}
S=/tmp/san.sock
timeout 200 nc -l -p 7001 <"$P/blob" &
mkfifo /tmp/san-hold
timeout 200 nc -l -p 7002 <>/tmp/san-hold >/tmp/san-put &
la-vsock -t 200 listen 5000 >/tmp/san-vsock.out 2>&1 &
: >/tmp/san-disk.img
truncate -s 4M /tmp/san-disk.img
la-vmrun --no-jail --mem 512M --initrd "$P/virtio.cpio" --control "$S" \
	--disk /tmp/san-disk.img --rng --console virtio --net tap=la-tap0,vhost=off --vsock 3 \
	--pstore path=/tmp/san-ps.img,size=1M \
	--cmdline "quiet la.modules=virtio,ramoops,pvpanic_pci la.blocks=/dev/vda,64,4242 la.hwrng=64 la.ip=eth0,10.0.2.15/24 la.ping=10.0.2.1 la.get=10.0.2.1:7001 la.put=10.0.2.1:7002:128 la.vsock=connect,2,5000 la.pstore la.panic" \
	"$P/vmlinuz" >/tmp/san.out 2>/tmp/san.err </dev/null &
pid=$!
i=0
while [ ! -S "$S" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
out=$(la-vmctl "$S" status 2>&1)
echo "san: status rc $? $(echo "$out" | head -n 1)"
wait "$pid"
st=$?
awk '{ sub(/\r$/, ""); print }' /tmp/san.out
cat /tmp/san.err >&2
echo "san: vmrun status $st"
wait
echo "san: put bytes $(wc -c </tmp/san-put) sha256 $(sha256sum </tmp/san-put | cut -d' ' -f1)"
sed 's/^/san: /' /tmp/san-vsock.out
echo "san: $(la-blocks check /tmp/san-disk.img 63 4242)"
echo "san: pstore bytes $(wc -c </tmp/san-ps.img)"
