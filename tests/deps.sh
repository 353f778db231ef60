#!/bin/sh
# Install the Debian packages given as arguments, if any is missing.
# Quiet and instant when all are present; apt-get update only when needed.
set -eu
missing=""
for p in "$@"; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "make deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "make deps: need root to install packages (try: sudo make deps)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
