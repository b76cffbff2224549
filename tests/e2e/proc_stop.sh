#!/bin/sh
# proc-stop: polite and firm ends of real processes, trees, stopped processes, other users, reused pids,
# refusals (pid 1, itself, its ancestors) under a strace that could not deliver a signal anyway, dry runs on
# fixture trees, failure paths.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pids.include"

# no_signals: strace saw no signal sent (it also stood in for the kernel: nothing could have been delivered)
no_signals() {
	! grep -Eq '(kill|pidfd_send_signal)\(' "$T/trace"
}
# safely CMD...: runs it under strace, every signal system call traced and faked (never executed)
safely() {
	run strace -f -qq -o "$T/trace" -e trace=kill,tkill,tgkill,pidfd_send_signal \
		-e inject=kill,tkill,tgkill,pidfd_send_signal:retval=0 "$@"
}
# strace can trace our children here (ptrace may be forbidden in some containers)
if strace -f -qq -o /dev/null true 2>/dev/null; then STRACE=1; else STRACE=0; fi
PBS_UID=47312 # a uid no one else on the machine runs as

# processes with known ways of taking SIGTERM (a handler, or an ignored SIGTERM inherited across exec)
cat >"$T/handles.sh" <<'EOF'
trap 'echo handled > "$1"; exit 0' TERM
: > "$1.ready"
while :; do sleep 0.05; done
EOF
IGNORES='trap "" TERM; exec sleep 86400'

# ---- usage and failure paths
run "$PB" proc-stop --help
expect_status 0 "--help"
check "--help prints the usage on stdout" grep -q '^Usage: proc-stop' "$T/out"
run "$PB" proc-stop --bogus 1
expect_status 2 "an unknown option"
one_error_line "proc-stop: bad option '--bogus'"
run "$PB" proc-stop -s FOO 1
expect_status 2 "an unknown signal"
one_error_line "proc-stop: unknown signal 'FOO'"
run "$PB" proc-stop -s 65 1
expect_status 2 "a signal number out of range"
run "$PB" proc-stop -s STOP 1
expect_status 2 "SIGSTOP does not end a process"
one_error_line "proc-stop: SIGSTOP does not end a process"
run "$PB" proc-stop -t -1 1
expect_status 2 "a bad timeout"
run "$PB" proc-stop
expect_status 2 "nothing to stop"
run "$PB" proc-stop --tree 1
expect_status 2 "--tree 1 (every process) is refused outright"
one_error_line "proc-stop: refusing to stop every process: --tree 1"
run "$PB" proc-stop -d 1
expect_status 2 "-d 1 (every process) is refused outright"

# ---- a process that handles SIGTERM ends cleanly
rm -f "$T/handled.ready"
background sh "$T/handles.sh" "$T/handled"
H=$BG
wait_for 5 test -e "$T/handled.ready"
run "$PB" proc-stop -t 10 "$H"
expect_status 0 "a process that handles SIGTERM"
check "reported terminated" grep -Eq "^$H \\(sh\\): terminated after [0-9.]+ s$" "$T/out"
wait "$H"
ST=$?
check "it exited 0 (got $ST)" [ "$ST" = 0 ]
check "its handler ran" grep -q handled "$T/handled"

# ---- one that ignores SIGTERM is killed after the timeout
background sh -c "$IGNORES"
I=$BG
started "$I" sleep
START=$(date +%s%N)
run "$PB" proc-stop -t 1 "$I"
END=$(date +%s%N)
expect_status 0 "a process that ignores SIGTERM"
check "reported killed after about the timeout" grep -Eq "^$I \\(sleep\\): killed after 1\\.[0-9]+ s$" "$T/out"
check "it waited the timeout first ($(((END - START) / 1000000)) ms)" [ $(((END - START) / 1000000)) -ge 1000 ]
wait "$I"
RC=$?
check "it died of SIGKILL (status $RC)" [ "$RC" = 137 ]

# --no-kill only reports
background sh -c "$IGNORES"
I=$BG
started "$I" sleep
run "$PB" proc-stop --no-kill -t 0.3 "$I"
expect_status 1 "--no-kill with a survivor"
one_error_line "proc-stop: 1 of 1 processes still running"
check "reported still running" grep -q "^$I (sleep): still running$" "$T/out"
check "it is still running" alive "$I"
run "$PB" proc-stop -s KILL "$I"
expect_status 0 "-s KILL"
check "-s KILL: killed at once, reported terminated by that signal" grep -q "^$I (sleep): terminated" "$T/out"

