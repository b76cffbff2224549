#!/bin/sh
# proc-pause: a tree the test builds paused and resumed (states read from /proc), --tree catching a fork during
# the pause, -t and its guardian (the deadline, a proc-pause stopped or killed by SIGKILL), processes stopped
# already, a process in uninterruptible sleep, refusals (pid 1, itself, its ancestors) under a strace that fakes
# every signal, stale identities, other users, a process vanishing, selection by executable path (a deleted one
# too) and by level, dry runs, failure paths.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pids.include"

# field PID N: field N of /proc/PID/stat as proc(5) numbers them (3: state, 6: session, 22: starttime)
field() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f$(($2 - 2))
}
state() {
	field "$1" 3
}
# stopped PID...: every one is stopped (T); running PID...: every one runs or sleeps (R, S)
stopped() {
	for s_p; do [ "$(state "$s_p")" = T ] || return 1; done
}
running() {
	for r_p; do case "$(state "$r_p")" in R | S) ;; *) return 1 ;; esac; done
}
# no_signals: strace saw no signal sent (it also stood in for the kernel: nothing could have been delivered)
no_signals() {
	! grep -Eq '(kill|pidfd_send_signal)\(' "$T/trace"
}
# safely CMD...: runs it under strace, every signal system call traced and faked (never executed)
safely() {
	run strace -f -qq -o "$T/trace" -e trace=kill,tkill,tgkill,pidfd_send_signal \
		-e inject=kill,tkill,tgkill,pidfd_send_signal:retval=0 "$@"
}
if strace -f -qq -o /dev/null true 2>/dev/null; then STRACE=1; else STRACE=0; fi

# tree NAME: a tree of four, its pids in ROOTP (sh), A (sleep) and B (sh) below it, C (sleep) below B
cat >"$T/tree.sh" <<'EOF'
sleep 86400 &
echo $! >"$1.a"
sh "$2" "$1" &
echo $! >"$1.b"
wait
EOF
cat >"$T/leaf.sh" <<'EOF'
sleep 86400 &
echo $! >"$1.c"
wait
EOF
tree() {
	rm -f "$T/$1.a" "$T/$1.b" "$T/$1.c"
	sh "$T/tree.sh" "$T/$1" "$T/leaf.sh" &
	ROOTP=$!
	track "$ROOTP"
	wait_for 5 sh -c "test -s '$T/$1.a' && test -s '$T/$1.b' && test -s '$T/$1.c'"
	A=$(cat "$T/$1.a") B=$(cat "$T/$1.b") C=$(cat "$T/$1.c")
	track "$A" "$B" "$C"
	started "$A" sleep && started "$C" sleep
}

# ---- usage and failure paths
run "$PB" proc-pause --help
expect_status 0 "--help"
check "--help prints the usage on stdout" grep -q '^Usage: proc-pause' "$T/out"
check "--help names the selection's options" grep -q -- '--exe-path PATH' "$T/out"
run "$PB" proc-pause --bogus 1
expect_status 2 "an unknown option"
one_error_line "proc-pause: bad option '--bogus'"
run "$PB" proc-pause
expect_status 2 "nothing to pause"
one_error_line "proc-pause: nothing to pause"
run "$PB" proc-pause -t -1 2147483646
expect_status 2 "a bad timeout"
run "$PB" proc-pause --tree 1
expect_status 2 "--tree 1 (every process) is refused outright"
one_error_line "proc-pause: refusing to pause every process: --tree 1"
run "$PB" proc-pause -d 1 --level 1
expect_status 2 "-d 1 is refused outright, levels or not"
run "$PB" proc-pause --level 1 -e sleep
expect_status 2 "--level without -d"
one_error_line "proc-pause: --depth and --level need -d PID"
run "$PB" proc-pause -d 2147483646 --depth 0
expect_status 2 "--depth 0"
run "$PB" proc-pause -d 2147483646 --level x
expect_status 2 "--level x"
run "$PB" proc-pause --exe-path sleep
expect_status 2 "--exe-path that is not absolute"
one_error_line "proc-pause: --exe-path needs an absolute path: 'sleep'"
run "$PB" proc-pause "1@99999999999999"
expect_status 2 "a start time after now"
run "$PB" proc-pause -f xml 1
expect_status 2 "an unknown format"

