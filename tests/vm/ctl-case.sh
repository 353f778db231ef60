#!/bin/sh
# ctl-case.sh (in the emulated host): la-vmrun --control with the busybox
# test guest (2 vCPUs, la.sleep keeps it running), then la-vmctl and raw
# requests (la-ctl-fake --send/--hangup) against it; one "ctl: ..." line a
# check, for tests/bats/vmctl_vm.bats. Ends with stop.
P=${P:-/payload}
S=/tmp/vm.sock
la-vmrun --mem 256M --cpus 2 --initrd "$P/guest.cpio" --control "$S" \
	--cmdline 'quiet la.sleep=600 la.suspend=00' "$P/vmlinuz" >/tmp/vm.out 2>/tmp/vm.err </dev/null &
pid=$!
i=0
while [ ! -S "$S" ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
echo "ctl: mode $(stat -c %a "$S")"
# the guest is booting: la-vmctl meanwhile
out=$(la-vmctl "$S" status); echo "ctl: status rc $? $(echo "$out" | tr '\n' '|')"
out=$(la-vmctl "$S" list); echo "ctl: list rc $? $(echo "$out" | tr '\n' '|')"
echo "ctl: json $(la-vmctl --json "$S" list)"
out=$(timeout 60 la-vmrun --mem 64M --control "$S" "$P/vmlinuz" 2>&1 </dev/null)
echo "ctl: second rc $? $out"
echo "ctl: malformed $(printf 'nope\n' | la-ctl-fake --send "$S")"
echo "ctl: toolong $(head -c 5000 /dev/zero | tr '\0' x | la-ctl-fake --send "$S")"
printf '{"op":"sta' | la-ctl-fake --hangup "$S"
echo "ctl: hangup done"
: >/tmp/x.img
out=$(la-vmctl "$S" add disk /tmp/x.img,ro 2>&1); echo "ctl: add rc $? $out"
sleep 2
out=$(la-vmctl "$S" status); echo "ctl: after rc $? $(echo "$out" | tr '\n' '|')"
kill -0 "$pid" && echo "ctl: still running"
# suspend and resume (the virtual PMC; la.suspend=00: GPE 0 is its sleep
# button's request, the init acts on it) once the guest's init listens
i=0
while ! grep -q 'la-guest: suspend wakeup' /tmp/vm.out && [ $i -lt 600 ]; do
	sleep 0.2; i=$((i + 1))
done
# the guest never said so: its console's end, for the failure's reader
grep -q 'la-guest: suspend wakeup' /tmp/vm.out ||
	tail -n 40 /tmp/vm.out | tr -d '\r' | sed 's/^/ctl: no wakeup line; console: /'
out=$(la-vmctl "$S" suspend 2>&1); echo "ctl: suspend rc $? $out"
out=$(la-vmctl "$S" status); echo "ctl: suspended status rc $? $(echo "$out" | tr '\n' '|')"
t1=$(grep -c 'la-guest: tick' /tmp/vm.out)
sleep 3
t2=$(grep -c 'la-guest: tick' /tmp/vm.out)
echo "ctl: ticks while suspended $((t2 - t1))"
out=$(la-vmctl "$S" suspend 2>&1); echo "ctl: suspend again rc $? $out"
out=$(la-vmctl "$S" resume 2>&1); echo "ctl: resume rc $? $out"
out=$(la-vmctl "$S" resume 2>&1); echo "ctl: resume again rc $? $out"
out=$(la-vmctl "$S" status); echo "ctl: resumed status rc $? $(echo "$out" | tr '\n' '|')"
sleep 2
t3=$(grep -c 'la-guest: tick' /tmp/vm.out)
echo "ctl: ticks after resume $((t3 - t2))"
# again: the wake GPE was lowered, so the guest stays asleep this time too
out=$(la-vmctl "$S" suspend 2>&1); echo "ctl: suspend 2 rc $? $out"
t4=$(grep -c 'la-guest: tick' /tmp/vm.out)
sleep 2
echo "ctl: ticks while suspended 2 $(($(grep -c 'la-guest: tick' /tmp/vm.out) - t4))"
out=$(la-vmctl "$S" resume 2>&1); echo "ctl: resume 2 rc $? $out"
# the init says so once its tasks run again
i=0
while [ "$(grep -c 'la-guest: resumed' /tmp/vm.out)" -lt 2 ] && [ $i -lt 100 ]; do
	sleep 0.2; i=$((i + 1))
done
grep -E 'la-guest: (suspend|resumed)' /tmp/vm.out | tr -d '\r' | sed 's/^/ctl: guest /'
out=$(la-vmctl "$S" stop); echo "ctl: stop rc $? $out"
wait "$pid"
echo "ctl: vmrun exit $?"
[ -e "$S" ] && echo "ctl: socket left" || echo "ctl: socket gone"
sed 's/^/ctl: vmrun stderr /' /tmp/vm.err
