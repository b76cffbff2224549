#!/bin/sh
# Runs the check suites; each prints its own "Checks: N, Failures: N, Errors: N" summary line.
failed=0
for t in "$@"; do
	# check runs each test in a forked child (built with ASan and UBSan, leak checks included); a test that
	# hangs fails after 30 s instead of holding up the tier
	CK_DEFAULT_TIMEOUT=30 FIXTURES=tests/fixtures "$t" || failed=1
done
exit $failed
