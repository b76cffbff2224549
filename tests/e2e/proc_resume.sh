#!/bin/sh
# proc-resume: only stopped processes get SIGCONT (a running one with a SIGCONT handler never sees one), trees
# and levels, stale identities never signalled, other users, refusals under a strace that fakes every signal,
# a process vanishing, a deleted executable, dry runs on live and saved trees, failure paths.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pids.include"

# field PID N: field N of /proc/PID/stat as proc(5) numbers them (3: state, 22: starttime)
field() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f$(($2 - 2))
}
state() {
	field "$1" 3
}
stopped() {
	for s_p; do [ "$(state "$s_p")" = T ] || return 1; done
}
running() {
	for r_p; do case "$(state "$r_p")" in R | S) ;; *) return 1 ;; esac; done
}
# stop PID...: SIGSTOP, and wait until /proc shows it
stop() {
	kill -STOP "$@"
	wait_for 5 stopped "$@"
}
no_signals() {
	! grep -Eq '(kill|pidfd_send_signal)\(' "$T/trace"
}
safely() {
	run strace -f -qq -o "$T/trace" -e trace=kill,tkill,tgkill,pidfd_send_signal \
		-e inject=kill,tkill,tgkill,pidfd_send_signal:retval=0 "$@"
}
if strace -f -qq -o /dev/null true 2>/dev/null; then STRACE=1; else STRACE=0; fi

# a shell that notes every SIGCONT it gets in $1 (the handler runs once it runs again)
cat >"$T/cont.sh" <<'EOF'
trap 'echo cont >>"$1"' CONT
: >"$1.ready"
while :; do sleep 0.05; done
EOF
contee() {
	rm -f "$T/$1" "$T/$1.ready"
	sh "$T/cont.sh" "$T/$1" &
	BG=$!
	track "$BG"
	wait_for 5 test -e "$T/$1.ready"
}

# ---- usage and failure paths
run "$PB" proc-resume --help
expect_status 0 "--help"
check "--help prints the usage on stdout" grep -q '^Usage: proc-resume' "$T/out"
run "$PB" proc-resume --bogus 1
expect_status 2 "an unknown option"
one_error_line "proc-resume: bad option '--bogus'"
run "$PB" proc-resume -t 5 1
expect_status 2 "no -t"
run "$PB" proc-resume
expect_status 2 "nothing to resume"
one_error_line "proc-resume: nothing to resume"
run "$PB" proc-resume --tree 1
expect_status 2 "--tree 1 is refused outright"
one_error_line "proc-resume: refusing to resume every process: --tree 1"
run "$PB" proc-resume --depth 2 -u 0
expect_status 2 "--depth without -d"
run "$PB" proc-resume --exe-path ./sleep
expect_status 2 "--exe-path that is not absolute"

# ---- only what is stopped gets SIGCONT
contee cont1
R1=$BG
run "$PB" proc-resume "$R1"
expect_status 0 "a process that is not stopped"
check "it is reported not stopped" [ "$(cat "$T/out")" = "$R1 (sh): not stopped" ]
sleep 0.3
check "its SIGCONT handler never ran: no signal was sent" [ ! -e "$T/cont1" ]
stop "$R1"
run "$PB" proc-resume -f json "$R1"
expect_status 0 "a stopped process"
check "JSON: the proc-resume schema" json_valid proc-resume "$T/out"
check "JSON: resumed, one resumed and none left" \
	jqt '.processes[0].result == "resumed" and .resumed == 1 and .left == 0 and (.tree | not)' "$T/out"
check "it runs again (S or R in /proc)" wait_for 5 running "$R1"
check "its SIGCONT handler ran once" wait_for 5 sh -c "[ \"\$(cat '$T/cont1' 2>/dev/null)\" = cont ]"

# ---- trees and levels: a top with two children, one of them stopped, and a stopped grandchild
cat >"$T/tree.sh" <<'EOF'
sleep 86400 &
echo $! >"$1.a"
sh -c 'sleep 86400 & echo $! >"$1.c"; wait' pbr-mid "$1" &
echo $! >"$1.b"
wait
EOF
sh "$T/tree.sh" "$T/t" &
ROOTP=$!
track "$ROOTP"
wait_for 5 sh -c "test -s '$T/t.a' && test -s '$T/t.b' && test -s '$T/t.c'"
A=$(cat "$T/t.a") B=$(cat "$T/t.b") C=$(cat "$T/t.c")
track "$A" "$B" "$C"
started "$A" sleep && started "$C" sleep
stop "$A" "$C"
run "$PB" proc-resume -d "$ROOTP" --level 2
expect_status 0 "-d ROOTP --level 2"
check "--level 2: the grandchild alone, resumed" [ "$(cat "$T/out")" = "$C (sleep): resumed" ]
check "--level 2: it runs again" wait_for 5 running "$C"
check "the stopped child was left stopped" stopped "$A"
stop "$C"
run "$PB" proc-resume --tree "$ROOTP"
expect_status 0 "--tree"
check "--tree: the two stopped resumed, the two others not stopped" \
	[ "$(sort "$T/out" | tr '\n' ';')" = "$(printf '%s\n' "$ROOTP (sh): not stopped" "$A (sleep): resumed" "$B (sh): not stopped" "$C (sleep): resumed" | sort | tr '\n' ';')" ]
