#!/bin/sh
# la-case NAME SECONDS CMD...: run CMD in the emulated host with a timeout
# (SIGKILL after SECONDS) and print its result as one block the runner
# (tests/vm/run-in-l1.sh) splits into NAME.out, NAME.err and NAME.status:
#   @@case NAME start
#   o|<each stdout line>
#   e|<each stderr line>
#   @@case NAME status STATUS seconds SECONDS
# STATUS is CMD's exit status (137 when the timeout killed it).
name=$1
secs=$2
shift 2
up() { cut -d' ' -f1 /proc/uptime; }
# a folder of its own: a case may run la-case itself (native-in-l1.sh)
d=$(mktemp -d /tmp/la-case.XXXXXX) || exit 1
echo "@@case $name start"
t0=$(up)
timeout -s KILL "$secs" "$@" >"$d/out" 2>"$d/err" </dev/null
st=$?
t1=$(up)
awk '{ sub(/\r$/, ""); print "o|" $0 }' "$d/out"
awk '{ sub(/\r$/, ""); print "e|" $0 }' "$d/err"
rm -rf "$d"
echo "@@case $name status $st seconds $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
exit 0
