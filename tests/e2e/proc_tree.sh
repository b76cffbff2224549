#!/bin/sh
# proc-tree: the live tree, filters, fields, JSON, fixture trees, hostile names, failure paths.
. "$(dirname "$0")/lib.sh"

# a child and a grandchild of our own
sh -c 'sleep 86400 & echo $! > "$1"; wait' pbtree-parent "$T/gc.pid" &
CHILD=$!
track "$CHILD"
wait_for 5 test -s "$T/gc.pid"
GC=$(cat "$T/gc.pid")
track "$GC"

run "$PB" proc-tree "$CHILD"
expect_status 0 "proc-tree PID"
check "shows the child" grep -Eq "^ *$CHILD .*sh -c sleep 86400" "$T/out"
check "shows the grandchild below it" grep -Eq "^ *$GC .*\\\\_ sleep 86400" "$T/out"
check "header first" sh -c "head -n 1 '$T/out' | grep -q '^ *PID USER'"

run "$PB" proc-tree
expect_status 0 "the whole tree"
check "the whole tree holds our grandchild" grep -Eq "^ *$GC " "$T/out"
check "and pid 1" grep -Eq "^ *1 " "$T/out"

run "$PB" proc-tree --format json
expect_status 0 "--format json"
check "JSON validates" jq -e . "$T/out" >/dev/null
check "JSON has the grandchild with its parent" \
	jq -e --argjson gc "$GC" --argjson c "$CHILD" '.processes[] | select(.pid == $gc) | .ppid == $c' "$T/out" >/dev/null
check "JSON cmdline is an array of arguments" \
	jq -e --argjson gc "$GC" '.processes[] | select(.pid == $gc) | .cmdline == ["sleep","86400"]' "$T/out" >/dev/null
check "JSON has the race counters" jq -e '.vanished.stat >= 0 and .not_readable >= 0' "$T/out" >/dev/null
check "JSON leaves environ out by default" jq -e '[.processes[] | has("environ")] | any | not' "$T/out" >/dev/null

run env PBTREE_MARK=visible "$PB" proc-tree -o pid,environ --format json
check "-o environ shows the environment" \
	jq -e '[.processes[] | select(.environ.PBTREE_MARK == "visible")] | length == 1' "$T/out" >/dev/null

run "$PB" proc-tree --exe-name sleep --pid "$GC" -o pid,exe_name
expect_status 0 "--exe-name and --pid"
check "filters select the grandchild only" [ "$(tail -n +2 "$T/out" | awk '{print $1}')" = "$GC" ]
run "$PB" proc-tree --user root -o pid,user
check "--user root shows only root's processes" sh -c "tail -n +2 '$T/out' | awk '{print \$2}' | sort -u | grep -vx root | wc -l | grep -qx 0"
run "$PB" proc-tree -o pid,ppid,comm "$CHILD"
check "-o chooses the columns" grep -Eq "^ *$GC +$CHILD +\\\\_ sleep$" "$T/out"

