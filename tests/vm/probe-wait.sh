# shellcheck shell=sh
# probe-wait.sh, sourced by the scripts that look at la-vmrun while the
# probe guest waits (seccomp-live.sh, hugepages.sh).
#
# probe_start NAME CMD...: start CMD (la-vmrun booting the probe in
# probe.mode=wait) with standard input from a FIFO, its output in
# /tmp/NAME.out and /tmp/NAME.err; return once the guest waits for its
# byte, with $pid la-vmrun's (exit 91 when it never waits, 90 without a
# FIFO). probe_release: send the byte, wait for la-vmrun, print its output
# (standard error to standard error); $st is its status.
probe_start() {
	probe_name=$1
	shift
	rm -f "/tmp/$probe_name.fifo" "/tmp/$probe_name.out"
	mkfifo "/tmp/$probe_name.fifo" || exit 90
	"$@" <"/tmp/$probe_name.fifo" >"/tmp/$probe_name.out" 2>"/tmp/$probe_name.err" &
	pid=$!
	exec 3>"/tmp/$probe_name.fifo"
	probe_i=0
	until grep -q 'waiting for a byte' "/tmp/$probe_name.out" 2>/dev/null; do
		probe_i=$((probe_i + 1))
		if [ "$probe_i" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
			echo "$probe_name: the guest never waited" >&2
			cat "/tmp/$probe_name.out" "/tmp/$probe_name.err" >&2
			kill -9 "$pid" 2>/dev/null
			exit 91
		fi
		sleep 0.1
	done
}

probe_release() {
	printf x >&3
	exec 3>&-
	wait "$pid"
	st=$?
	cat "/tmp/$probe_name.out"
	cat "/tmp/$probe_name.err" >&2
}
