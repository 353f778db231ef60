#!/bin/sh
# serial-case.sh unix|syslog ARGS... in the emulated host (vmrun_vm_bvm.bats):
#   unix BOOT...   la-vmrun BOOT (a Linux guest, la.fate=shell) with COM2
#                  on a Unix socket, the console, and COM1 into a file with
#                  earlycon; a client (la-sercat) attaches, reads the guest's
#                  lines up to its shell, detaches; a second one attaches,
#                  types a line the shell runs (its answer is computed, not
#                  an echo of the typing), then poweroff -f. Says what
#                  la-vmrun returned, whether the socket is gone, and the
#                  early boot log's first kernel line in COM1's file.
#   syslog BOOT... busybox syslogd on /dev/log, la-vmrun BOOT with COM1 to
#                  syslog; prints the log's lines la-vmrun wrote.
# Every line it prints starts "serial-case: " or is what a client read.
mode=$1
shift
case $mode in
unix)
	s=/tmp/la-com2.sock
	rm -f "$s" /tmp/la-com1
	la-vmrun --serial "num=2,type=unix,path=$s,console" \
		--serial num=1,type=file,path=/tmp/la-com1,earlycon --cmdline la.fate=shell "$@" &
	vm=$!
	la-sercat "$s" --until 'la-guest: shell (' || echo "serial-case: client 1 failed"
	# (a client stops reading where its text ends: a new line for ours)
	echo
	echo "serial-case: client 1 detached"
	# while nobody is attached the VM runs on; a new client takes over
	la-sercat "$s" --send 'echo la-echo-$((6*7))' --until 'la-echo-42' \
		--send 'poweroff -f' || echo "serial-case: client 2 failed"
	echo
	echo "serial-case: client 2 detached"
	wait "$vm"
	echo "serial-case: la-vmrun status $?"
	if [ -e "$s" ]; then echo "serial-case: socket left"; else echo "serial-case: socket removed"; fi
	echo "serial-case: com1 $(grep -m1 -a 'Linux version' /tmp/la-com1 | cut -c1-40)"
	;;
syslog)
	rm -f /tmp/la-syslog
	syslogd -n -O /tmp/la-syslog &
	d=$!
	while [ ! -S /dev/log ]; do sleep 0.1; done
	la-vmrun --serial type=syslog,console "$@"
	echo "serial-case: la-vmrun status $?"
	kill "$d"
	wait "$d" 2>/dev/null
	grep 'la-vmrun' /tmp/la-syslog | sed 's/^/serial-case: syslog /'
	;;
esac