# only the files the fields need: pid,ppid,comm is stat alone
if command -v strace >/dev/null 2>&1; then
	strace -f -e trace=openat -o "$T/trace" "$PB" proc-tree -o pid,ppid,comm >/dev/null 2>&1
	check "pid,ppid,comm opens PID/stat and nothing else per process" \
		sh -c "! grep -E 'openat\\(.*\"[0-9]+/(cmdline|environ|status|exe)' '$T/trace'"
	strace -f -e trace=openat -o "$T/trace" "$PB" proc-tree -o pid,cmdline >/dev/null 2>&1
	check "pid,cmdline adds PID/cmdline only" sh -c "grep -q '/cmdline\"' '$T/trace' && ! grep -qE '/(status|environ)\"' '$T/trace'"
	# the whole tree: each cmdline is read during the scan, right after its process's stat (one pass over /proc)
	grep -oE '"[0-9]+/(stat|cmdline)"' "$T/trace" | tr -d '"' >"$T/opens"
	check "the whole tree reads each cmdline right after that process's stat" \
		awk -F/ '$2 == "cmdline" && prev != $1 "/stat" { bad = 1 } { prev = $0 } END { exit bad }' "$T/opens"
	strace -f -e trace=openat -o "$T/trace" "$PB" proc-tree -o pid,cmdline "$CHILD" >/dev/null 2>&1
	check "below a PID, only that subtree's cmdline files are read" [ "$(grep -c '/cmdline"' "$T/trace")" = 2 ]
else
	skip "strace not installed"
fi

# a saved tree
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-tree -o pid,ppid,state,comm,exe_name,cmdline
expect_status 0 "fixture tree"
check "fixture tree text matches the expected file" diff -u "$TOP/tests/e2e/expected/normal.txt" "$T/out"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-tree --format json -o pid,ppid,comm,uids,starttime,runtime,rss,exe,exe_name,cgroup,cmdline
jq -S . "$T/out" >"$T/normal.json"
check "fixture tree JSON matches the expected file" diff -u "$TOP/tests/e2e/expected/normal.json" "$T/normal.json"

# hostile names and broken files: no crash, no raw control bytes in text, exact bytes in JSON
PROCBOX_PROC="$FIXTURES/malformed" run "$PB" proc-tree
expect_status 0 "malformed tree"
check "text output holds no control characters" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T/out'"
check "the name with a newline is shown as one line" grep -q '\[x?y\]' "$T/out"
PROCBOX_PROC="$FIXTURES/malformed" run "$PB" proc-tree --format json
check "malformed tree JSON validates" jq -e . "$T/out" >/dev/null
check "JSON keeps the newline of a name" jq -e '.processes[] | select(.pid == 11) | .comm == "x\ny"' "$T/out" >/dev/null
check "JSON keeps ') 9 9 9 ('" jq -e '.processes[] | select(.pid == 12) | .comm == ") 9 9 9 ("' "$T/out" >/dev/null
check "JSON counts the malformed stat files" jq -e '.malformed == 6' "$T/out" >/dev/null
check "the parent cycle is shown once" [ "$(jq '[.processes[] | select(.pid == 24 or .pid == 25)] | length' "$T/out")" = 2 ]

# failure paths: one line on stderr and a documented status
run "$PB" proc-tree 2147483646
expect_status 1 "a pid that does not exist"
one_error_line "proc-tree: no process 2147483646"
run "$PB" proc-tree --exe-name no-such-program-here
expect_status 1 "a filter that matches nothing"
one_error_line "proc-tree: no process matched"
check "nothing on stdout when nothing matched" [ ! -s "$T/out" ]
run "$PB" proc-tree -o pid,bogus
expect_status 2 "an unknown field"
one_error_line "proc-tree: unknown field 'bogus'"
run "$PB" proc-tree --format xml
expect_status 2 "an unknown format"
run "$PB" proc-tree --user no-such-user-here
expect_status 2 "an unknown user"
run "$PB" proc-tree 12 13
expect_status 2 "two PIDs"
PROCBOX_PROC=/nonexistent run "$PB" proc-tree
expect_status 1 "an unusable proc root"
one_error_line "proc-tree: cannot open the proc root /nonexistent"
run sh -c "'$PB' proc-tree > /dev/full"
expect_status 1 "a full disk on stdout"

# a deep tree: 32 levels of art, then the depth as a number after that indentation
: >"$T/chain40" # here, so that the wait below never reads a file not made yet
"$HELPERS/chain" 40 >"$T/chain40" &
CHAIN=$!
track "$CHAIN"
if wait_for 10 grep -q ready "$T/chain40"; then
	run "$PB" proc-tree -o pid,comm "$CHAIN"
	expect_status 0 "a chain 40 deep"
	# the row of depth D is the (D+1)th process of the chain, the (D+2)th line
	row() { sed -n "$(($1 + 2))p" "$T/out"; }
	check "depth 1 is drawn" [ "$(row 1 | sed 's/^ *[0-9]* //')" = '\_ chain' ]
	check "depth 32: 31 levels of art, then its marker" [ "$(row 32 | sed 's/^ *[0-9]* //')" = "$(printf '%93s\\_ chain' '')" ]
	check "depth 33: the 32 levels, then the depth as a number" [ "$(row 33 | sed 's/^ *[0-9]* //')" = "$(printf '%96s[33]\\_ chain' '')" ]
	check "depth 39, the deepest: the same indentation" [ "$(row 39 | sed 's/^ *[0-9]* //')" = "$(printf '%96s[39]\\_ chain' '')" ]
else
	not_ok "the chain helper did not build a chain 40 deep"
fi
kill "$CHAIN"

# a process that vanishes: the tree of a child killed right after the scan starts is just smaller
( "$PB" proc-tree >/dev/null; echo $? >"$T/rc" ) &
kill "$GC" 2>/dev/null
wait $!
check "a process ending during the scan is no error" [ "$(cat "$T/rc")" = 0 ]

finish