# ---- a tree: paused, states read back, resumed
tree t1
run "$PB" proc-pause --tree "$ROOTP"
expect_status 0 "--tree of four processes"
check "all four are stopped (T in /proc)" stopped "$ROOTP" "$A" "$B" "$C"
check "the report has four lines, all paused" [ "$(grep -c ': paused$' "$T/out")" = 4 ]
check "the report names the top" grep -q "^$ROOTP (sh): paused$" "$T/out"
run "$PB" proc-pause "$A"
expect_status 0 "pausing a paused process again"
check "it is reported stopped already" grep -q "^$A (sleep): already stopped$" "$T/out"
run "$PB" proc-resume --tree "$ROOTP"
expect_status 0 "proc-resume --tree"
check "all four run again (S in /proc)" wait_for 5 running "$ROOTP" "$A" "$B" "$C"
check "the resume report has four lines" [ "$(grep -c ': resumed$' "$T/out")" = 4 ]

run "$PB" proc-pause -f json --tree "$ROOTP"
expect_status 0 "--tree with JSON"
check "JSON: the proc-pause schema" json_valid proc-pause "$T/out"
check "JSON: four paused, none left, tree, no timeout" \
	jqt '[.processes[].result] == ["paused","paused","paused","paused"] and .paused == 4 and .left == 0 and .tree and .timeout == null and (.dry_run | not)' "$T/out"
check "JSON: identities as /proc has them" jqt --argjson a "$A" --arg st "$(ident "$A")" \
	'.processes[] | select(.pid == $a) | "\(.pid)@\(.starttime)" == $st' "$T/out"
"$PB" proc-resume -q --tree "$ROOTP"
check "(resumed)" wait_for 5 running "$ROOTP" "$A" "$B" "$C"

# -q: nothing said, but done
run "$PB" proc-pause -q "$A"
expect_status 0 "-q"
check "-q: nothing on stdout or stderr" sh -c "[ ! -s '$T/out' ] && [ ! -s '$T/err' ]"
check "-q: paused all the same" stopped "$A"
kill -CONT "$A"

# ---- --tree catches what forks during the pause: proc-pause is held in its first pidfd_open, before any
# process is stopped, while the top forks a child the scan has not seen
cat >"$T/forker.sh" <<'EOF'
trap 'sleep 86400 & echo $! >"$1.late"' USR1
sleep 86400 &
echo $! >"$1.kid"
while :; do wait; done
EOF
if [ $STRACE = 1 ]; then
	rm -f "$T/f.kid" "$T/f.late"
	sh "$T/forker.sh" "$T/f" &
	F=$!
	track "$F"
	wait_for 5 test -s "$T/f.kid"
	KID=$(cat "$T/f.kid")
	track "$KID"
	started "$KID" sleep
	strace -f -qq -o /dev/null -e trace=pidfd_open -e inject=pidfd_open:delay_enter=1500000:when=1 \
		"$PB" proc-pause --tree -f json "$F" >"$T/fork.out" 2>"$T/fork.err" &
	TRACER=$!
	check "proc-pause is held before its first signal" wait_for 10 in_pidfd_open "$TRACER"
	kill -USR1 "$F"
	check "the top forked a child meanwhile" wait_for 5 test -s "$T/f.late"
	LATE=$(cat "$T/f.late")
	track "$LATE"
	wait "$TRACER"
	RC=$?
	check "--tree with a fork during the pause: exit 0 (got $RC)" [ "$RC" = 0 ]
	check "the child forked during the pause is in the report, found late and paused" \
		jqt --argjson l "$LATE" '.processes[] | select(.pid == $l) | .found_late and .result == "paused"' "$T/fork.out"
	check "the top, its first child and the late one are all stopped" stopped "$F" "$KID" "$LATE"
	"$PB" proc-resume -q --tree "$F"
	check "(resumed, the late one too)" wait_for 5 running "$F" "$KID" "$LATE"
	kill "$F" "$KID" "$LATE"
else
	skip "a fork during the pause: strace cannot trace here"
fi

# ---- -t: the pause ends at the deadline; proc-pause stays until then
START=$(date +%s%N)
"$PB" proc-pause -t 1.5 --tree "$ROOTP" >"$T/t.out" 2>"$T/t.err" &
P=$!
track "$P"
check "-t: the tree is paused" wait_for 5 stopped "$ROOTP" "$A" "$B" "$C"
check "-t: proc-pause stays while the pause lasts" kill -0 "$P"
check "-t: its report is out before the wait" wait_for 5 grep -q "^$C (sleep): paused$" "$T/t.out"
wait "$P"
RC=$?
MS=$((($(date +%s%N) - START) / 1000000))
check "-t: exit 0 once the time is up (got $RC)" [ "$RC" = 0 ]
check "-t: it took the time ($MS ms)" [ "$MS" -ge 1400 ]
check "-t: the tree runs again" wait_for 2 running "$ROOTP" "$A" "$B" "$C"
check "-t: it says it resumed them" grep -q "^proc-pause: resumed 4$" "$T/t.err"

