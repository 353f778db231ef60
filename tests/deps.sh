#!/bin/sh
# Install the Debian packages given as arguments, if any is missing.
# Quiet and instant when all are present; apt-get update only when needed.
# Not root: names the missing packages and how to get them, exit 1.
set -eu
missing=""
for p in "$@"; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "make deps: missing Debian packages:$missing" >&2
	echo "make deps: install them as root (sudo make deps, or sudo apt-get install$missing), then run this again" >&2
	exit 1
fi
echo "make deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