# on a terminal, one self-updating line while it waits
background sh -c "$IGNORES"
I=$BG
started "$I" sleep
script -qec "'$PB' proc-stop -t 1.5 $I 2147483646" /dev/null >"$T/tty" 2>&1
check "on a terminal: a progress line naming the survivor" grep -q "1 process still running after SIGTERM, [12] s left: $I sleep" "$T/tty"
check "on a terminal: the report follows" grep -q "$I (sleep): killed after 1" "$T/tty"
check "on a terminal: the line is erased before the report" grep -q "$(printf '\033\\[K')$I (sleep): killed" "$T/tty"

# -t 0: SIGTERM, then SIGKILL at once
background sh -c "$IGNORES"
I=$BG
started "$I" sleep
run "$PB" proc-stop -t 0 -f json "$I"
expect_status 0 "-t 0"
check "-t 0 kills at once" jqt '.processes[0].result == "killed" and .processes[0].seconds < 1' "$T/out"
check "-t 0: the proc-stop schema, version 1 first" json_valid proc-stop "$T/out"

# ---- other signals by name and number
cat >"$T/hup.sh" <<'EOF'
trap 'exit 3' HUP
: > "$1"
while :; do sleep 0.05; done
EOF
for sig in HUP SIGHUP hup 1; do
	rm -f "$T/hup.ready"
	background sh "$T/hup.sh" "$T/hup.ready"
	P=$BG
	wait_for 5 test -e "$T/hup.ready"
	run "$PB" proc-stop -s "$sig" -t 10 "$P"
	expect_status 0 "-s $sig"
	wait "$P"
	ST=$?
	check "-s $sig: the HUP handler ended it (status $ST)" [ "$ST" = 3 ]
done
run "$PB" proc-stop -s USR1 -f json 2147483646
check "JSON names the signal" jqt '.signal == "SIGUSR1"' "$T/out"
check "JSON of a pid that does not exist: the proc-stop schema, no start time" \
	jqt '.processes[0] | .starttime == null and .started == null and .ppid == null' "$T/out" && json_valid proc-stop "$T/out"

# ---- a stopped process gets SIGCONT after the signal, so that its handler runs
rm -f "$T/handled"
rm -f "$T/handled.ready"
background sh "$T/handles.sh" "$T/handled"
H=$BG
wait_for 5 test -e "$T/handled.ready"
kill -STOP "$H"
wait_for 5 sh -c "sed 's/.*) //' /proc/$H/stat | grep -q '^T'"
run "$PB" proc-stop -t 10 "$H"
expect_status 0 "a stopped process"
check "the stopped process terminated" grep -q "^$H (sh): terminated" "$T/out"
check "its SIGTERM handler ran after SIGCONT" grep -q handled "$T/handled"

# ---- several at once: three that ignore SIGTERM take one timeout, not three
background sh -c "$IGNORES"
A=$BG
background sh -c "$IGNORES"
B=$BG
background sh -c "$IGNORES"
C=$BG
started "$A" sleep && started "$B" sleep && started "$C" sleep
ABC="$(ident "$A") $(ident "$B") $(ident "$C")"
START=$(date +%s%N)
run "$PB" proc-stop -t 1 "$A" "$B" "$C"
MS=$((($(date +%s%N) - START) / 1000000))
expect_status 0 "three at once"
check "all three killed" [ "$(grep -c ': killed after' "$T/out")" = 3 ]
check "in one timeout ($MS ms, not 3000)" [ "$MS" -lt 2500 ]
check "all three gone" all_gone $ABC

# ---- --tree: three levels; the middle one ignores SIGTERM (and becomes a sleep that ignores it too)
cat >"$T/level2.sh" <<'EOF'
sleep 86400 &
echo $! > "$1/l3"
trap '' TERM
wait
exec sleep 86400
EOF
: >"$T/l2"
: >"$T/l3"
sh -c 'sh "$1/level2.sh" "$1" & echo $! > "$1/l2"; wait' pbs-level1 "$T" &
L1=$!
track "$L1"
wait_for 5 test -s "$T/l2"
wait_for 5 test -s "$T/l3"
L2=$(cat "$T/l2")
L3=$(cat "$T/l3")
track "$L2" "$L3"
LEVELS="$(ident "$L1") $(ident "$L2") $(ident "$L3")"
run "$PB" proc-stop --tree -t 1 -f json "$L1"
expect_status 0 "--tree of three levels"
check "--tree: all three levels are gone" all_gone $LEVELS
check "--tree: the top and the bottom terminated, the middle killed" jqt --argjson a "$L1" --argjson b "$L2" --argjson c "$L3" \
	'[.processes[] | {(.pid | tostring): .result}] | add == {($a | tostring): "terminated", ($b | tostring): "killed", ($c | tostring): "terminated"}' "$T/out"
