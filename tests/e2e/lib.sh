# Shared helpers of the end-to-end tests: source it, call the checks, end with `finish`.
# Every test runs the built static binary; what a test starts it registers with `track PID` and stops by PID.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# PB=FILE tests another build of the binary (make check-valgrind: the glibc one); PB_STATIC is always the
# static one, for the checks that are about that file itself
PB_BIN=${PB:-$TOP/build/procbox}
PB_STATIC="$TOP/build/procbox"
FIXTURES="$TOP/tests/fixtures"
TEST_NAME=$(basename "$0" .sh)
[ -x "$PB_BIN" ] || { echo "$PB_BIN is missing: run make first" >&2; exit 1; }
T=$(mktemp -d "/tmp/pb-e2e-$TEST_NAME.XXXXXX")
chmod 755 "$T"
# The binary and the test helpers also run as test users and nobody, who cannot reach a checkout in a private
# directory (root's home is mode 700): every test calls copies of them in a directory of its own that every
# user can search and only its owner (root) can write, so that no test user can swap what root runs.
# PB_RUN holds procbox (the static build), test-helpers/, and under-test/NAME when PB names another build.
PB_RUN=$(mktemp -d "/tmp/pb-run-$TEST_NAME.XXXXXX")
mkdir "$PB_RUN/test-helpers"
[ -f "$PB_STATIC" ] && cp "$PB_STATIC" "$PB_RUN/procbox"
if [ -f "$PB_STATIC" ] && [ "$PB_BIN" -ef "$PB_STATIC" ]; then
	PB_BIN=$PB_RUN/procbox
