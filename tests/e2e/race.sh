#!/bin/sh
# The race test against the static binary: proc-tree scans and reads cmdline, environ, exe and status while
# a helper keeps spawning and reaping ~25 short-lived children, for at least 10 seconds.
. "$(dirname "$0")/lib.sh"

"$HELPERS/churn" 25 >"$T/churn.pid" &
CHURN=$!
track "$CHURN"
wait_for 5 test -s "$T/churn.pid"

start=$(date +%s)
end=$((start + 11)) # whole seconds: at least 10 s
runs=0 crashed=0 bad_json=0
: >"$T/counts"
# every counter risen yet? (a loaded machine may need longer than 10 s to show a race: up to 40 s, times
# PB_SLOWDOWN)
risen() {
	awk '{s+=$1; c+=$2; e+=$3; x+=$4; t+=$5} END {exit !(s && c && e && x && t)}' "$T/counts"
}
while [ "$(date +%s)" -lt "$end" ] || { ! risen && [ "$(date +%s)" -lt $((start + 40 * PB_SLOWDOWN)) ]; }; do
	"$PB" proc-tree --format json -o pid,ppid,state,comm,cmdline,environ,exe,status >"$T/scan.json" 2>"$T/err"
	rc=$?
	runs=$((runs + 1))
	[ "$rc" = 0 ] || { crashed=$((crashed + 1)); echo "  run $runs: exit $rc: $(head -c 200 "$T/err")"; continue; }
	# every entry sane: positive pid, a known state letter, a parent that is listed or a root
	# (tree order puts a listed parent before its children)
	if ! jq -e '([.processes | to_entries[] | {(.value.pid | tostring): .key}] | add) as $at |
		all(.processes[]; .pid > 0 and .ppid >= 0 and (.state | test("^[RSDZTtWXxKPI]$")) and (.cmdline | type) == "array")
		and all(.processes | to_entries[]; ($at[.value.ppid | tostring] // -1) < .key)' \
		"$T/scan.json" >/dev/null 2>&1; then
		bad_json=$((bad_json + 1))
		continue
	fi
	jq -r '.vanished | "\(.stat) \(.cmdline) \(.environ) \(.exe) \(.status)"' "$T/scan.json" >>"$T/counts"
done
kill -TERM "$CHURN"
wait "$CHURN" 2>/dev/null

check "ran proc-tree repeatedly for 10 s ($runs scans)" [ "$runs" -ge 3 ]
check "no scan failed or crashed" [ "$crashed" = 0 ]
check "every scan was valid JSON with sane entries" [ "$bad_json" = 0 ]
check "the last scan matches the proc-tree schema" json_valid proc-tree "$T/scan.json"
awk '{s+=$1; c+=$2; e+=$3; x+=$4; t+=$5} END {print s, c, e, x, t}' "$T/counts" >"$T/sum"
read -r s c e x st <"$T/sum"
echo "  vanished over $runs scans: stat $s cmdline $c environ $e exe $x status $st"
for kind in "stat $s" "cmdline $c" "environ $e" "exe $x" "status $st"; do
	set -- $kind
	if [ "$2" = 0 ] && [ -n "${PB_EMULATED:-}" ]; then
		# the emulator changes how long each read takes, and so which of them the races hit
		skip "the $1 race counter stayed 0 under $PB_EMULATED, whose timing is not the kernel's alone"
	else
		check "the $1 race counter went up" [ "$2" -gt 0 ]
	fi
done

finish
