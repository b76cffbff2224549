#!/bin/sh
# proc-tree: the live tree, filters (executable paths, levels below a PID), fields, JSON, fixture trees, hostile
# names, failure paths.
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
check "JSON: the whole tree matches the proc-tree schema" json_valid proc-tree "$T/out"
check "JSON: version 1 first" jqt 'keys_unsorted[0] == "version" and .version == 1' "$T/out"
check "JSON: every process leads with its identity (pid, starttime, started)" \
	jqt 'all(.processes[]; keys_unsorted[0:3] == ["pid","starttime","started"])' "$T/out"
# starttime is field 22 of stat, clock ticks since boot; started is btime + starttime / CLK_TCK in local time
GC_START=$(sed 's/.*) //' "/proc/$GC/stat" | cut -d' ' -f20)
GC_STARTED=$(date -d "@$(($(awk '$1 == "btime" { print $2 }' /proc/stat) + GC_START / $(getconf CLK_TCK)))" +%Y-%m-%dT%H:%M:%S%:z)
check "JSON: the grandchild's starttime is field 22 of its stat ($GC_START)" \
	jqt --argjson gc "$GC" --argjson st "$GC_START" '.processes[] | select(.pid == $gc) | .starttime == $st' "$T/out"
check "JSON: and started its local time with the offset ($GC_STARTED)" \
	jqt --argjson gc "$GC" --arg s "$GC_STARTED" '.processes[] | select(.pid == $gc) | .started == $s' "$T/out"
check "JSON has the grandchild with its parent" \
	jqt --argjson gc "$GC" --argjson c "$CHILD" '.processes[] | select(.pid == $gc) | .ppid == $c' "$T/out"
check "JSON cmdline is an array of arguments" \
	jqt --argjson gc "$GC" '.processes[] | select(.pid == $gc) | .cmdline == ["sleep","86400"]' "$T/out"
check "JSON has the race counters" jqt '.vanished.stat >= 0 and .not_readable >= 0' "$T/out"
check "JSON leaves environ out by default" jqt '[.processes[] | has("environ")] | any | not' "$T/out"

run env PBTREE_MARK=visible "$PB" proc-tree -o pid,environ --format json
check "-o environ shows the environment" \
	jqt '[.processes[] | select(.environ.PBTREE_MARK == "visible")] | length == 1' "$T/out"
check "-o pid,environ: the identity and environ, schema-valid" json_valid proc-tree "$T/out"
check "-o pid,environ: no other member" jqt 'all(.processes[]; keys_unsorted == ["pid","starttime","started","environ"])' "$T/out"

# PID@STARTTIME, as proc-wait and proc-stop take it: the process, or none when the start time is another's
run "$PB" proc-tree -o pid,comm "$GC@$GC_START"
expect_status 0 "PID@STARTTIME of the grandchild"
check "PID@STARTTIME shows that process" grep -Eq "^ *$GC sleep$" "$T/out"
run "$PB" proc-tree -o pid "$GC@$((GC_START - 1))"
expect_status 1 "PID@STARTTIME with another start time: no such process"
one_error_line "proc-tree: no process $GC@$((GC_START - 1))"
run "$PB" proc-tree -f json -p "$GC@$GC_START" -p "$CHILD@$((GC_START + 1000000))"
check "-p PID@STARTTIME: only the process with that start time" jqt --argjson gc "$GC" '[.processes[].pid] == [$gc]' "$T/out"
run "$PB" proc-tree "$GC@99999999999999"
expect_status 2 "a start time after now (a date, another unit)"
one_error_line "proc-tree: start time 99999999999999 of pid $GC lies after now"
run "$PB" proc-tree -p "$GC@1796391835.45"
expect_status 2 "a start time in seconds with a fraction"
one_error_line "proc-tree: bad start time in '$GC@1796391835.45'"

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
PROCBOX_PROC="$FIXTURES/normal" TZ=UTC0 run "$PB" proc-tree --format json -o pid,ppid,comm,uids,starttime,runtime,rss,exe,exe_name,cgroup,cmdline
jq -S . "$T/out" >"$T/normal.json"
check "fixture tree JSON matches the expected file" diff -u "$TOP/tests/e2e/expected/normal.json" "$T/normal.json"
check "fixture tree JSON matches the schema" json_valid proc-tree "$T/out"
# the offset of started, with its colon, east and west of UTC; btime 1700000000 is 2023-11-14 22:13:20 UTC
PROCBOX_PROC="$FIXTURES/normal" TZ="<+0530>-5:30" run "$PB" proc-tree --format json -p 1
check "started: local time with the offset +05:30" jqt '.processes[0].started == "2023-11-15T03:43:20+05:30"' "$T/out"
PROCBOX_PROC="$FIXTURES/normal" TZ="<-03>3" run "$PB" proc-tree --format json -p 1
check "started: local time with the offset -03:00" jqt '.processes[0].started == "2023-11-14T19:13:20-03:00"' "$T/out"
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-tree -o pid,starttime,started -p 100
check "text: starttime in ticks, started in local time" grep -Eq '^ +100 +5000 [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}$' "$T/out"
# every field at once, and a name given twice in environ and status: one member, the first value (as getenv)
ALL=pid,ppid,pgrp,session,state,comm,user,group,uids,gids,starttime,started,runtime,vsize,rss,exe,exe_path,exe_name,cwd,cgroup,cmdline,environ,status
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-tree --format json -o "$ALL"
check "every field: schema-valid, no name twice in an object" json_valid proc-tree "$T/out"
check "a variable set twice: the first value, as getenv() finds it" \
	jqt '.processes[] | select(.pid == 200) | .environ == {"HOME":"/home/alice","DISPLAY":":0","XAUTHORITY":"/home/alice/.Xauthority"}' "$T/out"