# SIGKILL of proc-pause: the guardian resumes the tree at once, long before the deadline
"$PB" proc-pause -t 600 --tree "$ROOTP" >/dev/null 2>&1 &
P=$!
track "$P"
check "-t 600: paused" wait_for 5 stopped "$ROOTP" "$A" "$B" "$C"
GUARDIAN=$(cat "/proc/$P/task/$P/children" 2>/dev/null | awk '{print $1}')
check "-t 600: proc-pause has a guardian child" [ -n "$GUARDIAN" ]
track $GUARDIAN
check "the guardian leads a session of its own" [ "$(field "${GUARDIAN:-0}" 6)" = "${GUARDIAN:-x}" ]
kill -KILL "$P"
wait "$P" 2>/dev/null
check "proc-pause killed by SIGKILL: the guardian resumed the tree" wait_for 5 running "$ROOTP" "$A" "$B" "$C"
check "the guardian is gone after its work" wait_for 5 gone "${GUARDIAN:-0}"

# proc-pause stopped itself (SIGSTOP: it can do nothing): the guardian resumes at the deadline all the same
"$PB" proc-pause -t 1 "$A" >"$T/t1.out" 2>/dev/null &
P=$!
track "$P"
check "-t 1: paused" wait_for 5 stopped "$A"
# stopped once it holds (it has printed what it paused): stopped while still confirming the pause, it would
# find the process running again after the deadline and rightly call the pause unconfirmed
wait_for 5 grep -q ": paused$" "$T/t1.out"
kill -STOP "$P"
check "proc-pause stopped: the guardian resumed the process at the deadline" wait_for 5 running "$A"
kill -CONT "$P"
wait "$P"
RC=$?
check "proc-pause, continued after its deadline, exits 0 (got $RC)" [ "$RC" = 0 ]

# a process stopped before: -t leaves it stopped (it resumes only what it paused)
kill -STOP "$A"
wait_for 5 stopped "$A"
run "$PB" proc-pause -t 0.5 "$A" "$C"
expect_status 0 "-t with one process stopped already"
check "that one is reported stopped already" grep -q "^$A (sleep): already stopped$" "$T/out"
check "the other was paused" grep -q "^$C (sleep): paused$" "$T/out"
check "and runs again" wait_for 2 running "$C"
check "the one stopped before is still stopped" stopped "$A"
kill -CONT "$A"

# ---- a process in uninterruptible sleep takes the stop only when its system call returns: "stop pending"
: >"$T/vfork"
"$HELPERS/vfork_sleeper" 7 >"$T/vfork" &
VS=$!
track "$VS"
if wait_for 5 test -s "$T/vfork" && wait_for 5 sh -c "[ \"\$(sed 's/.*) //' /proc/$VS/stat | cut -c1)\" = D ]"; then
	track $(cat "/proc/$VS/task/$VS/children")
	run "$PB" proc-pause "$VS"
	expect_status 1 "a process in uninterruptible sleep (a vfork's parent): the stop is pending"
	one_error_line "proc-pause: 1 not stopped yet (uninterruptible sleep)"
	check "it is reported stop pending" grep -q "^$VS (vfork_sleeper): stop pending$" "$T/out"
	check "it stops as soon as its system call returns" wait_for 5 stopped "$VS"
	kill -CONT "$VS"
else
	not_ok "vfork_sleeper did not get into uninterruptible sleep"
fi

# ---- levels below -d: the children only, then down to the grandchildren
run "$PB" proc-pause -d "$ROOTP" --level 1
expect_status 0 "-d ROOTP --level 1"
check "--level 1: the children are stopped" stopped "$A" "$B"
check "--level 1: the top and the grandchild are not" running "$ROOTP" "$C"
run "$PB" proc-resume -d "$ROOTP" --depth 2
expect_status 0 "proc-resume -d ROOTP --depth 2"
check "--depth 2: both children resumed, the grandchild was not stopped" \
	sh -c "grep -q '^$A (sleep): resumed$' '$T/out' && grep -q '^$B (sh): resumed$' '$T/out' && grep -q '^$C (sleep): not stopped$' '$T/out'"
