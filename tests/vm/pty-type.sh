#!/bin/bash
# tests/vm/pty-type.sh LOG CMD [ARG...]: run CMD on a pseudo-terminal
# (script(1)), as `make run` runs on a user's terminal, and type into it
# as a user would: from the start (so some of it is typeahead while the
# emulated host boots), `echo typed-$((6*7))` and Enter every 2 s until the
# shell's answer "typed-42" shows; then three more commands, each once,
# `echo again-$((N*100+1))` for N 1..3, each answered within 30 s or the run
# is a stall; then Ctrl-A x. LOG gets everything the terminal showed, and
# LOG.timing one line per step ("answer 42 after S s", "answer N after S s",
# "stall at N", "ctrl-a x after S s"). Exit status: CMD's, or 124 when the
# shell never answered (PTY_TYPE_TIMEOUT, default 300 s) or a later command
# stalled (CMD is then ended).
set -eu
if [ $# -lt 2 ]; then
	echo "usage: pty-type.sh LOG CMD [ARG...]" >&2
	exit 2
fi
command -v script >/dev/null || { echo "pty-type: script(1) not found (Debian package bsdutils)" >&2; exit 2; }
log=$1
shift
limit=${PTY_TYPE_TIMEOUT:-300}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/in"
: >"$log"
: >"$log.timing"

# seen TEXT: the terminal has shown TEXT (carriage returns dropped)
seen() { tr -d '\r' <"$log" | grep -qF -- "$1"; }
now() { date +%s; }

# the typist: writes into the terminal through the fifo; ends once CMD has
# ended (the file "done"), so the terminal's input never ends before CMD does
typist() {
	local t0 i=0 n t1
	t0=$(now)
	while ! seen typed-42; do
		if [ $(($(now) - t0)) -ge "$limit" ]; then
			echo "no answer after ${limit}s" >>"$log.timing"
			echo giveup >"$dir/fate"
			return
		fi
		# shellcheck disable=SC2016 # the guest's shell expands it
		printf 'echo typed-$((6*7))\r'
		sleep 2
		i=$((i + 1))
	done
	echo "answer 42 after $(($(now) - t0)) s ($i lines typed)" >>"$log.timing"
	for n in 1 2 3; do
		t1=$(now)
		# shellcheck disable=SC2016
		printf 'echo again-$((%d*100+1))\r' "$n"
		while ! seen "again-$((n * 100 + 1))"; do
			if [ $(($(now) - t1)) -ge 30 ]; then
				echo "stall at $n" >>"$log.timing"
				echo giveup >"$dir/fate"
				return
			fi
			sleep 0.2
		done
		echo "answer $n after $(($(now) - t1)) s" >>"$log.timing"
	done
	printf '\001x'
	echo "ctrl-a x after $(($(now) - t0)) s" >>"$log.timing"
	# hold the terminal's input open until CMD has ended (a long sleep
	# killed with its shell would outlive it, holding the caller's output)
	while [ ! -e "$dir/done" ]; do
		sleep 0.2
	done
}

typist >"$dir/in" &
tpid=$!
cmd=$(printf '%q ' "$@")
script -qefc "$cmd" "$log" <"$dir/in" >/dev/null &
spid=$!
# a typist that gave up ends CMD (script passes SIGTERM on to it)
while kill -0 "$spid" 2>/dev/null; do
	if [ -e "$dir/fate" ]; then
		kill "$spid" 2>/dev/null || true
		break
	fi
	sleep 1
done
rc=0
wait "$spid" || rc=$?
: >"$dir/done"
wait "$tpid" 2>/dev/null || true
[ ! -e "$dir/fate" ] || rc=124
exit "$rc"
