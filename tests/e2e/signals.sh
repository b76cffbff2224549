#!/bin/sh
# Signals and privilege: applets never leave a process stopped (or resume one), never leave a process of theirs
# behind, never run one with the wrong uid: on every read-only invocation, on error paths, as an unprivileged
# user, and killed mid-way. The guards (lib_reliability.sh) are shown to catch each kind of harm first.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_reliability.sh"
. "$(dirname "$0")/pids.include"

U=60919 # a uid without a name, for this test alone

# victims: a running process of ours, one of another user, a stopped one
sleep 86400 &
V_RUN=$!
setpriv --reuid=$U --regid=$U --clear-groups sleep 86400 &
V_USER=$!
sleep 86400 &
V_STOP=$!
track "$V_RUN" "$V_USER" "$V_STOP"
kill -STOP "$V_STOP"
wait_for 5 sh -c "[ \"\$(sed 's/.*) //' /proc/$V_STOP/stat | cut -d' ' -f1)\" = T ]"
wait_for 5 sh -c "[ \"\$(awk '/^Uid:/ {print \$2}' /proc/$V_USER/status)\" = $U ]"
guard_watch "$V_RUN" "$V_USER" "$V_STOP"

# ---- the guards catch what they guard against (each harm done by a fake applet, then undone) ----
# guard_must_catch DESC CMD...: the guards must fail after CMD
guard_must_catch() {
	desc=$1
	shift
	GUARD_N=$((GUARD_N + 1))
	tag="$TEST_NAME.$$.$GUARD_N"
	env PB_GUARD="$tag" "$@" >/dev/null 2>&1
	sleep 0.2
	if guard_leftovers "$tag" "$(id -u)" && guard_verify; then
		not_ok "the guards miss: $desc"
	else
		ok "the guards catch: $desc ($(tr '\n' ';' <"$T/guard.why" | cut -c1-120))"
	fi
	for p in $(guard_tagged "$tag"); do kill -KILL "$p"; done
}
guard_must_catch "a process left stopped" sh -c "kill -STOP $V_RUN"
kill -CONT "$V_RUN"
guard_must_catch "a stopped process resumed" sh -c "kill -CONT $V_STOP"
kill -STOP "$V_STOP"
GUARD_ALLOW=sleep guard_must_catch "a child left behind with another uid" \
	sh -c "setpriv --reuid=$U --regid=$U --clear-groups sleep 86400 & exit 0"
GUARD_ALLOW=sleep guard_must_catch "a child left behind stopped" sh -c 'sleep 86400 & kill -STOP $!; exit 0'
guard_must_catch "a child left behind at all" sh -c 'sleep 86400 & exit 0'
check "the victims are back as they were" guard_verify
# a watched process that ends: a fourth victim, ended for real, must show
sleep 86400 &
V_END=$!
track "$V_END"
cp "$T/guard.watch" "$T/guard.watch.keep"
guard_watch "$V_END"
kill -KILL "$V_END"
wait "$V_END" 2>/dev/null
if guard_verify; then not_ok "the guards miss: a watched process that ended"; else ok "the guards catch: $(cat "$T/guard.why")"; fi
mv "$T/guard.watch.keep" "$T/guard.watch"

# the helper that runs every e2e file (run.sh) names and ends what a file leaves behind: a child abandoned by a
# shell that exited, and one that left its session; it keeps quiet about a file that leaves nothing running
run "$HELPERS/leftovers" pbtest.$$ sh -c 'sleep 86400 & echo $! >"$1.a"; setsid sleep 86400 & echo $! >"$1.b"
	for p in $(cat "$1.a" "$1.b"); do until grep -qx sleep /proc/$p/comm; do sleep 0.01; done; done' sh "$T/left"
expect_status 3 "leftovers: a file that left processes behind"
check "leftovers names both" sh -c "[ \$(grep -c '^  FAIL pbtest.$$ left behind [0-9]* (sleep, state S, uid 0): sleep 86400\$' '$T/out') = 2 ]"
check "leftovers ended both" wait_for 5 all_gone "$(cat "$T/left.a")" "$(cat "$T/left.b")"
run "$HELPERS/leftovers" pbtest.$$ sh -c 'sleep 0.01; exit 7'
check "leftovers: nothing left, the file's own status and no word (exit 7)" sh -c "[ $RC = 7 ] && [ ! -s '$T/out' ]"

# ---- every applet's read-only invocations: to the end, as root and as an unprivileged user ----
reader_invocations >"$T/readers"
H="$T/hostile"
hostile_tree "$H"
while read -r line; do
	reader_parse "$line"
	applet=$R_APPLET args=$R_ARGS label=$R_LABEL
	if [ "$args" = UNCOVERED ]; then
		not_ok "$applet: no read-only invocation: add a line to tests/e2e/readers.list"
		continue
	fi
	# shellcheck disable=SC2086
	guard_run "$label" env $R_ENV "$PB" $applet $args
	# shellcheck disable=SC2086
	GUARD_UID=$U guard_run "$label as uid $U" setpriv --reuid=$U --regid=$U --clear-groups env $R_ENV "$PB" $applet $args
	# killed mid-way: on the hostile tree, blocked writing into a pipe nobody reads (or done already)
	for sig in TERM INT HUP; do
		guard_blocking_fifo
		# shellcheck disable=SC2086
		PROCBOX_PROC="$H" GUARD_OUT="$T/fifo" guard_kill "$label killed by SIG$sig mid-way" $sig \
			ready_blocked_or_done env $R_ENV "$PB" $applet $args
	done
done <"$T/readers"

# ---- proc-tree's error paths and a reader that goes away ----
guard_run "proc-tree with a bad option" "$PB" proc-tree --no-such-option
guard_run "proc-tree on an unusable root" env PROCBOX_PROC=/nonexistent "$PB" proc-tree
guard_run "proc-tree with a pid that does not exist" "$PB" proc-tree 2147483646
guard_run "proc-tree into a full disk" sh -c "exec '$PB' proc-tree -o pid,cmdline,environ --format json >/dev/full"
guard_blocking_fifo
GUARD_OUT="$T/fifo" guard_kill "proc-tree killed by SIGKILL while blocked" KILL ready_blocked_writing \
	env PROCBOX_PROC="$H" "$PB" proc-tree -o pid,cmdline,environ --format json
guard_blocking_fifo
GUARD_OUT="$T/fifo" guard_kill "proc-tree gets SIGPIPE while blocked" PIPE ready_blocked_writing \
	env PROCBOX_PROC="$H" "$PB" proc-tree -o pid,cmdline,environ --format json
exec 7>&-
check "the victims are still as they were" guard_verify

finish
