#!/bin/sh
# Attacks on proc-wait, proc-stop, proc-tree and apache-mem run as root, each by a throw-away user: identities
# that cannot be one, another pid namespace's procfs taken for ours, a process tree deep enough to amplify the
# output, an output file in a shared directory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pids.include"

if [ "$(id -u)" != 0 ]; then
	skip "the attacks need root (a root applet, users to create)"
	finish
	exit
fi
ATK=pbatk$$
if ! test_user "$ATK"; then
	not_ok "useradd $ATK failed"
	finish
	exit
fi
ATK_UID=$(id -u "$ATK")
# the helpers where the attacker may run them
cp "$HELPERS/pid_cycler" "$HELPERS/chain" "$T/"
chmod 755 "$T/pid_cycler" "$T/chain"

# field22 PID: the start time procbox's identities use (clock ticks since boot)
field22() {
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20
}
HZ=$(getconf CLK_TCK)
# now_ticks: clock ticks since boot now
now_ticks() {
	awk -v hz="$HZ" '{ printf "%d\n", $1 * hz }' /proc/uptime
}

# ---- PID@STARTTIME that cannot be an identity is a usage error, never "ended"
# The attacker's process is one a root script waits for or stops; the start time it is handed comes from
# elsewhere: epoch seconds (proc-tree's old unit), a time after now, a fraction, a sign, hex, an overflow.
run_as "$ATK" sleep 86400 &
VICTIM=$!
track "$VICTIM"
started "$VICTIM" sleep
VST=$(field22 "$VICTIM")
EPOCH=$(date +%s)
FUTURE=$(($(now_ticks) + 3600 * HZ))
for applet in proc-wait proc-stop; do
	run "$PB" "$applet" -t 1 "$VICTIM@$EPOCH"
	expect_status 2 "$applet PID@<epoch seconds> of a live process"
	one_error_line "$applet: start time"
	check "$applet: the process still runs" alive "$VICTIM"
	run "$PB" "$applet" -t 1 "$VICTIM@$FUTURE"
	expect_status 2 "$applet PID@<an hour from now, in clock ticks>"
	one_error_line "$applet: start time"
	run "$PB" "$applet" -t 1 -d "$VICTIM@$EPOCH"
	expect_status 2 "$applet -d PID@<epoch seconds>"
	one_error_line "$applet: start time"
	for bad in "$VST.0" "$EPOCH.45" "+$VST" "-$VST" " $VST" "$VST " "0x10" "${VST}x" "" "@$VST" \
		"99999999999999999999999" "18446744073709551616"; do
		run "$PB" "$applet" -t 1 "$VICTIM@$bad"
		expect_status 2 "$applet PID@'$bad'"
		one_error_line "$applet: bad start time"
	done
	check "$applet: the process still runs after all of them" alive "$VICTIM"
done
# the unprivileged user gets the same answer for its own process
run run_as "$ATK" "$PB" proc-stop "$VICTIM@$EPOCH"
expect_status 2 "proc-stop as the user, PID@<epoch seconds>"
check "the process still runs" alive "$VICTIM"
# the identity itself still works: waited for while it runs, stopped when asked
run "$PB" proc-wait -t 0.3 "$VICTIM@$VST"
expect_status 124 "proc-wait PID@<its start time> while it runs"
run "$PB" proc-wait --strict -t 0.3 "$VICTIM@0"
expect_status 1 "PID@0 is an exact identity (start time 0), not any process with that pid"
check "the process still runs" alive "$VICTIM"
run "$PB" proc-stop -t 5 "$VICTIM@$VST"
expect_status 0 "proc-stop PID@<its start time>"
check "the process is gone" gone "$VICTIM@$VST"

# ---- a procfs of another pid namespace is not live: its pids are not ours to signal
# The attacker builds a user and pid namespace of its own, mounts its procfs and gives a process there the pid a
# victim has outside (ns_last_pid of its own namespace). Root pointed at that procfs signals by pid.
sleep 86400 &
HOSTV=$!
track "$HOSTV"
started "$HOSTV" sleep
: >"$T/ns.pid"
run_as "$ATK" unshare -Urpf --mount-proc "$T/pid_cycler" "$HOSTV" sleep 86400 >"$T/ns.pid" 2>"$T/ns.err" &
UNSHARE=$!
track "$UNSHARE"
if ! wait_for 10 test -s "$T/ns.pid"; then
	skip "another pid namespace: unshare -Urpf failed: $(head -c 200 "$T/ns.err")"
