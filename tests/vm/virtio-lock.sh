#!/bin/sh
# virtio-lock.sh IMAGE LA-VMRUN-ARGS...: while one la-vmrun runs a guest
# with IMAGE as its disk (a shell on hvc0 waiting for input), print its
# threads ("live: task NAME Seccomp: N"), then try a second la-vmrun on the
# same image ("second: status N" and its message), then end the first.
img=$1
shift
fifo=/tmp/lock.$$.fifo out=/tmp/lock.$$.out
mkfifo "$fifo" || exit 90
la-vmrun --console virtio --cmdline la.hvc --disk "$img" "$@" <"$fifo" >"$out" 2>&1 &
pid=$!
exec 3>"$fifo"
i=0
until grep -q 'built-in shell' "$out" 2>/dev/null; do
	i=$((i + 1))
	if [ "$i" -gt 1200 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "virtio-lock: the first guest never got a shell" >&2
		cat "$out" >&2
		kill -9 "$pid" 2>/dev/null
		exit 91
	fi
	sleep 0.1
done
for t in /proc/"$pid"/task/*; do
	echo "live: task $(cat "$t/comm") $(grep -E '^Seccomp:' "$t/status" | tr -s '\t ' ' ')"
done
la-vmrun --disk "$img" "$@" >/tmp/lock.$$.second 2>&1
echo "second: status $?"
sed 's/^/second: /' /tmp/lock.$$.second
sleep 1
printf 'poweroff -f\n' >&3
exec 3>&-
wait "$pid"
echo "first: status $?"
