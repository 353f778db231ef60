#!/bin/sh
# virtio-hvc.sh LA-VMRUN-ARGS...: boot the virtio guest with --console virtio
# and la.hvc (a shell on hvc0), type a command once the shell has said
# hello, then poweroff -f; la-vmrun's output on standard output.
out=/tmp/hvc.$$.out
: >"$out"
{
	i=0
	while ! grep -q "built-in shell" "$out" && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
	sleep 1
	printf 'echo hvc-$((6*7))\n'
	sleep 1
	printf 'poweroff -f\n'
} | la-vmrun --console virtio --cmdline la.hvc "$@" | tee "$out"