check "--tree: all four run" wait_for 5 running "$ROOTP" "$A" "$B" "$C"
stop "$A" "$B"
run "$PB" proc-resume -d "$ROOTP" --depth 1 -e sleep
expect_status 0 "-d ROOTP --depth 1 -e sleep"
check "filters and levels together: only the sleeping child" [ "$(cat "$T/out")" = "$A (sleep): resumed" ]
check "the other child stays stopped" stopped "$B"
kill -CONT "$B"

# ---- a stale identity: the process meant has ended, the pid's new owner is never signalled
stop "$A"
ST=$(field "$A" 22)
run "$PB" proc-resume "$A@$((ST + 1))"
expect_status 0 "PID@STARTTIME of a process that ended"
one_error_line "proc-resume: process $A@$((ST + 1)) has ended, the pid belongs to another process now: counted as gone, not signalled"
check "the stopped process with that pid stays stopped" stopped "$A"
run "$PB" proc-resume --strict "$A@$((ST + 1))"
expect_status 1 "--strict with a stale identity"
run "$PB" proc-resume "$A@$ST"
expect_status 0 "the exact identity"
check "the exact identity resumes it" wait_for 5 running "$A"

# ---- a deleted executable, found by its path
cp "$(command -v sleep)" "$T/pbr-sleeper"
background "$T/pbr-sleeper" 86400
S=$BG
started "$S" pbr-sleeper
stop "$S"
rm "$T/pbr-sleeper"
run "$PB" proc-resume --exe-path "$T/pbr-sleeper"
expect_status 0 "--exe-path of a deleted executable"
check "its process was found and resumed" wait_for 5 running "$S"

# ---- dry runs: nothing is sent
stop "$A"
run "$PB" proc-resume -n "$A" "$B"
expect_status 0 "-n on live processes"
check "-n: the stopped one would get SIGCONT, the other is not stopped" \
	[ "$(cat "$T/out" | tr '\n' ';')" = "$A (sleep): would get SIGCONT;$B (sh): not stopped;" ]
check "-n: it is still stopped" stopped "$A"
kill -CONT "$A"
# a saved tree whose sleep is stopped: the state is read from the tree
cp -r "$FIXTURES/normal" "$T/fx"
sed -i 's/^103 (sleep) S /103 (sleep) T /' "$T/fx/103/stat"
PROCBOX_PROC="$T/fx" run "$PB" proc-resume -n -f json --tree 101
expect_status 0 "-n on a saved tree"
check "-n JSON: the proc-resume schema" json_valid proc-resume "$T/out"
check "-n on a saved tree: the stopped sleep would be resumed, the shell is not stopped" \
	jqt '[.processes[] | "\(.pid) \(.result)"] == ["101 not stopped", "102 not stopped", "103 would signal"] and .dry_run and .left == 1' "$T/out"
PROCBOX_PROC="$T/fx" run "$PB" proc-resume 103
expect_status 1 "a saved tree without -n"

# ---- other users
U=pbre$$
if test_user "$U"; then
	setpriv --reuid="$(id -u "$U")" --regid="$(id -g "$U")" --init-groups sleep 86400 &
	UP=$!
	track "$UP"
	started "$UP" sleep
	stop "$UP"
	stop "$A"
	# in a session of its own: the kernel lets anyone send SIGCONT within a session (kill(2))
	run run_as "$U" setsid -w "$PB" proc-resume "$A" "$UP"
	expect_status 1 "another user's stopped process: not permitted"
	one_error_line "proc-resume: cannot signal $A (sleep): Operation not permitted"
	check "root's process stays stopped" stopped "$A"
	check "the user's own process was resumed" wait_for 5 running "$UP"
	kill -CONT "$A"
else
	skip "other users: useradd failed"
fi

if [ $STRACE = 1 ]; then
	# ---- never pid 1, itself or its ancestors (strace fakes every signal call)
	safely "$PB" proc-resume 1
	expect_status 1 "pid 1 is refused"
	one_error_line "proc-resume: refusing to signal 1 "
	check "pid 1: no signal was sent" no_signals
	safely sh -c 'exec "$0" proc-resume $$' "$PB"
	expect_status 1 "itself is refused"
	one_error_line "proc-resume: refusing to signal [0-9]* ($PB_COMM): it is proc-resume itself"
	safely sh -c '"$0" proc-resume $$; exit $?' "$PB"
	expect_status 1 "its parent is refused"
	one_error_line "proc-resume: refusing to signal [0-9]* (sh): it is an ancestor of proc-resume"
	check "its parent: no signal was sent" no_signals

	# ---- a process that vanishes between the scan and the signal
	background sleep 86400
	V=$BG
	started "$V" sleep
	stop "$V"
	strace -f -qq -o /dev/null -e trace=pidfd_open -e inject=pidfd_open:delay_enter=1500000:when=1 \
		"$PB" proc-resume -f json "$V" >"$T/vanish.out" 2>"$T/vanish.err" &
	TRACER=$!
	# the state is read before the signal: hold the pidfd_open, then end the process
	check "proc-resume is held before its first pidfd_open" wait_for 10 in_pidfd_open "$TRACER"
	kill -KILL "$V"
	wait "$V" 2>/dev/null
	wait "$TRACER"
	RC=$?
	check "vanished before the signal: exit 0 (got $RC)" [ "$RC" = 0 ]
	check "vanished before the signal: reported gone" jqt '.processes[0].result == "already gone"' "$T/vanish.out"
	check "vanished: the proc-resume schema" json_valid proc-resume "$T/vanish.out"
else
	skip "refusals and a vanishing process: strace cannot trace here"
fi

finish
