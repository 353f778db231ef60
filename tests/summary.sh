#!/bin/sh
# tests/summary.sh RESULTS...: add up the result files tests/run.sh wrote
# and print the closing line of make check.
p=0 f=0 s=0
for r in "$@"; do
	read -r a b c <"$r" || exit 1
	p=$((p + a)) f=$((f + b)) s=$((s + c))
done
echo "check: $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