check "--depth 2: they run" wait_for 5 running "$A" "$B"
run "$PB" proc-pause -d "$ROOTP" --level 2 -f json
check "--level 2: the grandchild alone" jqt --argjson c "$C" '[.processes[].pid] == [$c]' "$T/out"
check "--level 2: it is stopped" stopped "$C"
kill -CONT "$C"
# the same options in proc-wait and proc-stop (the selection they share)
run "$PB" proc-wait -t 0 -d "$ROOTP" --level 2
expect_status 124 "proc-wait -d ROOTP --level 2 -t 0: the grandchild still runs"
check "proc-wait lists the grandchild alone" [ "$(cat "$T/out")" = "$C sleep" ]
run "$PB" proc-stop -n -d "$ROOTP" --depth 1
check "proc-stop -n --depth 1: the two children" [ "$(awk '{print $1}' "$T/out" | tr '\n' ' ')" = "$A $B " ]

# ---- by executable path, a deleted one too
cp "$(command -v sleep)" "$T/pbp-sleeper"
background "$T/pbp-sleeper" 86400
S1=$BG
background "$T/pbp-sleeper" 86400
S2=$BG
started "$S1" pbp-sleeper && started "$S2" pbp-sleeper
run "$PB" proc-pause --exe-path "$T/pbp-sleeper"
expect_status 0 "--exe-path"
check "--exe-path: both copies stopped" stopped "$S1" "$S2"
check "--exe-path: nothing else" [ "$(wc -l <"$T/out")" = 2 ]
rm "$T/pbp-sleeper"
check "(the executable is deleted: /proc shows it so)" sh -c "readlink /proc/$S1/exe | grep -q ' (deleted)$'"
run "$PB" proc-resume --exe-path "$T/pbp-sleeper"
expect_status 0 "--exe-path of a deleted executable"
check "the deleted executable's processes are found and resumed" wait_for 5 running "$S1" "$S2"
# a symbolic link is no executable's path: the kernel shows the file it leads to
ln -s "$(command -v sleep)" "$T/pbp-link"
background "$T/pbp-link" 86400
S3=$BG
started "$S3" pbp-link
run "$PB" proc-pause --strict --exe-path "$T/pbp-link"
expect_status 1 "--exe-path of a symbolic link matches nothing"
one_error_line "proc-pause: no process matched"
check "and stops nothing" running "$S3"

# ---- a stale identity: the pid now belongs to another process, which is never signalled
ST=$(field "$A" 22)
run "$PB" proc-pause "$A@$((ST - 1))"
expect_status 0 "PID@STARTTIME of a process that ended: counted as gone"
one_error_line "proc-pause: process $A@$((ST - 1)) has ended, the pid belongs to another process now: counted as gone, not signalled"
check "the process with that pid now was not stopped" running "$A"
run "$PB" proc-pause --strict "$A@$((ST - 1))" "$C"
expect_status 1 "--strict with a stale identity"
check "--strict: nothing was stopped" running "$A" "$C"
background sleep 86400
R=$BG
started "$R" sleep
RID=$(ident "$R")
# start times count clock ticks (10 ms): the process that takes the pid over must start in a later one, or it
# would have the very identity of the one that ended
sleep 0.05
kill "$R"
wait "$R" 2>/dev/null
cycle_to "$R"
CYCLED=$?
if [ "$CYCLED" = 0 ]; then
	run "$PB" proc-pause -f json "$RID"
	expect_status 0 "PID@STARTTIME whose pid was reused"
	check "JSON says the pid was reused" jqt '.processes[0].result == "pid reused"' "$T/out"
	check "pid reused: the proc-pause schema" json_valid proc-pause "$T/out"
	check "the new process with that pid runs on" running "$R"
	# should it have been stopped, it could not end: uncycle would wait for it forever
	kill -CONT "$R" 2>/dev/null
else
	no_cycling "$CYCLED"
fi
uncycle

