#!/bin/sh
# make check-valgrind: every e2e test with each call of the binary run under valgrind (on the glibc build, see
# PB_WRAP in tests/e2e/lib.sh); the verdict is valgrind's: zero errors and zero definite leaks in every log.
# A log per process; valgrind writes "==PID==" records for errors and leaks, "--PID--" lines for its own
# warnings (a system call it does not know: pidfd_open in valgrind 3.19), which are not findings.
# The e2e results under valgrind are shown, not judged: check-e2e judges them on the real binary, and under
# valgrind the process has another name, no pidfd_open, and runs ~20 times slower.
top=$(cd "$(dirname "$0")/.." && pwd)
logs=$(mktemp -d /tmp/pb-valgrind.XXXXXX)
# applets run as unprivileged users too, and their valgrind must write its log
chmod 1777 "$logs"
start=$(date +%s)
vg="valgrind -q --vgdb=no --error-exitcode=1 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite"
# the control: a program with a leak and a read past an allocation must be caught, or the verdict means nothing
printf '%s\n' '#include <stdlib.h>' '#include <string.h>' \
	'int main(void) { char *p = malloc(8), *q = malloc(4); strcpy(p, "leaked"); p = 0; return q[4] == 42; }' \
	>"$logs/control.c"
gcc -O0 -g -o "$logs/control" "$logs/control.c"
$vg --log-file="$logs/control.log" "$logs/control"
if ! grep -q '^==[0-9]*== .*definitely lost' "$logs/control.log" || ! grep -q '^==[0-9]*== Invalid read' "$logs/control.log"; then
	echo "valgrind: the control's leak or bad read went unreported: $(head -c 300 "$logs/control.log")"
	exit 1
fi
PB="$top/build/procbox-glibc" PB_SLOWDOWN=4 PB_COMM=memcheck-amd64- \
PB_WRAP="$vg --log-file=$logs/vg.%p.%q{PB_WRAP_RUN}.log" \
	sh "$top/tests/e2e/run.sh" >"$logs/e2e.out" 2>&1
grep -E '^  FAIL|^e2e:' "$logs/e2e.out" | sed 's/^/  (under valgrind) /'
runs=$(find "$logs" -name 'vg.*.log' | wc -l)
nbad=0
for f in "$logs"/vg.*.log; do
	[ -e "$f" ] || continue
	grep -q '^==[0-9]*==' "$f" || continue
	nbad=$((nbad + 1))
	echo "== $f"
	grep '^==[0-9]*==' "$f" | head -n 60
done
# a call valgrind could not log is a call nobody checked
if grep -q '^valgrind: ' "$logs/e2e.out"; then
	grep '^valgrind: ' "$logs/e2e.out" | sort | uniq -c | head -n 5
	nbad=$((nbad + 1))
fi
echo "valgrind: $runs processes under valgrind in $(($(date +%s) - start)) s, $nbad with errors or definite leaks"
rm -rf "$logs"
[ "$runs" -gt 0 ] && [ "$nbad" = 0 ]