check "--tree: JSON says so" jqt '.tree and .gone == 3 and .left == 0' "$T/out"
check "--tree: the proc-stop schema" json_valid proc-stop "$T/out"
check "--tree: each identity is the one taken before the stop" \
	[ "$(jq -r '.processes[] | "\(.pid)@\(.starttime)"' "$T/out" | sort | tr '\n' ' ')" = "$(printf '%s\n' $LEVELS | sort | tr '\n' ' ')" ]

# a supervisor that ignores SIGTERM and respawns its worker: the new worker is found and killed too
cat >"$T/sup.sh" <<'EOF'
trap ':' TERM
while :; do sleep 86400; done
EOF
background sh "$T/sup.sh"
SUP=$BG
wait_for 5 sh -c "[ -n \"\$(cat /proc/$SUP/task/$SUP/children)\" ]"
run "$PB" proc-stop --tree -t 1 -f json "$SUP"
expect_status 0 "--tree of a respawning supervisor"
check "--tree: the supervisor was killed" jqt --argjson s "$SUP" '.processes[] | select(.pid == $s) | .result == "killed"' "$T/out"
check "--tree: the worker it respawned was found during the stop and killed" \
	jqt --argjson s "$SUP" '[.processes[] | select(.ppid == $s and .found_late and .result == "killed")] | length == 1' "$T/out"
check "--tree: every process listed is gone" all_gone $(jq -r '.processes[] | "\(.pid)@\(.starttime)"' "$T/out")
check "--tree of a supervisor: the proc-stop schema" json_valid proc-stop "$T/out"
background sh "$T/sup.sh"
SUP=$BG
wait_for 5 sh -c "[ -n \"\$(cat /proc/$SUP/task/$SUP/children)\" ]"
run "$PB" proc-stop --tree -t 0.5 "$SUP"
check "text marks what was forked during the stop" grep -Eq '^[0-9]+ \(sleep\): killed after [0-9.]+ s \(forked during the stop\)$' "$T/out"

# ---- other users' processes: root stops them; another user may not
setpriv --reuid=$PBS_UID --regid=$PBS_UID --clear-groups sleep 86400 &
OTHER=$!
track "$OTHER"
wait_for 5 sh -c "[ \"\$(stat -c %u /proc/$OTHER)\" = $PBS_UID ] && grep -q sleep /proc/$OTHER/comm"
run "$PB" proc-stop -n -u $PBS_UID
expect_status 0 "-u chooses another user's process (dry run)"
check "-u: exactly that one" [ "$(cat "$T/out")" = "$OTHER (sleep): would get SIGTERM" ]
run "$PB" proc-stop -f json -u $PBS_UID
expect_status 0 "root stops another user's process"
check "reported terminated with its user" jqt --argjson p "$OTHER" \
	".processes[0].pid == \$p and .processes[0].result == \"terminated\" and .processes[0].user == \"$PBS_UID\"" "$T/out"
check "another user's process: the proc-stop schema" json_valid proc-stop "$T/out"
background sleep 86400
ROOTS=$BG
started "$ROOTS" sleep
run setpriv --reuid=65534 --regid=65534 --clear-groups "$PB" proc-stop "$ROOTS"
expect_status 1 "not permitted as another user"
one_error_line "proc-stop: cannot signal $ROOTS (sleep): Operation not permitted"
check "root's process still runs" alive "$ROOTS"
run setpriv --reuid=65534 --regid=65534 --clear-groups "$PB" proc-stop -f json "$ROOTS"
check "JSON: not permitted, with the reason" jqt '.processes[0].result == "not permitted" and (.processes[0].reason | test("not permitted"))' "$T/out"
check "not permitted: the proc-stop schema" json_valid proc-stop "$T/out"

