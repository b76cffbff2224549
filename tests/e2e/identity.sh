#!/bin/sh
# One process identity across the applets: a live process found with proc-tree's JSON is waited for and stopped by
# PID@STARTTIME; a stale identity is never signalled; a start time after now or in another unit is a usage error;
# the same pid has the same starttime and started in every applet's JSON; the schemas reject wrong documents.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pids.include"

# json_invalid SCHEMA FILE: the validator rejects the document (its reason is shown)
json_invalid() {
	if json_valid "$@" 2>"$T/why"; then return 1; fi
	echo "    rejected: $(head -n 1 "$T/why" | sed 's/^ *//')"
}
# idents FILE FILTER: "pid starttime started" of each process the jq FILTER picks, sorted
idents() {
	jq -r "$2"' | "\(.pid) \(.starttime) \(.started)"' "$1" | sort -u
}
# waiting PID: proc-wait (PID) holds its pidfd: it has chosen its process
waiting() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q 'anon_inode:\[pidfd\]'
}
# in_tree FILE: every identity in FILE is one that proc-tree gave ($T/tree.ids)
in_tree() {
	[ -s "$1" ] && [ -z "$(comm -23 "$1" "$T/tree.ids")" ]
}

# ---- the round trip on a live process, under a name of its own so that -e finds it alone
NAME=pbid$$
mkdir "$T/bin"
cp "$(command -v sleep)" "$T/bin/$NAME"
background "$T/bin/$NAME" 86400
V=$BG
started "$V" "$NAME"
run "$PB" proc-tree -e "$NAME" -o pid,comm --format json
expect_status 0 "proc-tree finds the process by its name"
check "proc-tree: the proc-tree schema" json_valid proc-tree "$T/out"
ID=$(jq -r '.processes[] | "\(.pid)@\(.starttime)"' "$T/out")
check "proc-tree's identity is pid@field 22 of its stat ($ID)" [ "$ID" = "$(ident "$V")" ]
STARTED=$(jq -r '.processes[0].started' "$T/out")
cp "$T/out" "$T/tree.json"

run "$PB" proc-wait -t 1 "$ID"
expect_status 124 "proc-wait -t 1 PID@STARTTIME while it runs"
check "proc-wait names what still runs" [ "$(cat "$T/out")" = "$V $NAME" ]
run "$PB" proc-wait -t 0.2 -f json "$ID"
check "proc-wait's JSON: the proc-wait schema" json_valid proc-wait "$T/out"
check "proc-wait's JSON: the same pid, starttime and started as proc-tree's" \
	[ "$(idents "$T/out" '.processes[]')" = "$(idents "$T/tree.json" '.processes[]')" ]
run "$PB" proc-stop -n -f json "$ID"
expect_status 0 "proc-stop -n PID@STARTTIME"
check "proc-stop's JSON: the proc-stop schema" json_valid proc-stop "$T/out"
check "proc-stop's JSON: the same pid, starttime and started" \
	[ "$(idents "$T/out" '.processes[]')" = "$(idents "$T/tree.json" '.processes[]')" ]
check "the dry run left it running" alive "$ID"

