#!/bin/sh
# proc-wait: waiting for live processes that are not its children, zombies, reused pids, timeouts, selectors,
# other users, progress on a terminal, no busy loop, fixture trees, failure paths.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pids.include"

# starttime PID: the identity procbox reports (clock ticks after boot)
starttime() {
	"$PB" proc-wait -t 0 -f json "$1" 2>/dev/null | jq -r '.processes[0].starttime'
}
# pidfds PID N: the process holds N pidfds (it has chosen its processes and waits for them)
pidfds() {
	[ "$(ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'anon_inode:\[pidfd\]')" = "$2" ]
}
# strace can trace our children here (ptrace may be forbidden in some containers)
if strace -f -qq -o /dev/null true 2>/dev/null; then STRACE=1; else STRACE=0; fi
PBW_UID=47311 # a uid no one else on the machine runs as

# ---- usage and failure paths
run "$PB" proc-wait --help
expect_status 0 "--help"
check "--help prints the usage on stdout" grep -q '^Usage: proc-wait' "$T/out"
run "$PB" proc-wait --bogus 1
expect_status 2 "an unknown option"
one_error_line "proc-wait: bad option '--bogus'"
run "$PB" proc-wait
expect_status 2 "nothing to wait for"
one_error_line "proc-wait: nothing to wait for"
run "$PB" proc-wait 12x
expect_status 2 "a bad pid"
one_error_line "proc-wait: bad pid '12x'"
run "$PB" proc-wait 12@
expect_status 2 "a bad PID@STARTTIME"
run "$PB" proc-wait -t soon 1
expect_status 2 "a bad timeout"
one_error_line "proc-wait: bad timeout 'soon'"
run "$PB" proc-wait -u no-such-user-pbw 1
expect_status 2 "an unknown user"
run "$PB" proc-wait -f xml 1
expect_status 2 "an unknown format"
run "$PB" proc-wait -s KILL 1
expect_status 2 "a proc-stop option"
PROCBOX_PROC=/nonexistent run "$PB" proc-wait 1
expect_status 1 "an unusable proc root"
one_error_line "proc-wait: cannot open the proc root /nonexistent"

# ---- waiting for a process that is not our child
background sleep 1
START=$(date +%s%N)
run "$PB" proc-wait "$BG"
END=$(date +%s%N)
expect_status 0 "waits for a running process"
check "it returned only after the process ended" gone "$BG"
check "it really waited (at least 0.5 s of the sleep)" [ $(((END - START) / 1000000)) -ge 500 ]
check "nothing on stdout or stderr when all ended" sh -c "[ ! -s '$T/out' ] && [ ! -s '$T/err' ]"

# several processes ending at different times, -v tells each
background sleep 0.3
A=$(ident "$BG")
background sleep 0.6
B=$(ident "$BG")
background sleep 0.9
C=$(ident "$BG")
run "$PB" proc-wait -v "${A%@*}" "${B%@*}" "${C%@*}"
expect_status 0 "three processes"
check "-v tells when each ended" [ "$(grep -c 'ended after' "$T/err")" = 3 ]
check "all three have ended" all_gone "$A" "$B" "$C"

# a zombie has ended: a child that exited but is never collected by its parent (which exec'd a sleep)
sh -c 'sleep 0.05 & echo $! > "$1"; exec sleep 86400' pbw-zombie "$T/zombie" &
ZPARENT=$!
track "$ZPARENT"
wait_for 5 test -s "$T/zombie"
Z=$(cat "$T/zombie")
wait_for 5 sh -c "sed 's/.*) //' /proc/$Z/stat | grep -q '^Z'"
run "$PB" proc-wait -f json "$Z"
expect_status 0 "a zombie counts as ended"
check "JSON says it had already ended" jqt '.processes[0].result == "already ended"' "$T/out"
check "JSON of a zombie: the proc-wait schema" json_valid proc-wait "$T/out"