# ---- a pid that does not exist: reported, counted as gone; an error with --strict (and nothing signalled)
run "$PB" proc-stop 2147483646
expect_status 0 "a pid that does not exist is counted as gone"
one_error_line "proc-stop: no process 2147483646: counted as gone"
run "$PB" proc-stop --strict "$ROOTS" 2147483646
expect_status 1 "--strict with a pid that does not exist"
one_error_line "proc-stop: no process 2147483646"
check "--strict: nothing was signalled" alive "$ROOTS"
run "$PB" proc-stop -e no-such-program-pbs
expect_status 0 "nothing matched: nothing to stop"
run "$PB" proc-stop --strict -e no-such-program-pbs
expect_status 1 "--strict when nothing matched"
one_error_line "proc-stop: no process matched"

if [ $STRACE = 1 ]; then
	# ---- never pid 1, itself or its ancestors: refused before any signal (strace fakes every signal call, so
	# even a wrong answer could not reach those processes)
	safely "$PB" proc-stop 1
	expect_status 1 "pid 1 is refused"
	one_error_line "proc-stop: refusing to signal 1 "
	check "pid 1: no signal was sent" no_signals
	safely sh -c 'exec "$0" proc-stop -s KILL $$' "$PB"
	expect_status 1 "itself is refused"
	one_error_line "proc-stop: refusing to signal [0-9]* ($PB_COMM): it is proc-stop itself"
	check "itself: no signal was sent" no_signals
	safely sh -c '"$0" proc-stop -s KILL $$; exit $?' "$PB"
	expect_status 1 "its parent is refused"
	one_error_line "proc-stop: refusing to signal [0-9]* (sh): it is an ancestor of proc-stop"
	check "its parent: no signal was sent" no_signals
	safely sh -c '"$0" proc-stop $PPID; exit $?' "$PB"
	expect_status 1 "its grandparent is refused"
	one_error_line "proc-stop: refusing to signal [0-9]* (strace): it is an ancestor of proc-stop"
	# chosen by a filter, itself and its ancestors are simply not chosen (as pkill leaves itself alone)
	safely sh -c '"$0" proc-stop -d $$; exit $?' "$PB"
	expect_status 0 "-d of its own parent: nothing else to stop"
	check "-d of its own parent: it did not choose itself" sh -c "! grep -q 'terminated\\|killed' '$T/out'"
	check "-d of its own parent: no signal was sent" no_signals
	# a live process with the signal calls faked: proof that the checks above would have seen a signal
	background sleep 86400
	P=$BG
	safely "$PB" proc-stop -t 0.2 --no-kill "$P"
	check "(the strace guard does see signals when there are some)" grep -Eq '(kill|pidfd_send_signal)\(' "$T/trace"
	check "(and the process it spared still runs)" alive "$P"
else
	# without strace a wrong answer could reach pid 1: not tried
	skip "refusals of pid 1, itself and its ancestors: strace cannot trace here"
fi

# ---- pid reuse: chosen (its identity printed by a dry run), ended, pid taken over by a new process
background sleep 86400
A=$BG
started "$A" sleep
run "$PB" proc-stop -n -f json "$A"
ST=$(jq -r '.processes[0].starttime' "$T/out")
check "dry run: starttime is field 22 of stat" [ "$ST" = "$(sed 's/.*) //' "/proc/$A/stat" | cut -d' ' -f20)" ]
check "dry run: the proc-stop schema" json_valid proc-stop "$T/out"
kill "$A"
wait "$A" 2>/dev/null
cycle_to "$A"
CYCLED=$?
if [ "$CYCLED" = 0 ]; then
	run "$PB" proc-stop -f json "$A@$ST"
	expect_status 0 "PID@STARTTIME whose pid was reused: that process is gone"
	check "JSON says the pid was reused" jqt '.processes[0].result == "pid reused"' "$T/out"
	check "a reused pid: the start time asked, the proc-stop schema" \
		jqt --argjson st "$ST" '.processes[0].starttime == $st' "$T/out" && json_valid proc-stop "$T/out"
	check "the new process with that pid was not signalled" alive "$A"
	run "$PB" proc-stop --strict "$A@$ST"
	expect_status 1 "with --strict a reused pid is an error"
	one_error_line "proc-stop: process $A@$ST has ended: the pid belongs to another process now"
	check "still not signalled" alive "$A"
else
	no_cycling "$CYCLED"
fi
uncycle

