#!/bin/sh
# Runs the check suites; each prints its own "Checks: N, Failures: N, Errors: N" summary line.
failed=0
for t in "$@"; do
	# ASan's leak checker does not follow check's forks well under ptrace-less containers; keep it on
	CK_DEFAULT_TIMEOUT=30 FIXTURES=tests/fixtures "$t" || failed=1
done
exit $failed
