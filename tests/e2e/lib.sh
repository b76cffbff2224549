# Shared helpers of the end-to-end tests: source it, call the checks, end with `finish`.
# Every test runs the built static binary; what a test starts it registers with `track PID` and stops by PID.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# PB=FILE tests another build of the binary (make check-valgrind: the glibc one); PB_STATIC is always the
# static one, for the checks that are about that file itself
PB_BIN=${PB:-$TOP/build/procbox}
PB=$PB_BIN
PB_STATIC="$TOP/build/procbox"
HELPERS="$TOP/build/test-helpers"
FIXTURES="$TOP/tests/fixtures"
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/pb-e2e-$TEST_NAME.XXXXXX")
chmod 755 "$T"
# PB_WRAP="valgrind ..." runs every call of the binary under that command, unchanged tests included: $PB
# becomes a script named procbox that runs "$PB_WRAP $PB_BIN"; called through a link named after an applet,
# it passes that name as the first argument, since the wrapper hides the name from the binary
if [ -n "${PB_WRAP:-}" ]; then
	# the wrapper by its absolute path: tests run applets with PATH=/nonexistent too
	wrap_cmd=${PB_WRAP%% *}
	PB_WRAP="$(command -v "$wrap_cmd")${PB_WRAP#"$wrap_cmd"}"
	mkdir "$T/wrap"
	cat >"$T/wrap/procbox" <<EOF
#!/bin/sh
# a name for this call, unique even when pids are reused: valgrind's --log-file can use it as %q{PB_WRAP_RUN}
PB_WRAP_RUN=\$\$.\$($(command -v date) +%s%N)
export PB_WRAP_RUN
case "\${0##*/}" in
procbox*) exec $PB_WRAP "$PB_BIN" "\$@" ;;
*) exec $PB_WRAP "$PB_BIN" "\${0##*/}" "\$@" ;;
esac
EOF
	chmod 755 "$T/wrap" "$T/wrap/procbox"
	PB="$T/wrap/procbox"
fi
# how much slower the binary runs than usual (check-valgrind: 4): waits stretch by it, and a test that counts
# work done in a fixed time divides its expectation by it. PB_COMM: the name the kernel shows for "$PB ..."
# (procbox; under valgrind memcheck-amd64-)
PB_SLOWDOWN=${PB_SLOWDOWN:-1}
PB_COMM=${PB_COMM:-procbox}
PASSED=0 FAILED=0 SKIPPED=0 TRACKED=""

ok() { PASSED=$((PASSED + 1)); echo "  ok   $*"; }
not_ok() { FAILED=$((FAILED + 1)); echo "  FAIL $*"; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "  SKIP $*"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# run CMD...: runs it with stdout in $T/out, stderr in $T/err, status in $RC
run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# expect_status N DESCRIPTION: the last run exited N
expect_status() {
	if [ "$RC" = "$1" ]; then
		ok "$2 (exit $1)"
	else
		not_ok "$2: exit $RC, wanted $1; stderr: $(head -c 300 "$T/err")"
	fi
}

# one_error_line PREFIX: stderr of the last run is exactly one line starting with PREFIX
one_error_line() {
	if [ "$(wc -l <"$T/err")" = 1 ] && grep -q "^$1" "$T/err"; then
		ok "one error line: $(cat "$T/err")"
	else
		not_ok "wanted one line starting with '$1' on stderr, got: $(head -c 300 "$T/err")"
	fi
}

track() { TRACKED="$TRACKED $*"; }

cleanup() {
	for p in $TRACKED; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# wait_for SECONDS COMMAND...: polls until the command succeeds (SECONDS times PB_SLOWDOWN)
wait_for() {
	limit=$(($1 * 20 * PB_SLOWDOWN))
	shift
	while [ "$limit" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		limit=$((limit - 1))
	done
	return 1
}

finish() {
	echo "$TEST_NAME: $PASSED passed, $FAILED failed, $SKIPPED skipped"
	echo "RESULT $PASSED $FAILED $SKIPPED" >&3
	[ "$FAILED" = 0 ]
}

[ -x "$PB_BIN" ] || { echo "$PB_BIN is missing: run make first" >&2; exit 1; }
# fd 3 carries the counts to run.sh; alone, it goes to /dev/null
{ true >&3; } 2>/dev/null || exec 3>/dev/null
echo "== $TEST_NAME"