# a saved tree without btime: started is null, the start time in ticks is still known
mkdir -p "$T/nobtime"
cp -r "$FIXTURES/normal/1" "$FIXTURES/normal/uptime" "$T/nobtime/"
PROCBOX_PROC="$T/nobtime" run "$PB" proc-tree --format json
check "no btime: started is null, starttime still given" jqt '.processes[0] | .started == null and .starttime == 1' "$T/out"
check "no btime: still schema-valid" json_valid proc-tree "$T/out"

# hostile names and broken files: no crash, no raw control bytes in text, exact bytes in JSON
PROCBOX_PROC="$FIXTURES/malformed" run "$PB" proc-tree
expect_status 0 "malformed tree"
check "text output holds no control characters" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T/out'"
check "the name with a newline is shown as one line" grep -q '\[x?y\]' "$T/out"
PROCBOX_PROC="$FIXTURES/malformed" run "$PB" proc-tree --format json -o "$ALL"
check "malformed tree JSON matches the schema" json_valid proc-tree "$T/out"
check "JSON keeps the newline of a name" jqt '.processes[] | select(.pid == 11) | .comm == "x\ny"' "$T/out"
check "JSON keeps ') 9 9 9 ('" jqt '.processes[] | select(.pid == 12) | .comm == ") 9 9 9 ("' "$T/out"
check "JSON counts the malformed stat files" jqt '.malformed == 6' "$T/out"
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

# ---- levels below a PID (or the top), on chains the test builds: 5 deep, and a fork of two
: >"$T/chain5"
"$HELPERS/chain" 5 >"$T/chain5" &
CH=$!
track "$CH"
if wait_for 10 grep -q ready "$T/chain5"; then
	set -- $(grep -v ready "$T/chain5")
	track "$@"
	run "$PB" proc-tree -o pid --level 2 "$CH"
	expect_status 0 "--level 2 below the chain's top"
	check "--level 2: exactly the third of the chain" [ "$(tail -n +2 "$T/out" | tr -d ' ')" = "$3" ]
	run "$PB" proc-tree -o pid --depth 2 "$CH"
	check "--depth 2: the top and two levels below it" [ "$(tail -n +2 "$T/out" | tr -d ' ' | tr '\n' ' ')" = "$1 $2 $3 " ]
	run "$PB" proc-tree -o pid --level 4 --depth 5 "$CH"
	check "--level and --depth together: both hold" [ "$(tail -n +2 "$T/out" | tr -d ' ')" = "$5" ]
	run "$PB" proc-tree -o pid --level 5 "$CH"
	expect_status 1 "--level below the deepest"
	one_error_line "proc-tree: no process matched"
	run "$PB" proc-tree -o pid,ppid --level 1 --format json "$2"
	check "--level 1 in JSON: the one child" jqt --argjson c "$3" --argjson p "$2" '[.processes[] | {pid, ppid}] == [{"pid": $c, "ppid": $p}]' "$T/out"
	run "$PB" proc-tree -o pid --depth 1
	check "--depth 1 without PID: init and its children" sh -c "tail -n +2 '$T/out' | grep -qx ' *1' && ! tail -n +2 '$T/out' | grep -qx ' *$CH'"
	kill "$CH"