if [ $STRACE = 1 ]; then
	# ---- never pid 1, itself or its ancestors: refused before any signal (strace fakes every signal call)
	safely "$PB" proc-pause 1
	expect_status 1 "pid 1 is refused"
	one_error_line "proc-pause: refusing to signal 1 "
	check "pid 1: no signal was sent" no_signals
	safely sh -c 'exec "$0" proc-pause $$' "$PB"
	expect_status 1 "itself is refused"
	one_error_line "proc-pause: refusing to signal [0-9]* ($PB_COMM): it is proc-pause itself"
	check "itself: no signal was sent" no_signals
	safely sh -c '"$0" proc-pause -t 5 $$; exit $?' "$PB"
	expect_status 1 "its parent is refused (-t too)"
	one_error_line "proc-pause: refusing to signal [0-9]* (sh): it is an ancestor of proc-pause"
	check "its parent: no signal was sent" no_signals
	safely sh -c '"$0" proc-pause $PPID; exit $?' "$PB"
	expect_status 1 "its grandparent is refused"
	safely sh -c '"$0" proc-pause -d $$; exit $?' "$PB"
	expect_status 0 "-d of its own parent: it does not choose itself"
	check "-d of its own parent: no signal was sent" no_signals
	# (the guard does see signals when there are some: a resume, whose faked SIGCONT leaves C stopped)
	kill -STOP "$C"
	wait_for 5 stopped "$C"
	safely "$PB" proc-resume "$C"
	check "(strace sees the signal of a real resume)" grep -Eq '(kill|pidfd_send_signal)\(.*SIGCONT' "$T/trace"
	check "(and stood in for the kernel)" stopped "$C"
	kill -CONT "$C"

	# ---- a process that vanishes between the scan and the signal
	background sleep 86400
	V=$BG
	started "$V" sleep
	strace -f -qq -o /dev/null -e trace=pidfd_open -e inject=pidfd_open:delay_enter=1500000:when=1 \
		"$PB" proc-pause -f json "$V" >"$T/vanish.out" 2>"$T/vanish.err" &
	TRACER=$!
	check "proc-pause is held before its first pidfd_open" wait_for 10 in_pidfd_open "$TRACER"
	kill -KILL "$V"
	wait "$V" 2>/dev/null
	wait "$TRACER"
	RC=$?
	check "vanished after the scan: exit 0 (got $RC)" [ "$RC" = 0 ]
	check "vanished after the scan: reported gone" jqt '.processes[0].result == "already gone"' "$T/vanish.out"
else
	skip "refusals of pid 1, itself and its ancestors, and a vanishing process: strace cannot trace here"
fi

# ---- other users: root pauses theirs; a user may not pause root's
U=pbpa$$
if test_user "$U"; then
	# setpriv execs sleep: the same pid (run_as, a shell function, would be a subshell's)
	setpriv --reuid="$(id -u "$U")" --regid="$(id -g "$U")" --init-groups sleep 86400 &
	UP=$!
	track "$UP"
	started "$UP" sleep
	run "$PB" proc-pause -u "$U"
	expect_status 0 "root pauses another user's process (-u)"
	check "-u: exactly that one" [ "$(cat "$T/out")" = "$UP (sleep): paused" ]
	check "-u: it is stopped" stopped "$UP"
	run run_as "$U" "$PB" proc-resume "$UP"
	expect_status 0 "the user resumes their own process"
	check "it runs again" wait_for 5 running "$UP"
	run run_as "$U" "$PB" proc-pause "$A"
	expect_status 1 "not permitted as another user"
	one_error_line "proc-pause: cannot signal $A (sleep): Operation not permitted"
	check "root's process still runs" running "$A"
	run run_as "$U" "$PB" proc-pause -f json "$A"
	check "JSON: not permitted, with the reason, left" jqt '.processes[0].result == "not permitted" and .left == 1' "$T/out"
	check "not permitted: the proc-pause schema" json_valid proc-pause "$T/out"
	# without privileges the exe link of root's process cannot be read: its argv[0] (the same path) is not
	# believed
	cp "$(command -v sleep)" "$T/pbp-mine"
	background "$T/pbp-mine" 86400
	M=$BG
	started "$M" pbp-mine
	run run_as "$U" "$PB" proc-pause -n --exe-path "$T/pbp-mine"
	check "another user: --exe-path never matches by argv[0] (the link is not readable)" grep -q 'no process matched' "$T/err"
	run "$PB" proc-pause -n --exe-path "$T/pbp-mine"
	check "root: the link is readable, it matches" [ "$(cat "$T/out")" = "$M (pbp-mine): would get SIGSTOP" ]
else
	skip "other users: useradd failed"
fi

# ---- dry runs on a saved tree (the only thing allowed there)
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-pause 103
expect_status 1 "a saved tree without -n"
one_error_line "proc-pause: $FIXTURES/normal is not the live /proc: refusing to signal"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-pause -n --tree 100
expect_status 0 "a saved tree with -n --tree"
check "the dry run lists the tree" [ "$(awk '{print $1}' "$T/out" | tr '\n' ' ')" = "100 101 102 103 " ]
check "the dry run names the signal" grep -q '^103 (sleep): would get SIGSTOP$' "$T/out"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-pause -n --exe-path /usr/sbin/cron -f json
check "dry run by the path of a replaced binary (shown deleted): both crons" \
	jqt '[.processes[].pid] == [100, 101] and .dry_run and .left == 2' "$T/out"
check "dry run: the proc-pause schema" json_valid proc-pause "$T/out"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-pause -n 2
expect_status 1 "a kernel thread is refused"
one_error_line "proc-pause: refusing to signal 2 (kthreadd): it is a kernel thread"

finish