# a pid that does not exist: reported, counted as ended; an error with --strict
background sleep 1
run "$PB" proc-wait 2147483646 "$BG"
expect_status 0 "a pid that does not exist is counted as ended"
one_error_line "proc-wait: no process 2147483646: counted as ended"
run "$PB" proc-wait -q 2147483646
expect_status 0 "-q keeps that note quiet"
check "-q: nothing on stderr" [ ! -s "$T/err" ]
background sleep 86400
LIVE=$BG
started "$LIVE" sleep
run "$PB" proc-wait --strict "$LIVE" 2147483646
expect_status 1 "--strict with a pid that does not exist fails at once"
one_error_line "proc-wait: no process 2147483646"
run "$PB" proc-wait --strict -e no-such-program-pbw
expect_status 1 "--strict when nothing matched"
one_error_line "proc-wait: no process matched"
run "$PB" proc-wait -e no-such-program-pbw
expect_status 0 "nothing matched: nothing to wait for"
run "$PB" proc-wait -e no-such-program-pbw -f json
check "nothing matched, JSON: the usual shape with an empty processes array" \
	jqt '.processes == [] and .ended == 0 and .running == 0 and .timeout == null and (.timed_out | not)' "$T/out"
check "nothing matched, JSON: the proc-wait schema" json_valid proc-wait "$T/out"

# ---- timeouts
run "$PB" proc-wait -t 0.5 "$LIVE"
expect_status 124 "a timeout"
one_error_line "proc-wait: timed out after 0.5 s: 1 of 1 processes still running"
check "what still runs is on stdout as 'PID NAME'" [ "$(cat "$T/out")" = "$LIVE sleep" ]
run "$PB" proc-wait -t 0.3 -f json "$LIVE" 2147483646
expect_status 124 "a timeout with JSON"
check "JSON: the proc-wait schema, version 1 first" json_valid proc-wait "$T/out"
LIVE_START=$(sed 's/.*) //' "/proc/$LIVE/stat" | cut -d' ' -f20)
check "JSON: timed out, the process still running with its identity" jqt --argjson p "$LIVE" --argjson st "$LIVE_START" \
	'.timed_out and (.processes[] | select(.pid == $p) | .result == "running" and .starttime == $st and
	(.started | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}$")) and .comm == "sleep" and .user == "root")' \
	"$T/out"
check "JSON: the missing pid reported, without a start time" jqt \
	'.processes[] | select(.pid == 2147483646) | .result == "no such process" and .starttime == null and .started == null' "$T/out"
background sleep 0.3
run "$PB" proc-wait -t 20 "$BG"
expect_status 0 "a process ending before the timeout"
run "$PB" proc-wait -t 0 "$LIVE"
expect_status 124 "-t 0 only looks"

# ---- selectors: a copy of sleep with a name of its own, a tree, a uid of our own
cp "$(command -v sleep)" "$T/pbw-sleeper"
background "$T/pbw-sleeper" 86400
S1=$BG
background "$T/pbw-sleeper" 86400
S2=$BG
started "$S1" pbw-sleeper && started "$S2" pbw-sleeper
run "$PB" proc-wait -t 0.2 -e pbw-sleeper
expect_status 124 "--exe-name finds them"
check "--exe-name lists exactly the two" [ "$(awk '{print $1}' "$T/out" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$S1" "$S2" | sort | tr '\n' ' ')" ]
"$PB" proc-wait -e pbw-sleeper -t 30 >"$T/bg.out" 2>"$T/bg.err" &
WAITER=$!
check "--exe-name: it waits for both" wait_for 10 pidfds "$WAITER" 2
kill "$S1" "$S2"
wait "$WAITER"
RC=$?
check "--exe-name: exits 0 once both were killed (got $RC)" [ "$RC" = 0 ]

sh -c 'sleep 86400 & sleep 86400 & wait' pbw-parent &
TREE=$!
track "$TREE"
wait_for 5 sh -c "[ \$(cat /proc/$TREE/task/$TREE/children | wc -w) = 2 ]"
KIDS=$(cat /proc/$TREE/task/$TREE/children)
track $KIDS
run "$PB" proc-wait -t 0.2 -d "$TREE"
expect_status 124 "--descendants-of"
check "--descendants-of lists the two children, not the parent" [ "$(awk '{print $1}' "$T/out" | sort | tr '\n' ' ')" = "$(printf '%s\n' $KIDS | sort | tr '\n' ' ')" ]
run "$PB" proc-wait -t 0.2 --tree "$TREE"
check "--tree lists the parent and its children" [ "$(wc -l <"$T/out")" = 3 ] && grep -q "^$TREE sh" "$T/out"
run "$PB" proc-wait -t 0.2 -d "$TREE" -e no-such-program-pbw
expect_status 0 "filters combine: children of the tree that are not called so"

