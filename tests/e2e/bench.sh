#!/bin/sh
# The benchmark runs (no timing is asserted): the floor's data, the idle-process spawner's clean-up, a quick driver run.
. "$(dirname "$0")/lib.sh"

BENCH="$TOP/build/bench"
for b in bench floor spawn empty; do
	[ -x "$BENCH/$b" ] || { not_ok "$BENCH/$b is missing (make bench builds it)"; finish; exit 1; }
done

# the floor yields the data proc-tree yields: pid, ppid, comm of every process, in tree order
PROCBOX_PROC="$FIXTURES/normal" run "$BENCH/floor" -p
expect_status 0 "floor -p on the fixture tree"
PROCBOX_PROC="$FIXTURES/normal" "$PB" proc-tree --format json -o pid,ppid,comm |
	jq -r '.processes[] | "\(.pid) \(.ppid) \(.comm)"' >"$T/want"
check "floor -p prints proc-tree's pid, ppid and comm in its order" diff -u "$T/want" "$T/out"
PROCBOX_PROC="$FIXTURES/malformed" run "$BENCH/floor" -p
check "floor keeps names with spaces and parentheses whole" grep -qx '12 1 ) 9 9 9 (' "$T/out"
for v in stat stat,cmdline stat,owner,cmdline stat,status,environ stat,status,cmdline,exe,cwd,cgroup,smaps; do
	run "$BENCH/floor" "$v"
	check "floor $v reads the live /proc" grep -Eq '^floor: [1-9][0-9]* processes, [1-9][0-9]* roots' "$T/out"
done
run "$BENCH/floor" stat,bogus
expect_status 2 "floor with an unknown file"

# spawn: N idle processes in a tree, ready line, every one reaped by PID when stdin closes or on SIGTERM
descendants() { "$PB" proc-tree --format json -o pid "$1" 2>/dev/null | jq '.processes | length - 1'; }
mkfifo "$T/in"
"$BENCH/spawn" 40 3 <"$T/in" >"$T/ready" &
SP=$!
track "$SP"
exec 4>"$T/in"
wait_for 20 grep -q "^ready 40 $SP\$" "$T/ready"
check "spawn reports readiness with its pid" grep -q "^ready 40 $SP\$" "$T/ready"
check "spawn has 40 idle descendants" [ "$(descendants "$SP")" = 40 ]
"$PB" proc-tree --format json -o pid "$SP" | jq -r '.processes[1:][] | .pid' >"$T/members"
check "the tree is deeper than one level (fan-out 3)" [ "$("$PB" proc-tree -o pid,ppid "$SP" | awk -v sp="$SP" 'NR > 1 && $2 != sp' | wc -l)" -gt 0 ]
exec 4>&-
wait "$SP"
check "spawn exits 0 once stdin closes" [ $? = 0 ]
gone() { for p in $(cat "$T/members"); do [ -d "/proc/$p" ] && return 1; done; return 0; }
check "every member is gone when spawn returns" gone

mkfifo "$T/in2"
"$BENCH/spawn" 20 <"$T/in2" >"$T/ready2" &
SP=$!
track "$SP"
exec 5>"$T/in2"
wait_for 20 grep -q "^ready 20 " "$T/ready2"
"$PB" proc-tree --format json -o pid "$SP" | jq -r '.processes[1:][] | .pid' >"$T/members"
kill -TERM "$SP"
wait "$SP"
check "spawn exits 0 on SIGTERM" [ $? = 0 ]
check "and every member is gone" gone
exec 5>&-

# if whatever started spawn dies, spawn and its tree go too (PR_SET_PDEATHSIG)
mkfifo "$T/in3"
sh -c '"$1" 20 <"$3" >"$2" & wait' pb-bench-parent "$BENCH/spawn" "$T/ready3" "$T/in3" &
PARENT=$!
track "$PARENT"
exec 6>"$T/in3"
wait_for 20 grep -q "^ready 20 " "$T/ready3"
SP=$(awk '{print $3}' "$T/ready3")
"$PB" proc-tree --format json -o pid "$SP" | jq -r '.processes[].pid' >"$T/members"
kill -KILL "$PARENT"
check "spawn and its members end when their starter is killed" wait_for 20 gone
exec 6>&-

run "$BENCH/spawn" 0
expect_status 2 "spawn with a bad count"

# the driver, quick: two levels, proc-tree rows only, a table and the targets
cd "$TOP" || exit 1
BENCH_ONLY=proc-tree BENCH_LEVELS="0 25" run "$BENCH/bench" --quick
expect_status 0 "bench --quick"
check "a table per level" [ "$(grep -c '^| command | floor (baseline) |' "$T/out")" = 2 ]
check "the second level has the 25 idle processes" grep -q '^25 idle processes' "$T/out"
check "the stat floor against itself, with a ratio" grep -Eq '^\| `floor stat` \| stat \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|' "$T/out"
check "proc-tree against the floor reading stat, status and cmdline" \
	grep -Eq '^\| `procbox proc-tree` \| stat,status,cmdline \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|' "$T/out"
if command -v valgrind >/dev/null 2>&1; then
	check "instructions counted under callgrind" grep -Eq '^\| `procbox proc-tree -o pid,ppid,comm` .* \| [0-9.]+ \| [0-9]+ \|$' "$T/out"
else
	skip "valgrind not installed: no instruction counts"
fi
check "the targets section" grep -q '^| static stripped binary <= 192 KiB |' "$T/out"
check "rows of applets the binary lacks are named, not run" \
	sh -c "for a in cron-graceful with-gui-environment apache-mem; do '$PB' --list | grep -qx \$a || grep -q \"^Not run: \\\`procbox \$a\" '$T/out' || exit 1; done"
check "no idle process is left behind" sh -c "! '$PB' proc-tree --format json -o exe | grep -q '\"$BENCH/spawn\"'"

printf 'stat - procbox\nstat\n' >"$T/rows"
run "$BENCH/bench" --quick "$T/rows"
expect_status 1 "a rows file with a short line"
one_error_line "bench: $T/rows: 'stat': wanted BASELINE TARGET COMMAND"

finish
