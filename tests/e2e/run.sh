#!/bin/sh
# Runs every end-to-end test (tests/e2e/*.sh), each file's wall time after its counts (the slow ones are where
# a flaky wait or a long timeout hides), and prints the total as "N passed, N failed, N skipped". Each file runs
# under tests/helpers/leftovers.c: a process it leaves running, even one whose parent was killed or that forked
# into the background, is a failure of that file, named, then killed.
dir=$(dirname "$0")
leftovers=$dir/../../build/test-helpers/leftovers
passed=0 failed=0 skipped=0 broken="" all=$(date +%s)
counts=$(mktemp)
for t in "$dir"/*.sh; do
	case "$t" in */lib.sh | */lib_*.sh | */run.sh) continue ;; esac
	[ -n "${E2E_ONLY:-}" ] && case " $E2E_ONLY " in *" $(basename "$t" .sh) "*) ;; *) continue ;; esac
	: >"$counts"
	began=$(date +%s)
	"$leftovers" "$(basename "$t").$$" sh "$t" 3>"$counts"
	rc=$?
	echo "  ($(basename "$t"): $(($(date +%s) - began)) s)"
	[ "$rc" = 0 ] || broken="$broken $(basename "$t")"
	[ "$rc" = 3 ] && failed=$((failed + 1)) # left processes behind: one failure, each process named above
	read -r tag p f s <"$counts" 2>/dev/null
	if [ "${tag:-}" != RESULT ]; then
		failed=$((failed + 1))
		echo "  FAIL $(basename "$t") ended without its counts"
		continue
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	tag=
done
rm -f "$counts"
echo "e2e: $passed passed, $failed failed, $skipped skipped ($(($(date +%s) - all)) s)"
[ "$failed" = 0 ] && [ -z "$broken" ]