else
	# unshare forks the namespace's init (the cycler), which forks the process with the victim's pid
	NSINIT=$(pgrep -u "$ATK" -x pid_cycler)
	NSV=$(awk '{print $1}' "/proc/$NSINIT/task/$NSINIT/children")
	track "$NSINIT" "$NSV"
	NSPROC=/proc/$NSINIT/root/proc
	check "the attacker's process has pid $HOSTV in its namespace" [ "$(cat "$T/ns.pid")" = "$HOSTV" ]
	check "and pid ${NSV:-?} outside" [ "${NSV:-$HOSTV}" != "$HOSTV" ]
	PROCBOX_PROC=$NSPROC run "$PB" proc-stop -t 2 "$HOSTV"
	expect_status 1 "proc-stop PID with PROCBOX_PROC=/proc/<their init>/root/proc"
	one_error_line "proc-stop: $NSPROC is not"
	check "the victim outside still runs" alive "$HOSTV"
	check "the attacker's process too" alive "$NSV"
	PROCBOX_PROC=$NSPROC run "$PB" proc-stop -n "$HOSTV"
	expect_status 0 "a dry run there is still allowed"
	# waiting: the process listed there, not the one with that pid here
	PROCBOX_PROC=$NSPROC run "$PB" proc-wait -t 0.3 "$HOSTV"
	expect_status 124 "proc-wait there: the attacker's process runs"
	PROCBOX_PROC=$NSPROC "$PB" proc-wait -t 10 "$HOSTV" >"$T/nswait.out" 2>&1 &
	NSWAIT=$!
	track "$NSWAIT"
	sleep 0.3
	kill "$NSV"
	wait "$NSWAIT"
	RC=$?
	check "proc-wait there returns when that process ends (got $RC), not when ours does" [ "$RC" = 0 ]
	check "the victim outside still runs" alive "$HOSTV"
	kill "$NSINIT" "$UNSHARE" 2>/dev/null
fi
kill "$HOSTV" 2>/dev/null
# a procfs directory that is not a proc root (no 'self' in it), though it lists a pid
sleep 86400 &
TASK=$!
track "$TASK"
started "$TASK" sleep
run env PROCBOX_PROC="/proc/$TASK/task" "$PB" proc-stop -t 1 "$TASK"
expect_status 1 "PROCBOX_PROC=/proc/PID/task is not a live proc root"
check "the process still runs" alive "$TASK"
kill "$TASK" 2>/dev/null

# ---- a deep chain of processes: the tree art stays linear in the depth
DEPTH=2000
: >"$T/chain.out"
run_as "$ATK" "$T/chain" "$DEPTH" >"$T/chain.out" 2>"$T/chain.err" &
CHAIN_AS=$!
track "$CHAIN_AS"
if ! wait_for 60 grep -q ready "$T/chain.out"; then
	not_ok "the chain of $DEPTH processes did not build: $(head -c 200 "$T/chain.err")"
else
	TOP=$(head -n 1 "$T/chain.out")
	LEAF=$(sed -n "${DEPTH}p" "$T/chain.out")
	run "$PB" proc-tree "$TOP"
	expect_status 0 "proc-tree of a chain $DEPTH deep"
	BYTES=$(wc -c <"$T/out")
	WIDEST=$(awk '{ if (length > m) m = length } END { print m }' "$T/out")
	check "its output is linear in the depth ($BYTES bytes for $DEPTH lines)" [ "$BYTES" -lt $((DEPTH * 256)) ]
	check "no line is wider than 256 bytes (widest $WIDEST)" [ "$WIDEST" -le 256 ]
	check "every process of the chain is listed" [ "$(grep -c "$T/chain" "$T/out")" = "$DEPTH" ]
	check "the deepest shows its depth as a number" grep -Eq "^ *$LEAF .*\[$((DEPTH - 1))\]" "$T/out"
	run "$PB" proc-tree
	WIDEST=$(grep "$T/chain" "$T/out" | awk '{ if (length > m) m = length } END { print m }')
	check "the whole tree too (widest line of the chain $WIDEST)" [ "$WIDEST" -le 256 ]
	for p in $(cat "$T/chain.out"); do case "$p" in ready) ;; *) kill "$p" 2>/dev/null ;; esac; done
fi

# ---- apache-mem -o: the mode it is created with, and a name planted in a shared directory
APROC=$FIXTURES/apache
(umask 0 && PROCBOX_PROC=$APROC "$PB" apache-mem -f prometheus -o "$T/umask0.prom")
check "apache-mem -o under umask 0 wrote the file" test -s "$T/umask0.prom"
check "-o under umask 0: mode 644, not world-writable (got $(stat -c %a "$T/umask0.prom"))" \
	[ "$(stat -c %a "$T/umask0.prom")" = 644 ]
(umask 077 && PROCBOX_PROC=$APROC "$PB" apache-mem -f prometheus -o "$T/umask077.prom")
check "-o under umask 077: the umask still narrows it (got $(stat -c %a "$T/umask077.prom"))" \
	[ "$(stat -c %a "$T/umask077.prom")" = 600 ]
mkdir "$T/shared"
chmod 1777 "$T/shared"
echo precious >"$T/victim"
run_as "$ATK" ln -s "$T/victim" "$T/shared/apache.prom"
(umask 0 && PROCBOX_PROC=$APROC "$PB" apache-mem -f prometheus -o "$T/shared/apache.prom")
check "a symlink planted at the -o name is not followed" [ "$(cat "$T/victim")" = precious ]
check "it is replaced by a regular file of root, mode 644" \
	[ "$(stat -c '%F %U %a' "$T/shared/apache.prom")" = "regular file root 644" ]
run_as "$ATK" sh -c "umask 0; echo planted > '$T/shared/other.prom'"
(umask 0 && PROCBOX_PROC=$APROC "$PB" apache-mem -f prometheus -o "$T/shared/other.prom")
check "a file the attacker planted there is replaced by root's, mode 644" \
	[ "$(stat -c '%U %a' "$T/shared/other.prom")" = "root 644" ]
check "and holds the report" grep -q '^apache_' "$T/shared/other.prom"
check "no temporary file is left behind" [ "$(ls -A "$T/shared" | wc -l)" = 2 ]

finish