if [ $STRACE = 1 ]; then
	# ---- a process that vanishes between the scan and the signal: proc-stop is held in its first pidfd_open
	background sleep 86400
	V=$BG
	started "$V" sleep
	strace -f -qq -o /dev/null -e trace=pidfd_open -e inject=pidfd_open:delay_enter=1500000:when=1 \
		"$PB" proc-stop -f json "$V" >"$T/vanish.out" 2>"$T/vanish.err" &
	TRACER=$!
	check "proc-stop is held before its first pidfd_open" wait_for 10 in_pidfd_open "$TRACER"
	kill -KILL "$V"
	wait "$V" 2>/dev/null
	wait "$TRACER"
	RC=$?
	check "vanished after the scan: exit 0 (got $RC)" [ "$RC" = 0 ]
	check "vanished after the scan: reported already gone" jqt '.processes[0].result == "already gone"' "$T/vanish.out"
	check "vanished after the scan: the proc-stop schema" json_valid proc-stop "$T/vanish.out"
else
	skip "a process vanishing after the scan: strace cannot trace here"
fi

# ---- selectors
cp "$(command -v sleep)" "$T/pbs-sleeper"
background "$T/pbs-sleeper" 86400
S1=$BG
background "$T/pbs-sleeper" 86400
S2=$BG
started "$S1" pbs-sleeper && started "$S2" pbs-sleeper
run "$PB" proc-stop -e pbs-sleeper
expect_status 0 "--exe-name"
check "--exe-name stopped both" all_gone "$S1" "$S2" # our children: their pids stay ours until we wait
check "--exe-name reported both" [ "$(grep -c 'pbs-sleeper): terminated' "$T/out")" = 2 ]
sh -c 'sleep 86400 & sleep 86400 & wait; exec sleep 86400' pbs-parent &
PARENT=$!
track "$PARENT"
wait_for 5 sh -c "[ \$(cat /proc/$PARENT/task/$PARENT/children | wc -w) = 2 ]"
KIDS=$(cat /proc/$PARENT/task/$PARENT/children)
track $KIDS
KIDS=$(for k in $KIDS; do ident "$k"; done)
run "$PB" proc-stop -d "$PARENT"
expect_status 0 "--descendants-of"
check "--descendants-of stopped the children" all_gone $KIDS
check "--descendants-of left the parent" alive "$PARENT"

# ---- -q and dry runs on saved trees (the only thing allowed there)
background sleep 86400
P=$BG
started "$P" sleep
run "$PB" proc-stop -q "$P"
expect_status 0 "-q"
check "-q: nothing on stdout or stderr" sh -c "[ ! -s '$T/out' ] && [ ! -s '$T/err' ]"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-stop 103
expect_status 1 "a saved tree without -n"
one_error_line "proc-stop: $FIXTURES/normal is not the live /proc: refusing to signal"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-stop -n --tree 100
expect_status 0 "a saved tree with -n --tree"
check "the dry run lists the tree" [ "$(awk '{print $1}' "$T/out" | tr '\n' ' ')" = "100 101 102 103 " ]
check "the dry run names the signal" grep -q '^103 (sleep): would get SIGTERM$' "$T/out"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-stop -n 2
expect_status 1 "a kernel thread is refused"
one_error_line "proc-stop: refusing to signal 2 (kthreadd): it is a kernel thread"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-stop -n 1
expect_status 1 "pid 1 is refused in a dry run too"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-stop -n -s KILL -f json 202 103 999
expect_status 0 "a dry run with JSON"
check "dry run JSON: the zombie is gone, the sleep would be signalled, 999 missing" \
	jqt '[.processes[].result] == ["would signal", "already gone", "no such process"] and .dry_run and .signal == "SIGKILL"' "$T/out"
check "dry run JSON on a saved tree: the proc-stop schema" json_valid proc-stop "$T/out"
PROCBOX_PROC="$FIXTURES/normal" TZ=UTC0 run "$PB" proc-stop -n -f json 103@90020
check "the identity of a saved tree's process: pid, starttime in ticks, started from its btime" \
	jqt '.processes[0] | .pid == 103 and .starttime == 90020 and .started == "2023-11-14T22:28:20+00:00"' "$T/out"
PROCBOX_PROC="$FIXTURES/malformed" run "$PB" proc-stop -n 11 12
check "malformed names stay on one line" [ "$(wc -l <"$T/out")" = 2 ]
check "no control characters in the report" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T/out'"

finish