# other users' processes, as root and as another user
setpriv --reuid=$PBW_UID --regid=$PBW_UID --clear-groups sleep 86400 &
OTHER=$!
track "$OTHER"
wait_for 5 sh -c "[ \"\$(stat -c %u /proc/$OTHER)\" = $PBW_UID ] && grep -q sleep /proc/$OTHER/comm"
run "$PB" proc-wait -t 0.2 -u $PBW_UID
expect_status 124 "--user finds another user's process"
check "--user lists it" [ "$(cat "$T/out")" = "$OTHER sleep" ]
"$PB" proc-wait "$OTHER" &
WAITER=$!
wait_for 10 pidfds "$WAITER" 1
kill "$OTHER"
wait "$WAITER"
RC=$?
check "waits for another user's process as root (got $RC)" [ "$RC" = 0 ]
run setpriv --reuid=65534 --regid=65534 --clear-groups "$PB" proc-wait -t 0.3 "$LIVE"
expect_status 124 "as nobody, root's process is seen running"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PB" proc-wait -t 30 "$LIVE" &
WAITER=$!
wait_for 10 pidfds "$WAITER" 1
kill "$LIVE"
wait "$WAITER"
RC=$?
check "as nobody, waits for root's process to end (got $RC)" [ "$RC" = 0 ]

# ---- pid reuse: the pid of a process that ended goes to a new one (ns_last_pid, as root)
background sleep 86400
A=$BG
ST=$(starttime "$A")
kill "$A"
wait "$A" 2>/dev/null
cycle_to "$A"
CYCLED=$?
if [ "$CYCLED" = 0 ]; then
	check "the new process has the old pid and another starttime" [ "$(starttime "$A")" != "$ST" ]
	run "$PB" proc-wait -t 5 -f json "$A@$ST"
	expect_status 0 "PID@STARTTIME of a process whose pid was reused: it has ended"
	check "JSON says the pid was reused" jqt '.processes[0].result == "pid reused"' "$T/out"
	check "JSON of a reused pid: the start time asked, the proc-wait schema" \
		jqt --argjson st "$ST" '.processes[0].starttime == $st' "$T/out" && json_valid proc-wait "$T/out"
	run "$PB" proc-wait --strict "$A@$ST"
	expect_status 1 "with --strict, a reused pid is an error"
	one_error_line "proc-wait: process $A@$ST has ended: the pid belongs to another process now"
	run "$PB" proc-wait -t 0.2 "$A"
	expect_status 124 "the plain pid means the new process, which runs"
else
	no_cycling "$CYCLED"
fi
uncycle

# reuse while proc-wait waits: it is held stopped while the pid changes hands, then must see the change, both
# through the pidfd and through /proc alone (pidfd_open made to fail with ENOSYS: the polling fallback)
for mode in pidfd polling; do
	if [ "$CYCLED" = 77 ] || { [ $mode = polling ] && [ $STRACE = 0 ]; }; then
		skip "reuse during the wait ($mode): no pid cycling or no strace here"
		continue
	fi
	background sleep 86400
	A=$BG
	if [ $mode = polling ]; then
		strace -f -qq -o "$T/trace.$mode" -e trace=pidfd_open,poll,ppoll -e inject=pidfd_open:error=ENOSYS \
			"$PB" proc-wait -f json -t 20 "$A" >"$T/reuse.out" 2>"$T/reuse.err" &
		TRACER=$!
		wait_for 10 sh -c "grep -q 'poll' '$T/trace.$mode' 2>/dev/null"
		W=$(tracee "$TRACER")
	else
		"$PB" proc-wait -f json -t 20 "$A" >"$T/reuse.out" 2>"$T/reuse.err" &
		TRACER=$!
		W=$TRACER
		wait_for 10 pidfds "$W" 1
	fi
	kill -STOP "$W"
	kill "$A"
	wait "$A" 2>/dev/null
	cycle_to "$A"
	CYCLED=$?
	kill -CONT "$W"
	wait "$TRACER"
	RC=$?
	if [ "$CYCLED" = 0 ]; then
		check "reuse during the wait ($mode): ended, exit 0 (got $RC)" [ "$RC" = 0 ]
		check "reuse during the wait ($mode): JSON says ended" jqt '.processes[0].result == "ended"' "$T/reuse.out"
		check "reuse during the wait ($mode): the proc-wait schema" json_valid proc-wait "$T/reuse.out"
		check "reuse during the wait ($mode): the new process was left running" alive "$A"
		if [ $mode = polling ]; then
			check "the polling fallback was used" grep -q 'pidfd_open.*ENOSYS' "$T/trace.$mode"
		fi
	else
		no_cycling "$CYCLED"
	fi
	uncycle
