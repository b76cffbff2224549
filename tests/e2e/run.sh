#!/bin/sh
# Runs every end-to-end test (tests/e2e/*.sh) and prints the total as "N passed, N failed, N skipped".
dir=$(dirname "$0")
passed=0 failed=0 skipped=0 broken=""
counts=$(mktemp)
for t in "$dir"/*.sh; do
	case "$t" in */lib.sh | */lib_*.sh | */run.sh) continue ;; esac
	[ -n "${E2E_ONLY:-}" ] && case " $E2E_ONLY " in *" $(basename "$t" .sh) "*) ;; *) continue ;; esac
	: >"$counts"
	sh "$t" 3>"$counts" || broken="$broken $(basename "$t")"
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
echo "e2e: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ -z "$broken" ]
