#!/bin/sh
# la-tap NAME ADDR/PREFIX: inside the emulated host (L1), create the tap
# device NAME (persistent, as `ip tuntap add mode tap` would: L1's busybox
# ip has no tuntap, its tunctl does it) and give it ADDR/PREFIX, up: the
# host side of a guest's --net tap=NAME. Needs the tun module
# (run-in-l1.sh --module tun). Prints "la-tap: NAME ADDR up"; one line on
# stderr and status 1 when it cannot.
# la-tap -d NAME: delete it.
set -eu
fail() {
	echo "la-tap: $*" >&2
	exit 1
}
if [ "${1:-}" = -d ]; then
	[ $# = 2 ] || fail "usage: la-tap NAME ADDR/PREFIX | la-tap -d NAME"
	tunctl -d "$2" >/dev/null 2>/tmp/la-tap.err || fail "tunctl -d $2: $(head -n 1 /tmp/la-tap.err)"
	exit 0
fi
[ $# = 2 ] || fail "usage: la-tap NAME ADDR/PREFIX | la-tap -d NAME"
[ -c /dev/net/tun ] || fail "no /dev/net/tun (load the tun module: run-in-l1.sh --module tun)"
tunctl -t "$1" >/dev/null 2>/tmp/la-tap.err || fail "tunctl -t $1: $(head -n 1 /tmp/la-tap.err)"
ip addr add "$2" dev "$1" 2>/tmp/la-tap.err || fail "ip addr add $2 dev $1: $(head -n 1 /tmp/la-tap.err)"
ip link set "$1" up 2>/tmp/la-tap.err || fail "ip link set $1 up: $(head -n 1 /tmp/la-tap.err)"
echo "la-tap: $1 $2 up"