done

if [ $STRACE = 1 ]; then
	# ---- a process that vanishes between the scan and the wait: proc-wait is held in its first pidfd_open
	background sleep 86400
	V=$BG
	strace -f -qq -o /dev/null -e trace=pidfd_open -e inject=pidfd_open:delay_enter=1500000:when=1 \
		"$PB" proc-wait -f json -t 20 "$V" >"$T/vanish.out" 2>"$T/vanish.err" &
	TRACER=$!
	check "proc-wait is held before its first pidfd_open" wait_for 10 in_pidfd_open "$TRACER"
	kill -KILL "$V"
	wait "$V" 2>/dev/null
	wait "$TRACER"
	RC=$?
	check "vanished after the scan: exit 0 (got $RC)" [ "$RC" = 0 ]
	check "vanished after the scan: reported as already ended" jqt '.processes[0].result == "already ended"' "$T/vanish.out"
	check "vanished after the scan: the proc-wait schema" json_valid proc-wait "$T/vanish.out"

	# ---- no busy loop: the system calls of a 2 second wait
	background sleep 2
	strace -f -qq -o "$T/trace.poll" -e trace=poll,ppoll "$PB" proc-wait "$BG"
	N=$(grep -c poll "$T/trace.poll")
	check "with pidfds a 2 s wait is one blocking poll ($N polls)" [ "$N" -le 3 ]
	background sleep 2
	strace -f -qq -o "$T/trace.poll" -e trace=poll,ppoll,pidfd_open -e inject=pidfd_open:error=ENOSYS "$PB" proc-wait "$BG"
	N=$(grep -c 'poll(' "$T/trace.poll")
	check "without pidfds it looks at most 5 times a second after a quick start ($N polls in 2 s)" [ "$N" -le 30 ]
else
	skip "a process vanishing after the scan, and counting polls: strace cannot trace here"
fi

# ---- progress: one self-updating line on a terminal, nothing in a pipe
background sleep 86400
LIVE=$BG
started "$LIVE" sleep
script -qec "'$PB' proc-wait -t 2.2 $LIVE" /dev/null >"$T/tty" 2>&1
check "on a terminal: a progress line naming the process" grep -q "waiting for 1 process, [0-9] s left: $LIVE sleep" "$T/tty"
check "on a terminal: the line updates itself (carriage return, erase line)" grep -q "$(printf '\r\033\\[K')" "$T/tty"
check "on a terminal: it counts down" sh -c "grep -q '2 s left' '$T/tty' && grep -q '1 s left' '$T/tty'"
script -qec "'$PB' proc-wait -q -t 0.5 $LIVE" /dev/null >"$T/tty" 2>&1
check "-q: no progress line on a terminal" sh -c "! grep -q 'waiting for' '$T/tty'"

# ---- a saved tree: zombies and missing pids end at once, living ones time out
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-wait 202
expect_status 0 "fixture: the zombie has ended"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-wait -t 0.2 -e cron
expect_status 124 "fixture: cron never ends"
check "fixture: both cron processes listed" [ "$(awk '{print $1}' "$T/out" | tr '\n' ' ')" = "100 101 " ]
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-wait --strict 999
expect_status 1 "fixture: --strict with a missing pid"
PROCBOX_PROC="$FIXTURES/malformed" run "$PB" proc-wait -t 0.2 -f json --tree 24 11
check "malformed fixture: the proc-wait schema" json_valid proc-wait "$T/out"
check "malformed fixture: the newline of a name is escaped in JSON" jqt '.processes[] | select(.pid == 11) | .comm == "x\ny"' "$T/out"
PROCBOX_PROC="$FIXTURES/malformed" run "$PB" proc-wait -t 0 11
check "malformed fixture: the name with a newline is one line of text" [ "$(cat "$T/out")" = "11 x?y" ]

run sh -c "'$PB' proc-wait -f json $Z > /dev/full"
expect_status 1 "a full disk on stdout"

finish