else
	# its own name: the binary tells the applet from the name it is called by
	mkdir "$PB_RUN/under-test"
	cp "$PB_BIN" "$PB_RUN/under-test/${PB_BIN##*/}"
	PB_BIN=$PB_RUN/under-test/${PB_BIN##*/}
fi
PB_STATIC=$PB_RUN/procbox
for h in "$TOP"/build/test-helpers/*; do
	[ -f "$h" ] && cp "$h" "$PB_RUN/test-helpers/"
done
chmod -R 755 "$PB_RUN"
PB=$PB_BIN
HELPERS=$PB_RUN/test-helpers
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
# PB_EMULATED=qemu-aarch64-static (make check-emulated): the binary is another architecture's, run by that
# emulator; the few checks the emulator itself defeats say SKIP and why
PB_EMULATED=${PB_EMULATED:-}
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

# test_user NAME [HOME]: a throw-away account (its own group, shell /bin/sh, HOME made under $T unless given)
# for a test that acts as another user, an attacker or a victim; it is removed when the test ends, after every
# process it still runs (each one the test made it start) has been ended by PID. 0, or 1 when useradd failed.
TEST_USERS=""
test_user() {
	useradd -m -d "${2:-$T/home-$1}" -s /bin/sh -U "$1" >/dev/null 2>&1 || return 1
	TEST_USERS="$TEST_USERS $1"
}

# run_as NAME COMMAND...: COMMAND as NAME (uid, gid, its groups) with a clean login-like environment
run_as() {
	ra_user=$1
	shift
	setpriv --reuid="$(id -u "$ra_user")" --regid="$(id -g "$ra_user")" --init-groups \
		env -i HOME="$(getent passwd "$ra_user" | cut -d: -f6)" USER="$ra_user" LOGNAME="$ra_user" \
		PATH=/usr/local/bin:/usr/bin:/bin "$@"
}

# reachable PATH: whether a user with no tie to PATH's owners (nobody, no groups) can run the file, or enter the
# directory, PATH; when not, $UNREACHABLE says why: each directory on the way that others cannot search, PATH
# itself when others cannot execute it (or read it, for a script). Needs root (setpriv). test(1) asks as nobody:
# a program that setpriv execs directly is reached with root's capabilities, whatever the path's modes.
reachable() {
	UNREACHABLE=
	rc_path=$(readlink -f "$1") || rc_path=$1
	rc_dir=${rc_path%/*}
	while :; do
		case "$(stat -c %A "${rc_dir:-/}" 2>/dev/null)" in
		d????????[xt]) ;;
		*) UNREACHABLE="$UNREACHABLE ${rc_dir:-/} is not searchable by others ($(stat -c '%A %U' "${rc_dir:-/}"));" ;;
		esac
		[ -z "$rc_dir" ] && break
		rc_dir=${rc_dir%/*}
	done
	case "$(stat -c %A "$rc_path" 2>/dev/null)" in
	?????????[xt]) ;;
	*) UNREACHABLE="$UNREACHABLE $rc_path is not executable by others ($(stat -c '%A %U' "$rc_path" 2>&1));" ;;
	esac
	if [ -f "$rc_path" ] && [ "$(head -c 2 "$rc_path")" = "#!" ]; then
		case "$(stat -c %A "$rc_path")" in
		???????r??) ;;
		*) UNREACHABLE="$UNREACHABLE $rc_path is a script others cannot read;" ;;
		esac
	fi
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$1" ||
		UNREACHABLE="$UNREACHABLE nobody cannot reach $1;"
	[ -z "$UNREACHABLE" ]
}

# pids_of_uid UID: the live processes (zombies aside) of a uid, one pid a line
pids_of_uid() {
	for pu_pid in $(pgrep -U "$1"); do
		case "$(sed 's/.*) //' "/proc/$pu_pid/stat" 2>/dev/null | cut -d' ' -f1)" in "" | Z | X) ;; *) echo "$pu_pid" ;; esac
	done
}

no_pids_of_uid() { [ -z "$(pids_of_uid "$1")" ]; }

test_users_remove() {
	for tu_name in $TEST_USERS; do
		tu_uid=$(id -u "$tu_name" 2>/dev/null) || continue
		for tu_pid in $(pids_of_uid "$tu_uid"); do kill -TERM "$tu_pid" 2>/dev/null; done
		wait_for 5 no_pids_of_uid "$tu_uid" ||
			for tu_pid in $(pids_of_uid "$tu_uid"); do kill -KILL "$tu_pid" 2>/dev/null; done
		userdel -r "$tu_name" >/dev/null 2>&1 || userdel "$tu_name" >/dev/null 2>&1
	done
	TEST_USERS=""
}

cleanup() {
	for p in $TRACKED; do kill -KILL "$p" 2>/dev/null; done
	test_users_remove
	rm -rf "$T" "$PB_RUN"
}
trap cleanup EXIT

# json_valid SCHEMA FILE: FILE is one JSON document, without a key twice in an object, whose first key is
# "version", and that tests/schema/SCHEMA.json accepts (python3-jsonschema, JSON Schema draft 2020-12); else the
# first reasons on stderr. Debian's python3 first: the package installs the module for it.
JSON_PY=/usr/bin/python3
[ -x "$JSON_PY" ] || JSON_PY=python3
json_valid() {
	"$JSON_PY" -c 'import json, sys
from jsonschema import Draft202012Validator as V
def pairs(kv):
	if len(set(k for k, _ in kv)) != len(kv):
		sys.exit("    %s: a key twice in %s" % (sys.argv[2], [k for k, _ in kv]))
	return dict(kv)
schema = json.load(open(sys.argv[1]))
V.check_schema(schema)
doc = json.load(open(sys.argv[2]), object_pairs_hook=pairs)
bad = ["    %s: %s at /%s" % (sys.argv[2], e.message[:300], "/".join(map(str, e.absolute_path)))
	for e in V(schema).iter_errors(doc)][:3]
if not bad and list(doc)[:1] != ["version"]:
	bad = ["    %s: the first key is not \"version\"" % sys.argv[2]]
sys.exit("\n".join(bad) or None)' "$TOP/tests/schema/$1.json" "$2"
}

# jqt FILTER FILE...: the JSON holds (jq -e, quietly, so that check can still print its line)
jqt() {
	jq -e "$@" >/dev/null
}

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

# fd 3 carries the counts to run.sh; alone, they go to /dev/null, and so they do when fd 3 is open read-only
# (flock(1) leaves its lock file there)
case "$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$$/fdinfo/3" 2>/dev/null)" in
*[123567]) ;;
*) exec 3>/dev/null ;;
esac
echo "== $TEST_NAME"
