#!/bin/sh
# make check-valgrind: every e2e test with each call of the binary run under valgrind (on the glibc build, see
# PB_WRAP in tests/e2e/lib.sh), then the verdict from valgrind's own logs: zero errors, zero definite leaks.
# A log per process; a clean run leaves its log empty (-q), so any byte in a log is a finding.
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$(mktemp -d /tmp/pb-valgrind.XXXXXX)
# applets run as unprivileged users too, and their valgrind must write its log
chmod 1777 "$logs"
start=$(date +%s)
PB="$top/build/procbox-glibc" PB_SLOWDOWN=20 \
PB_WRAP="valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --log-file=$logs/vg.%p.log" \
	sh "$top/tests/e2e/run.sh"
e2e=$?
runs=$(find "$logs" -name 'vg.*.log' | wc -l)
bad=$(find "$logs" -name 'vg.*.log' -size +0c)
for f in $bad; do
	echo "== $f"
	head -n 60 "$f"
done
nbad=$(echo $bad | wc -w)
echo "valgrind: $runs processes under valgrind in $(($(date +%s) - start)) s, $nbad with errors or definite leaks"
rm -rf "$logs"
[ "$e2e" = 0 ] && [ "$runs" -gt 0 ] && [ "$nbad" = 0 ]