else
	not_ok "the chain helper did not build a chain 5 deep"
fi
run "$PB" proc-tree --level 0 1
expect_status 2 "--level 0"
one_error_line "proc-tree: bad number of levels '0' (1 or more)"
run "$PB" proc-tree --depth -1 1
expect_status 2 "--depth -1"

# ---- by executable path: a copy of sleep, then deleted (an upgrade), a symbolic link, argv[0] not believed
cp "$(command -v sleep)" "$T/pbt-sleeper"
"$T/pbt-sleeper" 86400 &
X=$!
track "$X"
wait_for 5 grep -qx pbt-sleeper "/proc/$X/comm"
run "$PB" proc-tree -o pid,exe --exe-path "$T/pbt-sleeper"
expect_status 0 "--exe-path"
check "--exe-path: that process alone" [ "$(tail -n +2 "$T/out" | awk '{print $1}')" = "$X" ]
rm "$T/pbt-sleeper"
run "$PB" proc-tree -o pid,exe --exe-path "$T/pbt-sleeper"
expect_status 0 "--exe-path of a deleted executable"
check "the deleted executable's process, shown deleted" grep -Eq "^ *$X $T/pbt-sleeper \(deleted\)$" "$T/out"
run "$PB" proc-tree -o pid --exe-path "$T/pbt-sleeper" --exe-path /nonexistent -u root "$CHILD"
expect_status 1 "--exe-path, -u and a PID together all hold: that process is not below the PID"
ln -s "$(command -v sleep)" "$T/pbt-link"
"$T/pbt-link" 86400 &
L=$!
track "$L"
wait_for 5 grep -qx pbt-link "/proc/$L/comm"
run "$PB" proc-tree -o pid --exe-path "$T/pbt-link"
expect_status 1 "--exe-path of a symbolic link: the kernel shows what it leads to"
run "$PB" proc-tree -o pid --exe-path "$(readlink -f "$T/pbt-link")" "$L"
check "the path the link leads to matches" [ "$(tail -n +2 "$T/out" | tr -d ' ')" = "$L" ]
run "$PB" proc-tree --exe-path sleep
expect_status 2 "--exe-path that is not absolute"
one_error_line "proc-tree: --exe-path needs an absolute path: 'sleep'"
if test_user "pbtr$$"; then
	cp "$(command -v sleep)" "$T/pbt-root"
	"$T/pbt-root" 86400 &
	RX=$!
	track "$RX"
	wait_for 5 grep -qx pbt-root "/proc/$RX/comm"
	run run_as "pbtr$$" "$PB" proc-tree -o pid,exe_path "$RX"
	check "another user sees root's exe_path only from its argv[0]" grep -Eq "^ *$RX $T/pbt-root$" "$T/out"
	run run_as "pbtr$$" "$PB" proc-tree -o pid --exe-path "$T/pbt-root"
	expect_status 1 "but --exe-path never believes argv[0]: no match for that user"
	run "$PB" proc-tree -o pid --exe-path "$T/pbt-root"
	check "root reads the link: a match" [ "$(tail -n +2 "$T/out" | tr -d ' ')" = "$RX" ]
else
	skip "another user: useradd failed"
fi
PROCBOX_PROC="$FIXTURES/normal" run "$PB" proc-tree -o pid --exe-path /usr/sbin/cron --depth 2 1
check "a saved tree: --exe-path of the replaced cron and --depth 2 below init" [ "$(tail -n +2 "$T/out" | tr -d ' ' | tr '\n' ' ')" = "100 101 " ]

# a process that vanishes: the tree of a child killed right after the scan starts is just smaller
( "$PB" proc-tree >/dev/null; echo $? >"$T/rc" ) &
kill "$GC" 2>/dev/null
wait $!
check "a process ending during the scan is no error" [ "$(cat "$T/rc")" = 0 ]

finish