# a stale identity: the pid with another process's start time (this shell's) names no live process
SHELL_START=$(ident $$)
SHELL_START=${SHELL_START#*@}
STALE="$V@$SHELL_START"
check "the stale identity differs from the process's own" [ "$STALE" != "$ID" ]
run "$PB" proc-stop -t 1 -f json "$STALE"
expect_status 0 "proc-stop of a stale identity: that process is gone"
check "proc-stop of a stale identity: reported as pid reused" jqt '.processes[0].result == "pid reused"' "$T/out"
check "proc-stop of a stale identity: the proc-stop schema" json_valid proc-stop "$T/out"
check "the process with that pid was not signalled" alive "$ID"
run "$PB" proc-stop --strict "$STALE"
expect_status 1 "proc-stop --strict of a stale identity"
check "still not signalled" alive "$ID"
run "$PB" proc-wait -t 1 "$STALE"
expect_status 0 "proc-wait of a stale identity: that process has ended"

# start times that are no clock ticks since boot: after now (a date, milliseconds) or not a whole number
NOW_TICKS=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", $1 * hz }' /proc/uptime)
for st in "$(date +%s%3N)" 99999999999999 18446744073709551615; do
	for applet in proc-wait proc-stop proc-tree; do
		run "$PB" $applet "$V@$st"
		expect_status 2 "$applet $V@$st: a start time after now"
	done
	run "$PB" apache-mem -p "$V@$st"
	expect_status 2 "apache-mem -p $V@$st"
	run "$PB" cron-graceful --list --pid "$V@$st"
	expect_status 2 "cron-graceful --pid $V@$st"
done
EPOCH=$(date +%s)
if [ "$EPOCH" -gt "$NOW_TICKS" ]; then
	run "$PB" proc-wait -t 1 "$V@$EPOCH"
	expect_status 2 "proc-wait: seconds since the epoch are no start time"
	one_error_line "proc-wait: start time $EPOCH of pid $V lies after now"
else
	skip "up so long that the clock ticks since boot outnumber the seconds since the epoch"
fi
for st in 1796391835.45 "$SHELL_START.0" -5 0x10 "" " 5"; do
	for applet in proc-wait proc-stop proc-tree; do
		run "$PB" $applet "$V@$st"
		expect_status 2 "$applet $V@'$st': no whole number of ticks"
	done
done
one_error_line "proc-tree: bad start time in '$V@ 5'"
check "none of these touched the process" alive "$ID"

# the end of the round trip: a waiter, then the stop by identity; the waiter sees it end
"$PB" proc-wait -t 20 "$ID" >"$T/waiter.out" 2>&1 &
WAITER=$!
track "$WAITER"
check "a waiter for PID@STARTTIME holds its pidfd" wait_for 5 waiting "$WAITER"
run "$PB" proc-stop -f json "$ID"
expect_status 0 "proc-stop PID@STARTTIME"
check "proc-stop: terminated" jqt '.processes[0].result == "terminated" and .gone == 1' "$T/out"
check "proc-stop: the proc-stop schema" json_valid proc-stop "$T/out"
check "the process is gone" gone "$ID"
wait "$WAITER"
RC=$?
check "the waiter's proc-wait PID@STARTTIME returned 0 once it ended (got $RC)" [ "$RC" = 0 ]
run "$PB" proc-wait -t 1 "$ID"
expect_status 0 "proc-wait -t 1 PID@STARTTIME once it has ended"

# ---- the same identity in every applet's JSON, on saved trees (deterministic, any machine, any zone)
export TZ=UTC0
APROC=$FIXTURES/apache CPROC=$FIXTURES/cron
PROCBOX_PROC=$APROC run "$PB" proc-tree --format json -o pid
idents "$T/out" '.processes[]' >"$T/tree.ids"
PROCBOX_PROC=$APROC run "$PB" apache-mem -f json
idents "$T/out" '.instances[] | .master, .groups[].processes[]' >"$T/am.ids"
check "apache-mem's masters and processes: identities as proc-tree gives them ($(wc -l <"$T/am.ids"))" in_tree "$T/am.ids"
APIDS=$(cut -d' ' -f1 "$T/am.ids" | tr '\n' ' ')
PROCBOX_PROC=$APROC run "$PB" proc-wait -t 0 -f json $APIDS
idents "$T/out" '.processes[]' >"$T/pw.ids"
check "proc-wait on the same pids: the same identities" [ "$(cat "$T/pw.ids")" = "$(cat "$T/am.ids")" ]
PROCBOX_PROC=$APROC run "$PB" proc-stop -n -f json $APIDS
idents "$T/out" '.processes[]' >"$T/ps.ids"
check "proc-stop -n on the same pids: the same identities" [ "$(cat "$T/ps.ids")" = "$(cat "$T/am.ids")" ]
PROCBOX_PROC=$CPROC run "$PB" proc-tree --format json -o pid
idents "$T/out" '.processes[]' >"$T/tree.ids"
PROCBOX_PROC=$CPROC run "$PB" cron-graceful --list --format json
idents "$T/out" '.daemon, .jobs[]' >"$T/cg.ids"
check "cron-graceful's daemon and jobs: identities as proc-tree gives them ($(wc -l <"$T/cg.ids"))" in_tree "$T/cg.ids"
PROCBOX_PROC=$CPROC run "$PB" proc-stop -n -f json $(cut -d' ' -f1 "$T/cg.ids")
idents "$T/out" '.processes[]' >"$T/ps.ids"
check "proc-stop -n on the cron jobs: the same identities" [ "$(cat "$T/ps.ids")" = "$(cat "$T/cg.ids")" ]
unset TZ

# ---- the schemas reject what breaks the contract
PROCBOX_PROC=$FIXTURES/normal run "$PB" proc-tree --format json
cp "$T/out" "$T/good.json"
check "a good document passes" json_valid proc-tree "$T/good.json"
jq -c '.processes[0].starttime = 1700000000.01' "$T/good.json" >"$T/bad.json"
check "rejected: starttime in epoch seconds with a fraction (the old proc-tree)" json_invalid proc-tree "$T/bad.json"
jq -c 'del(.version)' "$T/good.json" >"$T/bad.json"
check "rejected: no version" json_invalid proc-tree "$T/bad.json"
jq -c '{processes, version, vanished, not_readable, malformed}' "$T/good.json" >"$T/bad.json"
check "rejected: version not the first key" json_invalid proc-tree "$T/bad.json"
sed 's/^{"version":1,/{"version":1,"version":1,/' "$T/good.json" >"$T/bad.json"
check "rejected: a key twice" json_invalid proc-tree "$T/bad.json"
jq -c '.processes[0].started |= sub(":00$"; "00")' "$T/good.json" >"$T/bad.json"
check "rejected: an offset without its colon" json_invalid proc-tree "$T/bad.json"
jq -c '.processes[0].extra = 1' "$T/good.json" >"$T/bad.json"
check "rejected: a member the contract does not name" json_invalid proc-tree "$T/bad.json"
PROCBOX_PROC=$FIXTURES/apache run "$PB" apache-mem -f json -p 701
jq -c '.instances[0]' "$T/out" >"$T/bad.json"
check "rejected: apache-mem's old bare instance object" json_invalid apache-mem "$T/bad.json"
jq -c '.instances = []' "$T/out" >"$T/bad.json"
check "rejected: apache-mem without an instance" json_invalid apache-mem "$T/bad.json"
printf '{"version":1,"daemon":null,"jobs":[]}' >"$T/cg.json"
check "cron-graceful's empty list passes" json_valid cron-graceful "$T/cg.json"
printf '[]' >"$T/bad.json"
check "rejected: cron-graceful's old empty array" json_invalid cron-graceful "$T/bad.json"

finish
